"""``loket config export|import`` round trip and ``loket calendar import`` of an .ics file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from loket.server.app import create_app
from loket.server.commands import cli
from loket.server.config import load_config
from tests.conftest import SMALL_HALL

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Loket test//ID
BEGIN:VEVENT
UID:idulfitri-2026@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260320
DTEND;VALUE=DATE:20260322
SUMMARY:Libur Nasional: Hari Raya Idulfitri
END:VEVENT
BEGIN:VEVENT
UID:natal-2026@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261225
DTEND;VALUE=DATE:20261226
SUMMARY:Libur Nasional: Hari Raya Natal
END:VEVENT
END:VCALENDAR
"""


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_export_import_round_trip(write_config: Any, tmp_path: Path) -> None:
    hall = write_config(SMALL_HALL)
    app = create_app(load_config(hall), async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    token = __import__("loket.server.auth", fromlist=["x"]).create_token(hub.db, "adm", "admin")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.patch("/api/admin/services/A", json={"quota": 12, "last_ticket": "14:30",
                                                       "opening_hours": ["mon-fri 07:30-15:00"]},
                        headers=headers).status_code == 200
    assert client.post("/api/admin/services", json={"prefix": "K", "name": "BPJS Kesehatan",
                                                    "agency": "BPJS"},
                       headers=headers).status_code == 201
    assert client.patch("/api/admin/counters/2", json={"name": "Loket Dua",
                                                       "services": ["K", "B"]},
                        headers=headers).status_code == 200
    hub.db.dispose()

    out = tmp_path / "exported.toml"
    result = run("config", "export", "--out", str(out), "--config", str(hall))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# loket.toml written by `loket config export`")
    exported = load_config(out)  # a valid loket.toml
    assert exported.services[0].quota == 12 and exported.services[-1].prefix == "K"
    assert next(c for c in exported.counters if c.id == "2").name == "Loket Dua"

    # nothing to do: the live hall is the exported one
    result = run("config", "import", str(out), "--config", str(hall))
    assert result.exit_code == 0 and "no changes" in result.output

    # the original file differs: the dry run prints the diff and applies nothing
    result = run("config", "import", str(hall), "--dry-run", "--config", str(hall))
    assert "~ services A quota: 12 -> 50" in result.output
    assert "- services K" in result.output and "dry run" in result.output
    again = run("config", "export", "--config", str(hall))
    assert again.output == text

    result = run("config", "import", str(hall), "--config", str(hall))
    assert "changes applied" in result.output
    back = tmp_path / "back.toml"
    run("config", "export", "--out", str(back), "--config", str(hall))
    assert [s.prefix for s in load_config(back).services] == ["A", "B", "C"]
    assert run("config", "import", str(back), "--config", str(hall)).output.strip() == \
        "no changes"


def test_import_refuses_an_invalid_file(write_config: Any) -> None:
    hall = write_config(SMALL_HALL)
    bad = write_config(SMALL_HALL.replace("quota = 50", "quota = 0"), name="bad.toml")
    result = CliRunner().invoke(cli, ["config", "import", str(bad), "--config", str(hall)])
    assert result.exit_code != 0 and "services[0].quota" in result.output


def test_calendar_import_is_idempotent(write_config: Any, tmp_path: Path) -> None:
    hall = write_config(SMALL_HALL)
    ics = tmp_path / "libur.ics"
    ics.write_text(ICS, encoding="utf-8")
    first = run("calendar", "import", str(ics), "--config", str(hall))
    assert "2 events read, 2 added" in first.output, first.output
    second = run("calendar", "import", str(ics), "--config", str(hall))
    assert "0 added or updated, 2 already known" in second.output
    listing = run("calendar", "list", "--config", str(hall)).output
    assert "2026-03-20..2026-03-21\tall\tLibur Nasional: Hari Raya Idulfitri" in listing
    assert "2026-12-25\tall\tLibur Nasional: Hari Raya Natal" in listing
    assert len(listing.strip().splitlines()) == 2

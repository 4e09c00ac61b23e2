"""loket.toml validation: every refusal names the file, the key and what was expected; the
smallest config from the issue, the `loket init` sample and the demo hall all work."""

from __future__ import annotations

import re
import textwrap
import tomllib
from pathlib import Path

import pytest

from loket.server.config import ConfigError, demo_config, load_config, sample_toml
from tests.support.hall import SMALL_HALL

SMALLEST = """
[hall]
name = "MPP Kota Contoh"
timezone = "Asia/Jakarta"

[[services]]
prefix = "A"
name = "KTP-el"
agency = "Dukcapil"

[[counters]]
id = "1"
name = "Loket 1"
zone = "lantai-1"
services = ["A"]

[storage]
url = "sqlite:////var/lib/loket/loket.db"
"""


def _refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    error = info.value
    assert str(path) in str(error), "the message names the file"
    return error


def _with(old: str, new: str, text: str = SMALL_HALL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        # missing section / key
        (SMALL_HALL.replace('[hall]\nname = "MPP Uji"\ntimezone = "Asia/Jakarta"\n', ""),
         "hall", "required"),
        (_with('name = "MPP Uji"\n', ""), "hall.name", "required"),
        (_with('services = ["B"]\n', ""), "counters[1].services", "required"),
        # wrong type
        (_with("quota = 50", 'quota = "fifty"'), "services[0].quota", "integer"),
        (_with('services = ["B"]', 'services = "B"'), "counters[1].services", "list"),
        (_with("enabled = false", 'enabled = "nope"'), "audio.enabled", "bool"),
        # bad prefix
        (_with('prefix = "A"', 'prefix = "a"'), "services[0].prefix", "[A-Z]"),
        (_with('prefix = "C"', 'prefix = "ABC"'), "services[2].prefix", "[A-Z]"),
        # unknown key (typo)
        (_with('name = "MPP Uji"', 'name = "MPP Uji"\ntimezon = "Asia/Jakarta"'),
         "hall.timezon", "not a known setting"),
        (_with("quota = 50", "qouta = 50"), "services[0].qouta", "not a known setting"),
        (SMALL_HALL + "\n[displya]\nrecent_calls = 8\n", "displya", "not a known setting"),
        # bad time zone
        (_with('timezone = "Asia/Jakarta"', 'timezone = "Asia/Jakarte"'),
         "hall.timezone", "Asia/Jakarta"),
        # counter using an undefined service
        (_with('services = ["B"]', 'services = ["B", "Z"]'),
         "counters[1].services[1]", "'Z' is not defined in [[services]]"),
        # duplicates
        (_with('prefix = "B"', 'prefix = "A"'), "services[1].prefix", "used twice"),
        (_with('id = "2"', 'id = "1"'), "counters[1].id", "twice"),
        # queue policy
        (_with('priority_policy = "first"', 'priority_policy = "sometimes"'),
         "queue.priority_policy", "'first' or 'interleave'"),
        (_with('priority_policy = "first"', 'priority_policy = "interleave"\npriority_every = 1'),
         "queue.priority_every", "greater than or equal to 2"),
        # keypad address out of range / unknown counter
        (SMALL_HALL + '\n[[keypads]]\nport = "loop://"\naddresses = { "100" = "1" }\n',
         "keypads[0].addresses", "1 to 99"),
        (SMALL_HALL + '\n[[keypads]]\nport = "loop://"\naddresses = { "0" = "1" }\n',
         "keypads[0].addresses", "1 to 99"),
        (SMALL_HALL + '\n[[keypads]]\nport = "loop://"\naddresses = { "3" = "9" }\n',
         "keypads[0].addresses.3", "counter '9' is not defined"),
        # opening hours
        (_with("quota = 50", 'quota = 50\nopening_hours = ["mon-fri 7.30-15"]'),
         "services[0].opening_hours", "mon-fri 07:30-16:00"),
        (_with("quota = 50", 'quota = 50\nopening_hours = ["mon-fri 15:00-08:00"]'),
         "services[0].opening_hours", "before the closing time"),
        (_with("quota = 50", 'quota = 50\nopening_hours = ["senin 08:00-12:00"]'),
         "services[0].opening_hours", "days must be among"),
        (_with("quota = 50", 'quota = 50\nopening_hours = ["fri-mon 08:00-12:00"]'),
         "services[0].opening_hours", "runs backwards"),
        # out-of-range numbers and patterns
        (_with("quota = 50", "quota = 0"), "services[0].quota", "greater than or equal to 1"),
        (_with('zone = "lantai-2"', 'zone = "Lantai 2"'), "counters[2].zone", "pattern"),
        (SMALL_HALL + "\n[server]\nport = 70000\n", "server.port", "less than or equal"),
        # agencies declared but a service names another one
        ('[[agencies]]\nname = "Dukcapil"\n' + SMALL_HALL, "services[2].agency",
         "'Imigrasi' is not in [[agencies]]"),
    ],
)
def test_each_error_names_file_key_and_expectation(
    write_config, text: str, key: str, expected: str
) -> None:
    error = _refused(write_config(text))
    assert error.key == key
    assert key in str(error)
    assert expected in str(error), str(error)


def test_error_message_is_one_line_with_file_and_key(write_config) -> None:
    path = write_config(_with("quota = 50", 'quota = "lots"'))
    message = str(_refused(path))
    assert "\n" not in message
    assert message.startswith(f"{path}: services[0].quota: ")
    assert "'lots'" in message  # what was found


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    error = _refused(missing)
    assert "loket init" in str(error)
    broken = tmp_path / "broken.toml"
    broken.write_text('[hall]\nname = "x\n', encoding="utf-8")
    assert "not valid TOML" in str(_refused(broken))


def test_wrong_top_level_type(write_config) -> None:
    error = _refused(write_config(SMALL_HALL.replace("[hall]\n", "hall = 3\n[hallx]\n", 1)))
    assert error.key.startswith("hall")


def test_smallest_config_from_the_issue_works(tmp_path: Path) -> None:
    """The issue's smallest config, unchanged but for the storage path (not writable here)."""
    assert "/var/lib/loket/loket.db" in SMALLEST
    path = tmp_path / "loket.toml"
    path.write_text(SMALLEST, encoding="utf-8")
    config = load_config(path)  # the file as it stands validates
    assert config.storage.url == "sqlite:////var/lib/loket/loket.db"
    assert config.services[0].opening_hours == []  # always open
    assert config.audio.enabled is True  # speech on unless [audio] enabled = false

    from loket.server.app import create_app

    db_file = tmp_path / "data" / "loket.db"
    path.write_text(SMALLEST.replace("/var/lib/loket/loket.db", str(db_file)),
                    encoding="utf-8")
    config = load_config(path)
    app = create_app(config, async_mode="threading", testing=True)
    try:
        client = app.test_client()
        response = client.post("/api/tickets", json={"service": "A"})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["ticket"] == "A-001"
        assert db_file.exists()
    finally:
        app.extensions["loket.hub"].db.dispose()


def test_without_storage_the_database_is_beside_the_config(tmp_path: Path) -> None:
    from loket.server.app import database_url

    path = tmp_path / "hall" / "loket.toml"
    path.parent.mkdir()
    path.write_text(SMALLEST.split("[storage]")[0], encoding="utf-8")
    config = load_config(path)
    assert database_url(config) == f"sqlite:///{path.parent.resolve() / 'loket.db'}"


def test_audio_can_be_turned_off(write_config) -> None:
    config = load_config(write_config(SMALLEST.split("[storage]")[0], "[audio]\nenabled = false"))
    assert config.audio.enabled is False


def test_init_sample_is_valid_realistic_mpp(tmp_path: Path) -> None:
    text = sample_toml()
    path = tmp_path / "loket.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert len(config.counters) >= 12
    assert len({c.zone for c in config.counters}) >= 2
    agencies = {a.name for a in config.agencies}
    for agency in ("Dukcapil", "Imigrasi", "BPJS Kesehatan", "Samsat", "DPMPTSP"):
        assert agency in agencies
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > 20, "the sample is commented"
    # KBBI spelling in the sample
    assert not re.search(r"antrian|silahkan", text, re.IGNORECASE)
    tomllib.loads(text)


def test_demo_hall_needs_no_file(tmp_path: Path) -> None:
    config = demo_config(tmp_path / "var")
    assert config.base_dir == (tmp_path / "var").resolve()
    assert len(config.counters) >= 12

    from loket.server.app import create_app

    app = create_app(config, async_mode="threading", testing=True)
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        response = client.post("/api/tickets", json={"service": config.services[0].prefix})
        assert response.status_code == 201
        assert (tmp_path / "var" / "loket.db").exists()
    finally:
        app.extensions["loket.hub"].db.dispose()


def test_config_is_immutable(write_config) -> None:
    config = load_config(write_config())
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="frozen"):
        config.hall.name = "changed"  # type: ignore[misc]


def test_cross_table_checks_name_the_index(write_config) -> None:
    extra = textwrap.dedent(
        """
        [[counters]]
        id = "9"
        name = "Loket 9"
        services = ["A", "Q"]
        """
    )
    error = _refused(write_config(SMALL_HALL + extra))
    assert error.key == "counters[3].services[1]"

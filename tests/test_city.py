"""The city link: a hall forwards its tickets and survey scores to the city's database through
an outbox filled by triggers; catching up after an outage gives exactly the hall's rows; the
city-wide view shows waiting per hall and agency and IKM per hall."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import OperationalError

from loket.server.app import create_app
from loket.server.auth import create_token
from loket.server.city.app import create_city_app
from loket.server.city.forward import CityLinkError, CityUnreachable, Forwarder
from loket.server.city.models import CityHall, CityOutbox, CityTicket
from loket.server.config import ConfigError, load_city_config, load_config
from loket.server.db import Database
from loket.server.ikm import ikm_from_responses
from loket.server.models import Ticket
from loket.server.supervisor.survey import record_response
from tests.support.hall import ROOT, SMALL_HALL
from tests.support.login import login
from tests.support.services import TcpProxy, pg_server, pg_url  # noqa: F401  (fixtures)
from tests.support.wait import wait_until

SECOND_HALL = """
[hall]
name = "MPP Timur"

[[services]]
prefix = "P"
name = "SIM"
agency = "Satlantas"

[[services]]
prefix = "A"
name = "KTP-el"
agency = "Dukcapil"

[[counters]]
id = "1"
name = "Loket 1"
services = ["P", "A"]
"""
SCORES = [[4, 4, 3, 4, 4, 3, 4, 4, 4], [3, 3, 3, 3, 4, 4, 4, 2, 3], [4, 4, 4, 4, 4, 4, 4, 4, 4]]


def hall(tmp_path: Path, name: str, central_url: str, text_: str = SMALL_HALL,
         hall_id: str = "", storage: str = "") -> Any:
    """A hall's hub (its own SQLite file unless ``storage``), configured to forward."""
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "loket.toml"
    extra = f'\n[city]\nurl = "{central_url}"\n'
    if hall_id:
        extra += f'hall_id = "{hall_id}"\n'
    if storage:
        extra += f'\n[storage]\nurl = "{storage}"\n'
    path.write_text(text_ + extra, encoding="utf-8")
    app = create_app(load_config(path), async_mode="threading", testing=True)
    return app.extensions["loket.hub"]


def forwarder(hub: Any, central: Database) -> Forwarder:
    return Forwarder(hub.config, hub.db, central)


def serve_some(hub: Any) -> list[str]:
    """Issue five tickets, serve two to the end with survey answers, call a third."""
    tokens = [hub.issue_ticket(svc)["status_token"] for svc in ("A", "A", "B", "C", "A")]
    hub.counter_action("1", "next")
    hub.counter_action("1", "done")
    hub.counter_action("5", "next")
    hub.counter_action("5", "done")
    hub.counter_action("1", "next")
    record_response(hub, tokens[0], SCORES[0])  # A-001, served at Loket 1
    record_response(hub, tokens[3], SCORES[1])  # C-001, served at Loket 5
    return tokens


def hall_rows(hub: Any) -> set[tuple[Any, ...]]:
    with hub.db.read() as s:
        tickets = s.scalars(select(Ticket))
        return {(t.id, t.label, t.status, t.service, t.called_ts) for t in tickets}


def city_rows(central: Database, hall_id: str) -> set[tuple[Any, ...]]:
    with central.read() as s:
        rows = s.execute(text(
            "SELECT source_id, label, status, service, called_ts FROM city_tickets "
            "WHERE hall_id = :hall"), {"hall": hall_id}).all()
    return {tuple(r) for r in rows}


@pytest.fixture
def central(tmp_path: Path) -> Any:
    db = Database(f"sqlite:///{tmp_path / 'city.db'}")
    db.upgrade()
    yield db
    db.dispose()


# --------------------------------------------------------------------------- forwarding
def test_a_hall_that_does_not_forward_keeps_no_backlog(tmp_path: Path, central: Database) -> None:
    hub = hall(tmp_path, "quiet", "sqlite:///unused.db")
    serve_some(hub)
    with hub.db.read() as s:
        assert s.scalar(select(CityOutbox.seq).limit(1)) is None


def test_history_and_changes_reach_the_city_without_personal_data(
    tmp_path: Path, central: Database
) -> None:
    hub = hall(tmp_path, "barat", "sqlite:///unused.db", hall_id="mpp-barat")
    serve_some(hub)  # before forwarding is switched on: the history is sent too
    fwd = forwarder(hub, central)
    assert fwd.enable() is True
    assert fwd.enable() is False
    assert fwd.drain() > 0
    assert fwd.backlog() == 0
    assert city_rows(central, "mpp-barat") == hall_rows(hub)

    hub.issue_ticket("B")
    hub.counter_action("2", "next")
    assert fwd.backlog() == 2  # the new ticket, and the call of the older B-001
    fwd.drain()
    assert city_rows(central, "mpp-barat") == hall_rows(hub)
    with central.read() as s:
        columns = {c["name"] for c in s.execute(text(
            "SELECT name FROM pragma_table_info('city_tickets')")).mappings()}
        survey = s.execute(text("SELECT * FROM city_survey")).mappings().all()
        hall_row = s.get(CityHall, "mpp-barat")
    assert not columns & {"officer", "status_token_hash", "kiosk"}
    assert len(survey) == 2 and "comment" not in survey[0]
    assert hall_row is not None and hall_row.name == "MPP Uji"
    status = json.loads(hall_row.status)
    assert status["counters"] == 3 and status["counters_serving"] == 2 and status["backlog"] == 0
    agencies = {svc["prefix"]: svc["agency"] for svc in json.loads(hall_row.services)}
    assert agencies == {"A": "Dukcapil", "B": "Dukcapil", "C": "Imigrasi"}


def test_resending_changes_nothing_and_an_older_copy_never_wins(
    tmp_path: Path, central: Database
) -> None:
    hub = hall(tmp_path, "ulang", "sqlite:///unused.db", hall_id="ulang")
    hub.issue_ticket("A")
    fwd = forwarder(hub, central)
    fwd.enable()
    old = fwd.pending()
    fwd.send(old)  # the city commits, then the hall "crashes" before forgetting the entries
    hub.counter_action("1", "next")
    new = fwd.pending()
    assert set(new.seqs) > set(old.seqs)
    fwd.send(new)
    fwd.send(old)  # a late, older copy of the same ticket
    fwd.acknowledge(new)
    assert fwd.backlog() == 0
    rows = city_rows(central, "ulang")
    assert len(rows) == 1 and next(iter(rows))[2] == "called"
    assert rows == hall_rows(hub)


def test_two_halls_with_one_id_are_refused(tmp_path: Path, central: Database) -> None:
    first = hall(tmp_path, "satu", "sqlite:///unused.db", hall_id="sama")
    second = hall(tmp_path, "dua", "sqlite:///unused.db", hall_id="sama")
    forwarder(first, central).drain()
    with pytest.raises(CityLinkError, match="hall_id"):
        forwarder(second, central).drain()


def test_hall_id_defaults_to_the_halls_name(tmp_path: Path) -> None:
    hub = hall(tmp_path, "nama", "sqlite:///unused.db")
    assert hub.config.city_hall_id == "mpp-uji"


# --------------------------------------------------------------------------- outage
@pytest.mark.services
def test_catching_up_after_an_outage_on_postgresql(
    tmp_path: Path, pg_server: Any, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    """Hall and city both on PostgreSQL (triggers in plpgsql); the city behind a link that is
    cut for a while: the hall keeps working, the forwarder logs the outage once, and after the
    link is back the city holds exactly the hall's rows."""
    proxy = TcpProxy(pg_server.port).start()
    city_db = pg_server.create_database("city")
    central = Database(pg_server.url(city_db, port=proxy.port), connect_timeout_s=2, pool_size=1)
    direct = Database(pg_server.url(city_db))  # the test's own view of the city, not via the link
    hub = hall(tmp_path, "pg", pg_server.url(city_db, port=proxy.port), hall_id="mpp-pg",
               storage=pg_server.url(pg_server.create_database("hall")))
    fwd = Forwarder(hub.config, hub.db, central)
    fwd.config.city.__dict__["interval_s"] = 0.2  # frozen model: faster rounds for the test
    serve_some(hub)
    fwd.enable()
    fwd.drain()
    assert city_rows(direct, "mpp-pg") == hall_rows(hub)

    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="loket.server.city.forward")
    runner = threading.Thread(target=fwd.run_forever, args=(stop,), daemon=True)
    proxy.cut()
    runner.start()
    for _ in range(30):  # the hall goes on while the city is unreachable
        hub.issue_ticket("C")
    for _ in range(5):
        hub.counter_action("5", "next")
    hub.counter_action("5", "done")
    time.sleep(1.5)  # several failed rounds
    assert fwd.backlog() >= 36
    assert city_rows(direct, "mpp-pg") != hall_rows(hub)
    proxy.restore()
    wait_until(lambda: not fwd.backlog() and city_rows(direct, "mpp-pg") == hall_rows(hub),
               30, step=0.2)
    stop.set()
    runner.join(10)
    assert city_rows(direct, "mpp-pg") == hall_rows(hub)
    with direct.read() as s:
        assert s.scalar(text("SELECT count(*) FROM city_tickets")) == len(hall_rows(hub))
    warnings = [r for r in caplog.records if "cannot reach the city" in r.getMessage()]
    recovered = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(warnings) == 1 and len(recovered) == 1
    assert fwd.link_state()["last_error"]
    for db in (central, direct, hub.db):
        db.dispose()
    proxy.cut()


def test_a_down_city_is_an_error_that_loses_nothing(tmp_path: Path) -> None:
    hub = hall(tmp_path, "putus", "postgresql+psycopg://loket@127.0.0.1:9/none")
    central = Database(hub.config.city.url, connect_timeout_s=1, pool_size=1)
    hub.issue_ticket("A")
    fwd = forwarder(hub, central)
    fwd.enable()
    with pytest.raises(CityUnreachable) as err:
        fwd.run_once()
    assert isinstance(err.value.__cause__, OperationalError)
    assert "127.0.0.1" in err.value.reason
    assert fwd.backlog() == 1


# --------------------------------------------------------------------------- the view
def city_config(tmp_path: Path, url: str, extra: str = "") -> Any:
    path = tmp_path / "city.toml"
    path.write_text(f'[city]\nname = "Kota Contoh"\n{extra}\n[storage]\nurl = "{url}"\n')
    return load_city_config(path)


def test_city_view_shows_each_hall_and_agency(tmp_path: Path, central: Database) -> None:
    west = hall(tmp_path, "w", "sqlite:///unused.db", hall_id="barat")
    east = hall(tmp_path, "e", "sqlite:///unused.db", text_=SECOND_HALL, hall_id="timur")
    serve_some(west)
    for svc in ("P", "P", "A"):
        east.issue_ticket(svc)
    east.counter_action("1", "next")
    for hub in (west, east):
        forwarder(hub, central).drain()
    # A hall that has been silent for long is shown offline, its figures as of then: its
    # tickets were forwarded before it fell silent, so they belong to that moment's day (in
    # the first hour after midnight, yesterday's).
    silent_since = time.time() - 3600
    silent_day = datetime.fromtimestamp(silent_since, ZoneInfo("Asia/Jakarta")).date()
    with central.session() as s:
        s.execute(update(CityHall).where(CityHall.hall_id == "timur")
                  .values(last_seen_ts=silent_since))
        s.execute(update(CityTicket).where(CityTicket.hall_id == "timur")
                  .values(day=silent_day.isoformat()))
    app = create_city_app(city_config(tmp_path, str(central.url)), testing=True, db=central)
    client = app.test_client()
    assert client.get("/").status_code == 302  # login first
    login(client, SimpleNamespace(db=central))
    page = client.get("/").get_data(as_text=True)
    assert "MPP Uji" in page and "MPP Timur" in page
    assert "Terputus sejak" in page
    assert "Pantauan antrean se-kota" in page
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "City-wide queue view" in english

    token = create_token(central, "walikota", "supervisor")
    data = client.get("/api/city", headers={"Authorization": f"Bearer {token}"}).get_json()
    halls = {h["hall_id"]: h for h in data["halls"]}
    assert halls["timur"]["offline"] is True and halls["barat"]["offline"] is False
    west_agencies = {a["agency"]: a for a in halls["barat"]["agencies"]}
    # serve_some: A,A,B,C,A issued; two served (A by 1, C by 5), one A called; B and A wait.
    assert west_agencies["Dukcapil"]["waiting"] == 2
    assert west_agencies["Dukcapil"]["serving"] == 1
    assert west_agencies["Dukcapil"]["served"] == 1
    assert west_agencies["Imigrasi"]["served"] == 1
    expected = ikm_from_responses(SCORES[:2]).as_dict("id")
    assert halls["barat"]["ikm"]["ikm"] == expected["ikm"]
    assert halls["barat"]["ikm"]["respondents"] == 2
    assert halls["timur"]["ikm"]["ikm"] is None
    city_agencies = {a["agency"]: a for a in data["agencies"]}
    assert city_agencies["Dukcapil"]["halls"] == 2
    assert city_agencies["Dukcapil"]["waiting"] == 3  # 2 in the west, 1 in the east
    assert city_agencies["Satlantas"]["waiting"] == 1 and city_agencies["Satlantas"]["serving"] == 1
    assert data["totals"] == {"halls": 2, "halls_offline": 1, "waiting": 4, "serving": 2,
                              "served": 2}

    bad = client.get("/api/city?from=kemarin", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_request"
    assert client.get("/api/city").status_code == 200  # the logged-in supervisor
    assert client.get("/?partial=1").get_data(as_text=True).lstrip().startswith("<p")
    nobody = app.test_client().get("/api/city")
    assert nobody.status_code == 401


def test_city_view_escapes_what_halls_send(tmp_path: Path, central: Database) -> None:
    evil = SMALL_HALL.replace('name = "MPP Uji"', 'name = "<script>alert(1)</script>"')
    hub = hall(tmp_path, "x", "sqlite:///unused.db", text_=evil, hall_id="x")
    forwarder(hub, central).drain()
    app = create_city_app(city_config(tmp_path, str(central.url)), testing=True, db=central)
    client = app.test_client()
    login(client, SimpleNamespace(db=central), role="admin")
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_city_config_errors_name_the_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / "city.toml"
    path.write_text('[city]\nname = "Kota"\n[storage]\n')
    with pytest.raises(ConfigError) as err:
        load_city_config(path)
    assert err.value.key == "storage.url" and str(path) in str(err.value)
    path.write_text('[city]\nname = "Kota"\ntimezone = "Mars/Olympus"\n[storage]\nurl = "x"\n')
    with pytest.raises(ConfigError, match=r"city\.timezone"):
        load_city_config(path)


# --------------------------------------------------------------------------- commands
def run_loket(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loket", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_forward_and_status_commands(tmp_path: Path) -> None:
    central = tmp_path / "city.db"
    hall_toml = tmp_path / "loket.toml"
    hall_toml.write_text(SMALL_HALL + f'\n[city]\nurl = "sqlite:///{central}"\n'
                         'hall_id = "mpp-cli"\n')
    hub = create_app(load_config(hall_toml), async_mode="threading", testing=True)
    hub.extensions["loket.hub"].issue_ticket("A")
    hub.extensions["loket.hub"].db.dispose()

    sent = run_loket("city", "forward", "--once", "--config", str(hall_toml))
    assert sent.returncode == 0, sent.stderr
    assert "1 changes sent to the city as hall 'mpp-cli'" in sent.stdout
    state = run_loket("city", "status", "--json", "--config", str(hall_toml))
    assert json.loads(state.stdout)["forwarding"] is True
    assert json.loads(state.stdout)["backlog"] == 0
    engine = create_engine(f"sqlite:///{central}")
    with engine.connect() as db:
        assert db.execute(text("SELECT label FROM city_tickets")).scalars().all() == ["A-001"]
    engine.dispose()

    stopped = run_loket("city", "forward", "--stop", "--config", str(hall_toml))
    assert "forwarding stopped" in stopped.stdout

    plain = tmp_path / "plain.toml"
    plain.write_text(SMALL_HALL)
    refused = run_loket("city", "forward", "--once", "--config", str(plain))
    assert refused.returncode != 0
    assert f"{plain.resolve()}: city.url: is not set" in refused.stderr

    down = tmp_path / "down.toml"
    down.write_text(SMALL_HALL + '\n[city]\nurl = "postgresql+psycopg://x@127.0.0.1:9/x"\n'
                    'connect_timeout_s = 1\n')
    failed = run_loket("city", "forward", "--once", "--config", str(down))
    assert failed.returncode == 1 and "cannot reach the city's database" in failed.stderr


def test_city_serve_command_answers(tmp_path: Path) -> None:
    from tests.support.hall import free_port

    city_toml = tmp_path / "city.toml"
    city_toml.write_text(f'[city]\nname = "Kota Uji"\n[storage]\nurl = "sqlite:///'
                         f'{tmp_path / "c.db"}"\n')
    added = run_loket("city", "user", "add", "walikota", "--role", "supervisor",
                      "--password-stdin", "--config", str(city_toml),
                      stdin="kata-sandi-kota-1\n")
    assert added.returncode == 0, added.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "loket", "city", "serve", "--config", str(city_toml),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import requests

        deadline = time.monotonic() + 20
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "database": "ok"}
        login_page = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert login_page.url.endswith("/login?next=/") and "Masuk" in login_page.text
        assert "default-src 'self'" in login_page.headers["Content-Security-Policy"]
    finally:
        process.terminate()
        process.wait(10)


def test_hall_supervisor_is_told_when_the_city_gets_nothing(
    tmp_path: Path, central: Database
) -> None:
    from loket.server.supervisor import dashboard

    quiet = hall(tmp_path, "tanpa-kota", "sqlite:///unused.db")
    assert dashboard.build(quiet)["city"]["late"] is True  # configured, forwarder never ran
    plain_path = tmp_path / "plain.toml"
    plain_path.write_text(SMALL_HALL)
    plain = create_app(load_config(plain_path), async_mode="threading", testing=True)
    assert dashboard.build(plain.extensions["loket.hub"])["city"] is None

    hub = hall(tmp_path, "kota", "sqlite:///unused.db", hall_id="kota")
    fwd = forwarder(hub, central)
    hub.issue_ticket("A")
    fwd.drain()
    board = dashboard.build(hub)
    assert board["city"] == {"forwarding": True, "backlog": 0, "last_ok": board["city"]["last_ok"],
                             "late": False}
    assert not [a for a in board["alerts"] if a["kind"] == "city"]
    hub.issue_ticket("A")
    hub.clock = lambda: time.time() + 11 * 60  # eleven minutes without a round
    board = dashboard.build(hub)
    assert board["city"]["late"] is True and board["city"]["backlog"] == 1
    assert [a["kind"] for a in board["alerts"]].count("city") == 1


def test_a_no_show_survey_leaves_the_city_ikm(tmp_path: Path, central: Database) -> None:
    """Issue 12: a ticket rated while being served and then skipped counts in no IKM, also in
    the city's copy (sent before it became a no-show)."""
    from loket.server.city.models import CitySurvey

    hub = hall(tmp_path, "utara", "sqlite:///unused.db", hall_id="mpp-utara")
    token = hub.issue_ticket("A")["status_token"]
    hub.counter_action("1", "next")
    hub.counter_action("1", "start")
    record_response(hub, token, SCORES[2])
    fwd = forwarder(hub, central)
    fwd.enable()
    fwd.drain()
    with central.read() as s:
        assert s.scalar(select(func.count()).select_from(CitySurvey)) == 1
    hub.counter_action("1", "skip")
    fwd.drain()
    with central.read() as s:
        assert s.scalar(select(func.count()).select_from(CitySurvey)) == 0

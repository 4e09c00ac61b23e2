"""Issue 12, kiosk items: paired kiosks serve a real queue (and alert when a stuck one trips its
limit), anonymous clients cannot claim priority or a kiosk id, only the kiosk itself prints,
status addresses never come from the Host header, kiosk and printer health on the supervisor
dashboard, and agencies with nothing to take are reported as such."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from loket.server.app import create_app
from loket.server.commands import cli
from loket.server.config import load_config
from loket.server.kiosk import devices
from loket.server.kiosk.models import Kiosk
from loket.server.kiosk.qr import qr_svg
from loket.server.models import Ticket
from loket.server.supervisor import dashboard
from tests.support.hall import SMALL_HALL
from tests.support.kiosk import csrf_from, pair, pair_code

HALL = SMALL_HALL + """
[[services]]
prefix = "D"
name = "Legalisir"
agency = "Samsat"
quota = 1

[[counters]]
id = "7"
name = "Loket 7"
services = ["D"]

[kiosk]
public_url = "http://10.1.2.3:5000"

[[kiosks]]
id = "pintu"
name = "Pintu utama"
printer = "dummy://"

[[kiosks]]
id = "samsat"
"""


@pytest.fixture
def make_app(write_config: Callable[..., Path]) -> Iterator[Callable[..., Any]]:
    apps: list[Any] = []

    def make(base: str = HALL) -> Any:
        app = create_app(load_config(write_config(base)), async_mode="threading", testing=True)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["loket.hub"].db.dispose()


def _kiosk_alerts(hub: Any) -> list[dict[str, Any]]:
    return [a for a in dashboard.build(hub)["alerts"] if "kiosk" in a]


def _take(client: Any, **body: Any) -> Any:
    return client.post("/api/tickets?lang=id", json={"service": "A", **body})


# ------------------------------------------------------------------ item 1: limits and trust
def test_paired_kiosk_serves_a_morning_queue_the_default_limit_refused(
    make_app: Callable[..., Any]
) -> None:
    """The default ``[kiosk] rate_limit`` refused the 7th citizen in 40 s; a paired kiosk takes a
    burst of ten at once, and only a runaway device is stopped, with an alert."""
    app = make_app(SMALL_HALL + '\n[[kiosks]]\nid = "pintu"\n')  # every [kiosk] default
    hub = app.extensions["loket.hub"]
    kiosk = app.test_client()
    pair(app, kiosk, "pintu")
    for _ in range(10):
        response = _take(kiosk, kiosk="pintu")
        assert response.status_code == 201, response.get_json()
    assert not _kiosk_alerts(hub)
    stuck = _take(kiosk)
    assert stuck.status_code == 429
    alerts = [a for a in dashboard.build(hub)["alerts"] if a["kind"] == "kiosk_limited"]
    assert alerts and alerts[0]["kiosk"] == "pintu"
    assert "pintu" in alerts[0]["text"]["id"] and "batas" in alerts[0]["text"]["id"]
    assert "limit" in alerts[0]["text"]["en"]
    with hub.db.read() as s:
        kiosks = set(s.scalars(select(Ticket.kiosk)))
    assert kiosks == {"pintu"}


def test_an_unknown_address_keeps_the_strict_limit_and_an_unpaired_kiosk_is_reported(
    make_app: Callable[..., Any]
) -> None:
    app = make_app(SMALL_HALL + '\n[[kiosks]]\nid = "pintu"\n')
    hub = app.extensions["loket.hub"]
    anonymous = app.test_client()
    for _ in range(6):
        assert _take(anonymous, kiosk="pintu").status_code == 201
    assert _take(anonymous, kiosk="pintu").status_code == 429
    alert = next(a for a in dashboard.build(hub)["alerts"] if a["kind"] == "kiosk_unpaired")
    assert alert["kiosk"] == "pintu" and "loket kiosk pair pintu" in alert["text"]["id"]
    pair(app, app.test_client(), "pintu")  # once paired, the alert goes
    assert not [a for a in dashboard.build(hub)["alerts"] if a["kind"] == "kiosk_unpaired"]


def test_anonymous_clients_cannot_claim_priority_or_a_kiosk(make_app: Callable[..., Any]
                                                            ) -> None:
    app = make_app()
    hub = app.extensions["loket.hub"]
    anonymous = app.test_client()
    refused = _take(anonymous, priority=True)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "priority_forbidden"
    assert "petugas" in refused.get_json()["message"]
    ok = _take(anonymous, kiosk="pintu")  # the id is ignored, not trusted
    assert ok.status_code == 201 and ok.get_json()["priority"] is False
    with hub.db.read() as s:
        assert s.scalars(select(Ticket.kiosk)).all() == [None]
    # The kiosk itself may; it cannot speak for another kiosk.
    kiosk = app.test_client()
    pair(app, kiosk, "pintu")
    assert _take(kiosk, priority=True).get_json()["priority"] is True
    mismatch = _take(kiosk, kiosk="samsat")
    assert mismatch.status_code == 403 and mismatch.get_json()["error"] == "kiosk_mismatch"
    # A forged cookie is nobody.
    forged = app.test_client()
    forged.set_cookie(devices.COOKIE, "pintu.not-the-secret")
    assert _take(forged, priority=True).status_code == 403


def test_pairing_with_a_one_time_code_and_unpairing_from_the_cli(
    make_app: Callable[..., Any], write_config: Callable[..., Path]
) -> None:
    path = write_config(HALL)
    runner = CliRunner()
    added = runner.invoke(cli, ["kiosk", "add", "lantai-2", "--name", "Lantai 2",
                                "--agencies", "Samsat", "--config", str(path)])
    assert added.exit_code == 0, added.output
    assert runner.invoke(cli, ["kiosk", "add", "pintu", "--config", str(path)]).exit_code == 1
    paired = runner.invoke(cli, ["kiosk", "pair", "lantai-2", "--config", str(path)])
    assert paired.exit_code == 0, paired.output
    assert "http://10.1.2.3:5000/kiosk/pair?code=" in paired.output  # public_url, no Host
    code = paired.output.split("code=")[1].split()[0]
    app = create_app(load_config(path), async_mode="threading", testing=True)
    try:
        browser = app.test_client()
        page = browser.get(f"/kiosk/pair?code={code}")
        assert page.status_code == 200 and code.encode() in page.data
        done = browser.post("/kiosk/pair", data={"code": code, "csrf_token": csrf_from(page.data)})
        assert done.status_code == 302 and "/kiosk?id=lantai-2" in done.headers["Location"]
        cookie = done.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "lantai-2." in cookie
        assert b"lantai-2" in browser.get("/kiosk").data  # the page knows its kiosk
        services = browser.get("/api/services").get_json()
        assert [a["id"] for a in services["agencies"]] == ["samsat"]  # its own agencies
        assert _take(browser, service="D", priority=True).get_json()["priority"] is True
        # The code works once; a wrong one is refused without pairing anything.
        again = app.test_client()
        page = again.get("/kiosk/pair")
        refused = again.post("/kiosk/pair", data={"code": code,
                                                   "csrf_token": csrf_from(page.data)})
        assert refused.status_code == 400 and devices.COOKIE not in refused.headers.get(
            "Set-Cookie", "")
        listed = runner.invoke(cli, ["kiosk", "list", "--config", str(path)])
        assert "lantai-2\tLantai 2" in listed.output and "paired" in listed.output
        assert runner.invoke(cli, ["kiosk", "unpair", "lantai-2", "--config",
                                   str(path)]).exit_code == 0
        assert _take(browser, service="D", priority=True).status_code == 403
    finally:
        app.extensions["loket.hub"].db.dispose()


def test_an_admin_pairs_the_browser_in_front_of_them(make_app: Callable[..., Any]) -> None:
    from tests.support.login import login

    app = make_app()
    browser = app.test_client()
    login(browser, app.extensions["loket.hub"], "admin1", "admin")
    page = browser.get("/kiosk/pair")
    assert b'id="pair-admin-form"' in page.data and b"Pintu utama" in page.data
    done = browser.post("/kiosk/pair", data={"kiosk": "pintu",
                                             "csrf_token": csrf_from(page.data)})
    assert done.status_code == 302
    assert _take(browser, priority=True).status_code == 201
    # The kiosk is no longer signed in as the admin.
    assert browser.get("/api/kiosks").status_code == 401
    # Without a CSRF token nothing is paired.
    other = app.test_client()
    assert other.post("/kiosk/pair", data={"kiosk": "pintu"}).status_code == 400


# ------------------------------------------------------------------ item 2: printing, addresses
def test_only_the_kiosk_itself_prints_and_links_never_follow_the_host_header(
    make_app: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loket.server.kiosk.printing import DUMMY_DIR_ENV

    monkeypatch.setenv(DUMMY_DIR_ENV, str(tmp_path))
    app = make_app()
    kiosk = app.test_client()
    cookie = pair(app, kiosk, "pintu")
    token = _take(kiosk, kiosk="pintu").get_json()["status_token"]
    anonymous = app.test_client()
    refused = anonymous.post(f"/api/kiosks/pintu/print/{token}?lang=id",
                             headers={"Host": "evil.example"})
    assert refused.status_code == 401 and refused.get_json()["error"] == "kiosk_not_paired"
    other = app.test_client()
    pair(app, other, "samsat")
    assert other.post(f"/api/kiosks/pintu/print/{token}").status_code == 403
    assert not (tmp_path / "pintu.bin").exists()
    printed = app.test_client(use_cookies=False).post(f"/api/kiosks/pintu/print/{token}", headers={
        "Host": "evil.example", "Cookie": f"{devices.COOKIE}={cookie}"})
    assert printed.get_json()["printed"] is True
    data = (tmp_path / "pintu.bin").read_bytes()
    assert f"http://10.1.2.3:5000/t/{token}".encode() in data and b"evil" not in data
    # The QR on screen is the configured address, whatever Host the request names.
    qr = anonymous.get(f"/t/{token}/qr.svg", headers={"Host": "evil.example"})
    assert qr.data == qr_svg(f"http://10.1.2.3:5000/t/{token}")


def test_without_public_url_the_address_is_the_paired_one_not_the_host_header(
    make_app: Callable[..., Any]
) -> None:
    app = make_app(HALL.replace('public_url = "http://10.1.2.3:5000"', ""))
    hub = app.extensions["loket.hub"]
    anonymous = app.test_client()
    token = _take(anonymous).get_json()["status_token"]
    # Nothing configured or paired: this machine's own address, never the Host header.
    qr = anonymous.get(f"/t/{token}/qr.svg", headers={"Host": "evil.example"})
    own = f"http://{devices.lan_address()}:{hub.config.server.port}"
    assert qr.data == qr_svg(f"{own}/t/{token}")
    # `loket kiosk pair --url` sets the address the admin wants.
    code = pair_code(app, "pintu", "http://192.168.7.7:5000")
    assert devices.redeem_code(hub.db, code, hub.clock(), "http://evil.example/")
    qr = anonymous.get(f"/t/{token}/qr.svg", headers={"Host": "evil.example"})
    assert qr.data == qr_svg(f"http://192.168.7.7:5000/t/{token}")


# ------------------------------------------------------------------ item 3: health alerts
def test_printer_and_kiosk_health_are_dashboard_alerts(make_app: Callable[..., Any]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connection refused
    app = make_app(HALL.replace('printer = "dummy://"', f'printer = "network://127.0.0.1:{port}"'))
    hub = app.extensions["loket.hub"]
    kiosk = app.test_client()
    pair(app, kiosk, "pintu")
    assert not _kiosk_alerts(hub)
    token = _take(kiosk).get_json()["status_token"]
    result = kiosk.post(f"/api/kiosks/pintu/print/{token}").get_json()
    assert result["status"] == "offline"
    printer = next(a for a in dashboard.build(hub)["alerts"] if a["kind"] == "printer")
    assert printer["kiosk"] == "pintu" and printer["status"] == "offline"
    assert printer["text"]["id"].startswith("Printer anjungan Pintu utama: tidak tersambung")
    assert printer["text"]["en"].startswith("Kiosk Pintu utama printer: not connected")
    # A kiosk not heard from for [kiosk] offline_alert_min minutes while the hall is open.
    with hub.db.session() as s:
        s.get(Kiosk, "pintu").last_seen_ts = hub.clock() - 6 * 60
    offline = next(a for a in dashboard.build(hub)["alerts"] if a["kind"] == "kiosk_offline")
    assert offline["kiosk"] == "pintu" and "6 menit" in offline["text"]["id"]
    kiosk.get("/api/services")  # the kiosk's page polls: it is back
    assert not [a for a in dashboard.build(hub)["alerts"] if a["kind"] == "kiosk_offline"]


# ------------------------------------------------------------------ should fix: agencies
def test_an_agency_with_nothing_to_take_is_reported_unavailable(make_app: Callable[..., Any]
                                                                ) -> None:
    app = make_app(HALL.replace('[[kiosks]]\nid = "samsat"\n', ""))
    client = app.test_client()
    before = {a["id"]: a for a in client.get("/api/services").get_json()["agencies"]}
    assert before["samsat"]["available"] is True and before["samsat"]["reason"] is None
    assert _take(client, service="D").status_code == 201  # quota 1: now full
    after = {a["id"]: a for a in client.get("/api/services?lang=id").get_json()["agencies"]}
    samsat = after["samsat"]
    assert samsat["available"] is False and samsat["available_services"] == 0
    assert samsat["reason"] == "quota_full" and "Kuota" in samsat["reason_text"]
    assert after["dukcapil"]["available"] is True

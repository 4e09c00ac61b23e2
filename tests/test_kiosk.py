"""The kiosk's endpoints: the service list (closed, quota full, paused, agency filters), printing
(dummy bytes, a printer that is unplugged or out of paper: the ticket is issued all the same)
and the per-kiosk rate limit."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from loket.server.app import create_app
from loket.server.auth import create_token
from loket.server.config import load_config
from loket.server.kiosk.printing import DUMMY_DIR_ENV
from tests.support.hall import SMALL_HALL
from tests.support.kiosk import cli_pair_code, pair, pair_session
from tests.support.wait import wait_until


def _day_name(offset: int) -> str:
    day = datetime.now(ZoneInfo("Asia/Jakarta")) + timedelta(days=offset)
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]


KIOSK_HALL = SMALL_HALL + f"""
[[services]]
prefix = "D"
name = "Legalisir"
agency = "Dukcapil"
quota = 2

[[services]]
prefix = "E"
name = "Pajak Kendaraan"
agency = "Samsat"
opening_hours = ["{_day_name(2)} 09:00-10:00"]

[[counters]]
id = "7"
name = "Loket 7"
services = ["D", "E"]

[kiosk]
rate_limit = "100 per minute"

[[kiosks]]
id = "pintu"
printer = "dummy://"
paper_width_mm = 58

[[kiosks]]
id = "samsat"
agencies = ["samsat"]
"""


@pytest.fixture
def make_app(write_config: Callable[..., Path]) -> Iterator[Callable[..., Any]]:
    apps: list[Any] = []

    def make(extra: str = "", base: str = KIOSK_HALL) -> Any:
        app = create_app(load_config(write_config(base, extra)), async_mode="threading",
                         testing=True)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["loket.hub"].db.dispose()


def _services(client: Any, query: str = "") -> dict[str, dict[str, Any]]:
    data = client.get(f"/api/services{query}").get_json()
    return {s["prefix"]: s for a in data["agencies"] for s in a["services"]}


def test_service_list_shows_waiting_and_estimate(make_app: Callable[..., Any]) -> None:
    app = make_app()
    client = app.test_client()
    pair(app, client, "pintu")  # only a paired kiosk may issue priority numbers
    for _ in range(3):
        assert client.post("/api/tickets", json={"service": "A"}).status_code == 201
    client.post("/api/tickets", json={"service": "A", "priority": True})
    services = _services(client)
    a = services["A"]
    assert a["available"] and a["reason"] is None
    assert a["waiting"] == 4 and a["waiting_priority"] == 1
    assert a["estimate"]["text"].startswith("±")
    # priority "first": a new priority ticket has only the one priority ticket ahead
    assert a["estimate_priority"]["seconds"] <= a["estimate"]["seconds"]
    english = _services(client, "?lang=en")["A"]
    assert "min" in english["estimate"]["text"]


def test_closed_service_is_shown_with_next_opening_and_refused(make_app: Callable[..., Any]
                                                               ) -> None:
    client = make_app().test_client()
    e = _services(client)["E"]
    assert not e["available"] and e["reason"] == "closed"
    assert "pukul 09.00" in e["reason_text"] and e["reason_text"].startswith("Tutup")
    assert e["next_opening"] is not None
    refused = client.post("/api/tickets", json={"service": "E"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "closed"
    assert "09.00" in refused.get_json()["message"]


def test_quota_full_is_shown_and_refused(make_app: Callable[..., Any]) -> None:
    client = make_app().test_client()
    assert _services(client)["D"]["remaining"] == 2
    for _ in range(2):
        assert client.post("/api/tickets", json={"service": "D"}).status_code == 201
    d = _services(client)["D"]
    assert not d["available"] and d["reason"] == "quota_full" and d["remaining"] == 0
    assert "Kuota hari ini habis" in d["reason_text"] and "besok" in d["reason_text"]
    refused = client.post("/api/tickets", json={"service": "D"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "quota_full"


def test_paused_service_is_shown_as_paused(make_app: Callable[..., Any]) -> None:
    app = make_app()
    app.extensions["loket.hub"].set_setting("paused_services", ["B"], actor="test")
    b = _services(app.test_client())["B"]
    assert not b["available"] and b["reason"] == "paused"
    assert "dihentikan sementara" in b["reason_text"]


def test_agency_filters(make_app: Callable[..., Any]) -> None:
    client = make_app().test_client()
    assert set(_services(client, "?agency=dukcapil")) == {"A", "B", "D"}
    assert set(_services(client, "?agency=imigrasi,samsat")) == {"C", "E"}
    assert set(_services(client, "?id=samsat")) == {"E"}
    assert set(_services(client, "?id=samsat&agency=dukcapil")) == set()
    page = client.get("/kiosk?agency=dukcapil&id=pintu")
    assert page.status_code == 200 and b"kiosk.js" in page.data
    assert client.get("/kiosk?id=unknown").status_code == 404
    assert b"Ambil Nomor Antrean" in client.get("/kiosk").data
    assert b"Take a number" in client.get("/kiosk?lang=en").data


def _issue(client: Any, service: str = "A", kiosk: str = "pintu") -> dict[str, Any]:
    response = client.post("/api/tickets", json={"service": service, "kiosk": kiosk})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_dummy_printer_prints_number_qr_and_cut(make_app: Callable[..., Any], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DUMMY_DIR_ENV, str(tmp_path))
    app = make_app()
    client = app.test_client()
    pair(app, client, "pintu")
    ticket = _issue(client, "C")
    printed = client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}")
    assert printed.get_json() == {"printed": True, "status": "ok", "message": None}
    data = (tmp_path / "pintu.bin").read_bytes()
    assert b"C-001" in data and b"MPP Uji" in data and b"Paspor" in data
    assert b"\x1d(k" in data  # native QR code (GS ( k)
    assert ticket["status_token"].encode() in data  # the QR holds the status page's URL
    assert data.rstrip(b"\x00").endswith(b"\x1dV") or b"\x1dV" in data[-6:]  # cut
    again = client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}")
    assert again.status_code == 400  # printed once; not a reprint machine
    samsat = app.test_client()
    pair(app, samsat, "samsat")
    other = _issue(samsat, "C", kiosk="samsat")
    assert client.post(f"/api/kiosks/pintu/print/{other['status_token']}").status_code == 404


def test_unplugged_printer_keeps_the_ticket_and_tells_supervisors(
    make_app: Callable[..., Any], write_config: Callable[..., Path]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connection refused
    app = make_app(base=KIOSK_HALL.replace('printer = "dummy://"',
                                           f'printer = "network://127.0.0.1:{port}"'))
    hub = app.extensions["loket.hub"]
    events: list[Any] = []
    hub.events.subscribe(events.append, {"printer"})
    client = app.test_client()
    pair(app, client, "pintu")
    ticket = _issue(client)
    result = client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}?lang=id").get_json()
    assert result["printed"] is False and result["status"] == "offline"
    assert "tetap berlaku" in result["message"]
    assert events and events[0].data["kiosk"] == "pintu" and events[0].data["status"] == "offline"
    # The ticket is issued, waiting, and its status page works.
    assert client.get(ticket["status_url"]).status_code == 200
    assert _services(client)["A"]["waiting"] == 1
    token = create_token(hub.db, "sup", "supervisor")
    kiosks = client.get("/api/kiosks", headers={"Authorization": f"Bearer {token}"}).get_json()
    pintu = next(k for k in kiosks["kiosks"] if k["id"] == "pintu")
    assert pintu["printer_status"]["status"] == "offline"
    assert client.get("/api/kiosks").status_code == 401
    # A retry after the printer is back is allowed (it was never printed).
    again = client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}")
    assert again.status_code == 200


class OutOfPaperPrinter:
    """A network ESC/POS printer on loopback that answers status queries: online, no paper."""

    def __init__(self, paper_byte: int = 0x72) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.paper_byte = paper_byte
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(3)
                try:
                    while chunk := conn.recv(4096):
                        self.received.extend(chunk)
                        if chunk.endswith(b"\x10\x04\x01"):
                            conn.sendall(b"\x12")
                        elif chunk.endswith(b"\x10\x04\x04"):
                            conn.sendall(bytes([self.paper_byte]))
                except OSError:
                    pass

    def close(self) -> None:
        self.server.close()


def test_out_of_paper_is_reported_and_nothing_is_printed(make_app: Callable[..., Any]) -> None:
    printer = OutOfPaperPrinter()
    try:
        app = make_app(base=KIOSK_HALL.replace(
            'printer = "dummy://"', f'printer = "network://127.0.0.1:{printer.port}"'))
        client = app.test_client()
        pair(app, client, "pintu")
        ticket = _issue(client)
        result = client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}").get_json()
        assert result["status"] == "no_paper" and result["printed"] is False
        assert "kertas habis" in result["message"]
        assert b"A-001" not in printer.received
        assert client.get(ticket["status_url"]).status_code == 200
        # The kiosk asks before the next citizen comes: reported once, not on every check.
        hub = app.extensions["loket.hub"]
        events: list[Any] = []
        hub.events.subscribe(events.append, {"printer"})
        check = client.post("/api/kiosks/pintu/check").get_json()
        assert check["status"] == "no_paper" and "kertas habis" in check["message"]
        # ... and the supervisor's dashboard says so until the roll is changed.
        from loket.server.supervisor import dashboard

        alert = next(a for a in dashboard.build(hub)["alerts"] if a["kind"] == "printer")
        assert alert["status"] == "no_paper" and "kertas habis" in alert["text"]["id"]
        printer.paper_byte = 0x12
        assert client.post("/api/kiosks/pintu/check").get_json()["status"] == "ok"
        assert client.post("/api/kiosks/pintu/check").get_json()["status"] == "ok"
        assert [e.data["status"] for e in events] == ["ok"]  # no_paper was already known
        assert not [a for a in dashboard.build(hub)["alerts"] if a["kind"] == "printer"]
        assert client.post("/api/kiosks/samsat/check").status_code == 403  # not its own
        samsat = app.test_client()
        pair(app, samsat, "samsat")
        assert samsat.post("/api/kiosks/samsat/check").get_json()["status"] == "none"
    finally:
        printer.close()


def test_paper_low_still_prints(make_app: Callable[..., Any]) -> None:
    printer = OutOfPaperPrinter(paper_byte=0x1E)
    try:
        app = make_app(base=KIOSK_HALL.replace(
            'printer = "dummy://"', f'printer = "network://127.0.0.1:{printer.port}"'))
        client = app.test_client()
        pair(app, client, "pintu")
        ticket = _issue(client)
        result = client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}").get_json()
        assert result["status"] == "paper_low" and result["printed"] is True
        assert b"A-001" in printer.received and b"\x1d(k" in printer.received
    finally:
        printer.close()


def test_rate_limit_per_address_for_anonymous_clients(make_app: Callable[..., Any]) -> None:
    """Unknown clients are limited per address with the strict ``[kiosk] rate_limit``; naming a
    kiosk in the body gives them no other allowance (the id is ignored)."""
    app = make_app(base=KIOSK_HALL.replace('rate_limit = "100 per minute"',
                                           'rate_limit = "3 per minute"'))
    client = app.test_client()
    for _ in range(3):
        _issue(client, kiosk="pintu")
    refused = client.post("/api/tickets?lang=id", json={"service": "A", "kiosk": "pintu"})
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "rate_limited"
    assert "Silakan tunggu" in refused.get_json()["message"]
    english = client.post("/api/tickets?lang=en", json={"service": "A", "kiosk": "pintu"})
    assert "Please wait" in english.get_json()["message"]
    # Naming another kiosk, or an invented one, is still the same address.
    assert client.post("/api/tickets", json={"service": "A", "kiosk": "samsat"}).status_code == 429
    assert client.post("/api/tickets", json={"service": "A", "kiosk": "x2"}).status_code == 429
    # A paired kiosk at the same address has its own allowance.
    kiosk = app.test_client()
    pair(app, kiosk, "samsat")
    assert kiosk.post("/api/tickets", json={"service": "A", "kiosk": "samsat"}).status_code == 201
    # A device token is not limited like a kiosk.
    token = create_token(app.extensions["loket.hub"].db, "bridge", "device")
    ok = client.post("/api/tickets", json={"service": "A"},
                     headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201


def test_kiosk_rate_limit_override(make_app: Callable[..., Any]) -> None:
    app = make_app(base=KIOSK_HALL.replace(
        'id = "samsat"\n', 'id = "samsat"\nrate_limit = "1 per minute"\n'))
    samsat, pintu = app.test_client(), app.test_client()
    pair(app, samsat, "samsat")
    pair(app, pintu, "pintu")
    assert samsat.post("/api/tickets", json={"service": "A"}).status_code == 201
    assert samsat.post("/api/tickets", json={"service": "A"}).status_code == 429
    assert pintu.post("/api/tickets", json={"service": "A"}).status_code == 201


def test_logo_is_printed_and_served(make_app: Callable[..., Any], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    Image.new("1", (800, 200), 1).save(tmp_path / "logo.png")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv(DUMMY_DIR_ENV, str(out))
    app = make_app(base=KIOSK_HALL.replace('timezone = "Asia/Jakarta"',
                                           'timezone = "Asia/Jakarta"\nlogo = "logo.png"'))
    client = app.test_client()
    pair(app, client, "pintu")
    ticket = _issue(client)
    assert client.post(f"/api/kiosks/pintu/print/{ticket['status_token']}").get_json()["printed"]
    data = (out / "pintu.bin").read_bytes()
    assert b"\x1dv0" in data  # GS v 0: the logo as a raster image, before the hall name
    assert data.index(b"\x1dv0") < data.index(b"MPP Uji")
    assert client.get("/kiosk/logo").mimetype == "image/png"
    assert b"/kiosk/logo" in client.get("/kiosk").data


@pytest.mark.hardware
@pytest.mark.slow
def test_serial_printer_on_a_pty_under_the_gevent_hub(
    live_hub: Callable[..., Any], write_config: Callable[..., Path]
) -> None:
    """A serial ESC/POS printer (a pseudo-terminal answering status queries) driven by the real
    gevent hub, where serial I/O runs in gevent's thread pool."""
    import os
    import select

    import requests

    master, slave = os.openpty()
    received = bytearray()
    stop = threading.Event()

    def printer() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            received.extend(chunk)
            if chunk.endswith((b"\x10\x04\x01", b"\x10\x04\x04")):
                os.write(master, b"\x12")  # online, paper present

    thread = threading.Thread(target=printer, daemon=True)
    thread.start()
    try:
        config = write_config(KIOSK_HALL.replace(
            'printer = "dummy://"', f'printer = "serial://{os.ttyname(slave)}?baudrate=19200"'))
        hub = live_hub(config)
        kiosk = requests.Session()
        pair_session(kiosk, hub.url, cli_pair_code(config, "pintu"))
        ticket = kiosk.post(f"{hub.url}/api/tickets", json={"service": "B", "kiosk": "pintu"},
                            timeout=5).json()
        result = kiosk.post(f"{hub.url}/api/kiosks/pintu/print/{ticket['status_token']}",
                            timeout=15).json()
        assert result == {"printed": True, "status": "ok", "message": None}
        wait_until(lambda: b"\x1dV" in received, 5)  # bytes from the printer's pty thread
        assert b"B-001" in received and b"\x1d(k" in received and b"\x1dV" in received
    finally:
        stop.set()
        thread.join(2)
        os.close(master)
        os.close(slave)

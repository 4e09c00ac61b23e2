"""The nginx server block of docs/deploy.md ("Booking pages on the internet"), taken from the
document itself and run by a real nginx in front of a hub: the booking and status pages, their
assets and API pass; everything else of Loket answers 404 from that side; the per-address
limit answers 429; the hub sees the citizen's address, not nginx's."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3

from tests.support.booking_web import WebHall
from tests.support.hall import ROOT, free_port
from tests.support.kiosk import pair
from tests.support.wait import wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def doc_server_block() -> str:
    """The nginx configuration of the section, as printed in docs/deploy.md."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text.split("## Booking pages on the internet", 1)[1]
    found = re.search(r"```nginx\n(.*?)```", section, re.S)
    assert found, "no nginx block in the section"
    return found.group(1)


@dataclass
class Public:
    """The hall, its public HTTPS address through nginx, and nginx's plain-HTTP one."""

    hall: WebHall
    base: str
    plain: str

    def get(self, path: str) -> requests.Response:
        return requests.get(self.base + path, verify=False, timeout=5, allow_redirects=False)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return requests.post(self.base + path, verify=False, timeout=5, **kw)


@pytest.fixture
def public(tmp_path: Path) -> Iterator[Public]:
    """The test hall behind nginx (the document's block; ports and certificate changed)."""
    if not Path(NGINX).exists():
        pytest.skip("nginx not installed (apt-get install nginx-light)")
    hall = WebHall(tmp_path, extra="\n[server]\ntrusted_proxies = 1\n").serve()
    port = int(hall.url.rsplit(":", 1)[1])
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=antrean.mpp.example.go.id", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    http_port, https_port = free_port(), free_port()
    block = doc_server_block()
    block = block.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    block = block.replace("listen [::]:80;\n", "")
    block = re.sub(r"listen 443 ssl http2;[^\n]*", f"listen 127.0.0.1:{https_port} ssl http2;",
                   block)
    block = block.replace("listen [::]:443 ssl http2;\n", "")
    block = re.sub(r"ssl_certificate +/etc/\S+;", f"ssl_certificate {cert};", block)
    block = re.sub(r"ssl_certificate_key +/etc/\S+;", f"ssl_certificate_key {key};", block)
    block = block.replace("http://127.0.0.1:5000", f"http://127.0.0.1:{port}")
    assert "127.0.0.1:5000" not in block and " /etc/letsencrypt" not in block
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log info;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n access_log {prefix}/access.log;\n client_body_temp_path {prefix}/body;\n"
        f" proxy_temp_path {prefix}/proxy;\n fastcgi_temp_path {prefix}/fastcgi;\n"
        f" uwsgi_temp_path {prefix}/uwsgi;\n scgi_temp_path {prefix}/scgi;\n"
        f"{block}\n}}\n", encoding="utf-8")
    checked = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    public = Public(hall, f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}")

    def up() -> bool:
        try:
            requests.get(public.base + "/static/loket.css", verify=False, timeout=1)
        except requests.RequestException:
            return False
        return True

    try:
        assert wait_until(up, 10), (prefix / "error.log").read_text()
        yield public
    finally:
        process.terminate()
        process.wait(10)
        hall.close()


def test_only_the_booking_and_status_pages_pass(public: Public) -> None:
    hall = public.hall
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
    session.verify = False
    page = session.get(public.base + "/booking", timeout=5)
    assert page.status_code == 200 and "Reservasi Antrean" in page.text
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    for asset in ("/booking/static/booking.js", "/static/loket.css",
                  "/kiosk/static/citizen.css", "/vendor/socket.io-client/socket.io.min.js"):
        assert session.get(public.base + asset, timeout=5).status_code == 200, asset
    slots = session.get(public.base + "/api/booking/slots?service=A&date=2026-12-01", timeout=5)
    assert slots.status_code == 200 and slots.json()["slots"]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf is not None
    made = session.post(public.base + "/api/bookings", headers={"X-CSRFToken": csrf.group(1)},
                        json={"service": "A", "date": "2026-12-01", "start": "09:00"},
                        timeout=5)
    assert made.status_code == 201, made.text
    token, code = made.json()["token"], made.json()["code"]
    for path in (f"/b/{token}", f"/b/{token}/qr.svg", f"/b/{token}/reservasi.ics",
                 f"/api/bookings/{token}"):
        assert session.get(public.base + path, timeout=5).status_code == 200, path

    # Checked in at the hall (on the LAN): the ticket's status page and its socket pass too.
    hall.clock.set("2026-12-01 08:40")
    pair(hall.app, hall.client, "lobi")
    ticket = hall.client.post("/api/bookings/checkin", json={"code": code})
    assert ticket.status_code == 201
    assert session.get(public.base + ticket.get_json()["status_url"], timeout=5).status_code == 200
    polling = session.get(public.base + "/socket.io/?EIO=4&transport=polling", timeout=5)
    assert polling.status_code == 200 and '"sid"' in polling.text

    # Nothing else of Loket is reachable from that side.
    for path in ("/", "/kiosk", "/counter", "/display", "/admin", "/supervisor",
                 "/supervisor/bookings", "/login", "/api/docs", "/api/state", "/api/services",
                 "/api/supervisor/bookings", "/b/short", "/b/../admin", "/healthz",
                 "/api/openapi.json", "/data"):
        assert public.get(path).status_code == 404, path
    for path in ("/api/bookings/checkin", "/api/tickets", "/login"):
        refused = public.post(path, json={"code": code, "service": "A"})
        assert refused.status_code in (403, 404), path
    assert public.post("/booking/static/booking.js").status_code == 403
    moved = requests.get(public.plain + "/booking", timeout=5, allow_redirects=False)
    assert moved.status_code == 301 and moved.headers["Location"].startswith("https://")


def test_per_address_limits(public: Public) -> None:
    pages = [public.get("/booking").status_code for _ in range(20)]
    # 30 a minute with a burst of 10, no delay: eleven at once, then 429.
    assert pages[:11] == [200] * 11 and pages[11:] == [429] * 9, pages
    bookings = [public.post("/api/bookings", json={
        "service": "A", "date": "2026-12-01", "start": start}).status_code
        for start in ("09:00", "09:30", "10:00", "10:30", "11:00")]
    # 6 a minute with a burst of 3: four pass to the hub, the fifth is refused by nginx.
    assert 429 not in bookings[:4] and bookings[4] == 429, bookings

"""The display pages as HTTP responses: routes, settings handed to the scripts, 404 pages,
the hall logo, and the rules every page keeps (no inline script, every asset from Loket)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from loket.display.views import zone_label
from loket.server.app import create_app
from loket.server.config import load_config
from tests.support.hall import SMALL_HALL

SETTINGS = re.compile(
    r'<script type="application/json" id="display-settings">(.*?)</script>', re.S
)


def settings_of(html: str) -> dict[str, Any]:
    match = SETTINGS.search(html)
    assert match, "the page carries its settings as JSON"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_hall_screen_defaults_to_indonesian(client: Any) -> None:
    response = client.get("/display")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nomor Antrean" in html and "Panggilan Terakhir" in html
    assert "Jumlah Antrean Menunggu" in html
    settings = settings_of(html)
    assert settings["mode"] == "hall" and settings["lang"] == "id"
    assert settings["zone"] is None
    assert settings["hall"] == {"name": "MPP Uji", "timezone": "Asia/Jakarta"}
    assert settings["recent_calls"] == 8 and settings["flash_seconds"] == 4.0
    assert settings["messages"]["display.recall"] == "Panggilan ulang"
    assert settings["sound"] is False


def test_english_zone_and_sound_options(client: Any) -> None:
    html = client.get("/display?zone=lantai-2&lang=en&sound=1").get_data(as_text=True)
    settings = settings_of(html)
    assert settings["lang"] == "en" and settings["zone"] == "lantai-2"
    assert settings["zone_label"] == "Lantai 2" and settings["sound"] is True
    assert "Recent Calls" in html and "Ticket Number" in html


def test_unknown_zone_and_counter_are_404_pages(client: Any) -> None:
    zone = client.get("/display?zone=atap")
    assert zone.status_code == 404
    assert "Lantai tidak ditemukan" in zone.get_data(as_text=True)
    counter = client.get("/display/counter/%3Cb%3E9")
    html = counter.get_data(as_text=True)
    assert counter.status_code == 404
    assert "Loket tidak ditemukan" in html and "<b>9" not in html and "&lt;b&gt;9" in html
    assert 'href="/display/counter/1"' in html and 'href="/display/counter/5"' in html


def test_counter_screen(client: Any) -> None:
    html = client.get("/display/counter/5").get_data(as_text=True)
    settings = settings_of(html)
    assert settings["mode"] == "counter" and settings["counter"] == "5"
    assert settings["counter_name"] == "Loket 5"
    assert '<div class="cs-name" id="cs-name">Loket 5</div>' in html


@pytest.mark.parametrize("path", ["/display", "/display/counter/1", "/display?zone=lantai-1"])
def test_pages_keep_the_csp_rules(client: Any, path: str) -> None:
    response = client.get(path)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "the page has its scripts"
    for tag in scripts:
        assert 'src="/' in tag or 'type="application/json"' in tag, tag
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "?")), url
    assert " on" not in re.sub(r"<script.*?</script>", "", html, flags=re.S).lower().replace(
        " only", "")  # no inline event handlers


def test_assets_are_served(client: Any) -> None:
    for path in ("/display/static/display-core.js", "/display/static/hall.js",
                 "/display/static/counter.js", "/display/static/sound.js",
                 "/display/static/display.css", "/display/static/emblem.svg"):
        assert client.get(path).status_code == 200, path
    html = client.get("/display").get_data(as_text=True)
    assert "/vendor/socket.io-client/socket.io.min.js" in html
    assert "/vendor/atkinson-hyperlegible/700.css" in html


def test_hall_name_is_escaped(write_config: Any) -> None:
    config = load_config(write_config(
        SMALL_HALL.replace('name = "MPP Uji"', 'name = "<script>alert(1)</script> Uji"')
    ))
    app = create_app(config, async_mode="threading", testing=True)
    try:
        html = app.test_client().get("/display").get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Uji" in html
        assert settings_of(html)["hall"]["name"] == "<script>alert(1)</script> Uji"
    finally:
        app.extensions["loket.hub"].db.dispose()


def test_logo(write_config: Any, tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    path = write_config()
    path.write_text(path.read_text().replace('timezone = "Asia/Jakarta"',
                                             'timezone = "Asia/Jakarta"\nlogo = "logo.svg"'))
    app = create_app(load_config(path), async_mode="threading", testing=True)
    try:
        client = app.test_client()
        assert 'src="/display/logo"' in client.get("/display").get_data(as_text=True)
        logo = client.get("/display/logo")
        assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
    finally:
        app.extensions["loket.hub"].db.dispose()


def test_no_logo_uses_the_emblem(client: Any) -> None:
    assert client.get("/display/logo").status_code == 404
    assert "/display/static/emblem.svg" in client.get("/display").get_data(as_text=True)


def test_zone_label() -> None:
    assert zone_label("lantai-2", "id") == "Lantai 2"
    assert zone_label("sayap-timur", "en") == "Sayap Timur"
    assert zone_label(None, "id") == "Semua lantai"
    assert zone_label(None, "en") == "All floors"

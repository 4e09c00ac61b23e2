"""Browser helpers for the staff pages' tests: accounts, signing in, screenshots and the
focus ring's contrast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.login import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def add_user(config: Path, name: str, role: str, password: str, counters: str = "") -> None:
    args = [sys.executable, "-m", "loket", "user", "add", name, "--role", role,
            "--password-stdin", "--config", str(config)]
    if counters:
        args += ["--counters", counters]
    subprocess.run(args, input=password + "\n", text=True, cwd=ROOT, check=True,
                   capture_output=True)


def sign_in(page: Any, url: str, name: str, password: str, next_path: str) -> None:
    page.goto(f"{url}/login?next={next_path}")
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    """A full-viewport screenshot, in ``$LOKET_SCREENSHOTS`` when set (to look at them)."""
    folder = Path(os.environ.get("LOKET_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const nums = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  let background = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = nums(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { background = c; break; }
  }
  const s = getComputedStyle(el);
  const text = (el.textContent || "").trim().slice(0, 30);
  return { name: el.tagName + (el.id ? "#" + el.id : "") + " " + text,
           style: s.outlineStyle, width: parseFloat(s.outlineWidth),
           color: nums(s.outlineColor), background: background };
}"""


def focus_ring_failures(page: Any, presses: int = 12) -> list[str]:
    """Tab through the first ``presses`` stops; each focused control must show an outline at
    least 2 px wide with >= 3:1 contrast against what is around it."""
    failures: list[str] = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(presses):
        page.keyboard.press("Tab")
        found = page.evaluate(_FOCUSED)
        if found is None:
            continue
        ratio = contrast(found["color"], found["background"])
        if found["style"] in ("none", "hidden") or found["width"] < 2 or ratio < 3:
            failures.append(f"{found['name']}: {found['style']} {found['width']}px, "
                            f"{ratio:.2f}:1 on {found['background']}")
    return failures


def add_supervisor(config_path: Path) -> None:
    """``loket user add sup --role supervisor`` with the tests' supervisor password."""
    add_user(config_path, "sup", "supervisor", PASSWORD)

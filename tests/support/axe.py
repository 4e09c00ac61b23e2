"""axe-core (from the project's own ``node_modules``, never fetched) run on a Playwright page:
WCAG 2.0/2.1 levels A and AA plus axe's best practices. The script is evaluated through the
DevTools protocol, so the page's Content-Security-Policy does not have to allow it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def _source() -> str:
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm install` (axe-core)")
    return AXE_JS.read_text(encoding="utf-8")


def violations(page: Any, context: Any = None) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` now (``context``: an axe context, default the whole
    document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        """async ([context, tags]) => {
            const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
            return await window.axe.run(context || document, options);
        }""",
        [context, TAGS],
    )
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    """A readable list of violations for an assertion message."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def assert_clean(page: Any, what: str = "") -> None:
    found = violations(page)
    assert not found, f"axe-core on {what or page.url}:\n{describe(found)}"

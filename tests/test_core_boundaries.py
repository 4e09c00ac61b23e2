"""Nothing outside ``server/hub.py`` reaches into the Hub's private state
(docs/architecture.md, "The write path").

Every module of the project's packages is parsed with :mod:`ast`; an attribute whose name
starts with one underscore (not a dunder) read on an expression that is the hub fails:
``hub._x``, ``self.hub._x``, ``self._hub._x``, ``get_hub()._x``, ``find_hub()._x``, and
any name annotated ``Hub`` (``def f(h: Hub): h._x``). The Hub's own mixins (the classes in its
MRO, e.g. ``CounterActions``) are part of the Hub and exempt, as is ``server/hub.py``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from loket.server.hub import Hub

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "counter_panel", "audio", "display", "bench")
HUB_NAME = re.compile(r"(^|_)hub$", re.IGNORECASE)
HUB_CALLS = frozenset({"get_hub", "find_hub"})
EXEMPT = {ROOT / "server" / "hub.py"} | {
    ROOT / Path(*cls.__module__.split(".")[1:]).with_suffix(".py")
    for cls in Hub.__mro__ if cls.__module__.startswith("loket.server.")
}


def _annotated_hub_names(tree: ast.AST) -> set[str]:
    """Names given a ``Hub`` annotation anywhere in the module (parameters, variables)."""
    names: set[str] = set()

    def is_hub(annotation: ast.expr | None) -> bool:
        if annotation is None:
            return False
        text = ast.unparse(annotation).strip("'\"")
        return text in ("Hub", "hub.Hub", "loket.server.hub.Hub") or text.startswith("Hub |")

    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and is_hub(node.annotation):
            names.add(node.arg)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and is_hub(
                node.annotation):
            names.add(node.target.id)
    return names


def _is_hub(node: ast.expr, hub_names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return bool(HUB_NAME.search(node.id)) or node.id in hub_names
    if isinstance(node, ast.Attribute):
        return bool(HUB_NAME.search(node.attr))
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        return name in HUB_CALLS
    return False


def private_hub_uses(source: str) -> list[str]:
    """``line: expression`` for each private attribute of the hub the source reads."""
    tree = ast.parse(source)
    hub_names = _annotated_hub_names(tree)
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__") and _is_hub(node.value, hub_names)):
            found.append((node.lineno, node.col_offset, ast.unparse(node)))
    return [f"{line}: {text}" for line, _col, text in sorted(found)]


def test_the_checker_finds_each_form() -> None:
    source = (
        "def f(h: Hub, hub, app):\n"
        "    h._settings(s)\n"
        "    hub._publish_lock\n"
        "    self.hub._mark_queue_dirty()\n"
        "    get_hub()._call_payload(r)\n"
        "    self._hub._x\n"
        "    hub.__class__\n"
        "    hub.write()\n"
        "    other._private\n"
    )
    assert [line.split(": ")[1] for line in private_hub_uses(source)] == [
        "h._settings", "hub._publish_lock", "self.hub._mark_queue_dirty",
        "get_hub()._call_payload", "self._hub._x",
    ]


def test_no_module_outside_the_hub_names_a_private_hub_attribute() -> None:
    offenders = []
    checked = 0
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in EXEMPT:
                continue
            checked += 1
            for use in private_hub_uses(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}:{use}")
    assert checked > 100
    assert not offenders, "private Hub attributes used outside server/hub.py:\n" + "\n".join(
        offenders)

"""Every public class and function of the hub's core says what it is: a docstring on each
public module-level class and function and each public method of a public class (read with
``ast``, so nothing is imported or run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CORE = (
    "server/hub.py",
    "server/db.py",
    "server/events.py",
    "server/counter_actions.py",
    "server/counter_desk.py",
    "server/queue_rules.py",
    "server/errors.py",
    "server/context.py",
    "server/counter_status.py",
    "server/payloads.py",
    "server/snapshot.py",
    "server/ticket_view.py",
    "server/queue_notifier.py",
    "server/hall_calendar.py",
    "server/issuing.py",
)
"""The core modules (issue 13): the hub, its database, events, counter actions, queue rules,
errors, app-level accessors, counter words and payload shapes, and the hub's parts split out
of it (snapshot, a ticket's public view, the queue notifier, the calendar as it applies,
issuing a ticket)."""

Definition = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def is_public(name: str) -> bool:
    """Not ``_private`` and not a ``__dunder__`` (those document themselves by protocol)."""
    return not name.startswith("_")


def is_accessor_half(node: Definition) -> bool:
    """A property's setter or deleter, or an ``@overload`` stub: documented where the property
    or the implementation is."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Attribute) and decorator.attr in ("setter", "deleter"):
            return True
        if isinstance(decorator, ast.Name | ast.Attribute):
            name = decorator.id if isinstance(decorator, ast.Name) else decorator.attr
            if name == "overload":
                return True
    return False


def undocumented(source: str, filename: str) -> list[str]:
    """``file:line name`` of each public class, function and method without a docstring."""
    tree = ast.parse(source, filename)
    missing: list[str] = []

    def check(node: Definition, qualname: str) -> None:
        if is_accessor_half(node):
            return
        if ast.get_docstring(node) is None:
            missing.append(f"{filename}:{node.lineno} {qualname}")

    for node in tree.body:
        if not isinstance(node, Definition) or not is_public(node.name):
            continue
        check(node, node.name)
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and is_public(
                    member.name
                ):
                    check(member, f"{node.name}.{member.name}")
    return missing


@pytest.mark.parametrize("path", CORE)
def test_every_public_class_and_function_of_the_core_has_a_docstring(path: str) -> None:
    missing = undocumented((ROOT / path).read_text(encoding="utf-8"), path)
    assert not missing, "no docstring:\n" + "\n".join(missing)


def test_the_check_finds_what_is_undocumented_and_passes_what_is_not() -> None:
    source = '''
def shown():
    """Documented."""

def hidden():
    pass

def _private():
    pass

class Thing:
    """Documented."""

    def __init__(self):
        pass

    def method(self):
        return 1

    @property
    def size(self):
        """Documented."""

    @size.setter
    def size(self, value):
        pass

    def _helper(self):
        pass

class Bare:
    async def run(self):
        """Documented."""
'''
    assert undocumented(source, "x.py") == ["x.py:5 hidden", "x.py:17 Thing.method", "x.py:31 Bare"]

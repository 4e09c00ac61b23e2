"""The project's import graph has no cycle (docs/architecture.md, "The import rule").

The graph is built with :mod:`ast` over every module of the project's packages, with three
kinds of edges: imports at module level, imports under ``if TYPE_CHECKING:``, and imports
inside a function (deferred imports). A cycle of any kind fails: a deferred import that closes
a cycle still ties the two modules together, it only hides it from Python at load time.
``ALLOWED_FUNCTION_CYCLES`` would list a deferred-import cycle that is truly needed, with the
reason; it is empty."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "counter_panel", "audio", "display", "bench")
LOKET_PARTS = frozenset({"server", "counter_panel", "audio", "display"})
"""Top-level folders the code imports as ``loket.<part>`` (docs/deploy.md, the package layout)."""
KINDS = ("module", "type-checking", "function")

ALLOWED_FUNCTION_CYCLES: frozenset[frozenset[str]] = frozenset()
"""Deferred-import cycles allowed, each as the set of its modules (none: keep it so)."""

Graph = dict[str, dict[str, set[str]]]
"""kind -> module -> modules it imports."""


def project_modules(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the packages."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if parts[0] in LOKET_PARTS and package in LOKET_PARTS:
                parts.insert(0, "loket")
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
             modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement loads (the deepest known one per name)."""

    def known(name: str) -> str | None:
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if is_package else module.rpartition(".")[0]
            parts = package.split(".")
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, base] if base else parts)
        for alias in node.names:
            full = f"{base}.{alias.name}"
            names.append(full if full in modules else base)
    found = {known(name) for name in names}
    return {t for t in found if t is not None and t != module}


def import_graph(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> Graph:
    """Every import between project modules, by kind."""
    modules = project_modules(root, packages)
    graph: Graph = {kind: {} for kind in KINDS}

    def visit(node: ast.AST, kind: str, module: str, is_package: bool) -> None:
        for child in ast.iter_child_nodes(node):
            child_kind = kind
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                child_kind = "function"
            elif isinstance(child, ast.If) and _is_type_checking(child) and kind == "module":
                child_kind = "type-checking"
            if isinstance(child, ast.Import | ast.ImportFrom):
                graph[kind].setdefault(module, set()).update(
                    _targets(child, module, is_package, modules))
            visit(child, child_kind, module, is_package)

    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        visit(tree, "module", module, path.name == "__init__.py")
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return sorted(found)


def describe(component: list[str], graph: Graph) -> str:
    """A cycle's edges, each with its kind, for a failure message."""
    lines = [" <-> ".join(component)]
    for a in component:
        for kind in KINDS:
            for b in sorted(graph[kind].get(a, set()) & set(component)):
                lines.append(f"    {a} -> {b}  ({kind} import)")
    return "\n".join(lines)


def _merged(graph: Graph, kinds: Iterable[str]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for kind in kinds:
        for a, targets in graph[kind].items():
            merged.setdefault(a, set()).update(targets)
    return merged


def test_no_module_level_import_cycle() -> None:
    graph = import_graph()
    found = cycles(_merged(graph, ("module", "type-checking")))
    assert not found, "module-level import cycles:\n" + "\n".join(
        describe(c, graph) for c in found)


def test_no_import_cycle_through_deferred_imports() -> None:
    graph = import_graph()
    found = [c for c in cycles(_merged(graph, KINDS))
             if frozenset(c) not in ALLOWED_FUNCTION_CYCLES]
    assert not found, (
        "import cycles closed by imports inside functions (move the shared code to a leaf "
        "module such as server.context or server.cli_support):\n"
        + "\n".join(describe(c, graph) for c in found))


def test_the_graph_sees_every_kind_of_cycle(tmp_path: Path) -> None:
    """The check itself: cycles made by each kind of import, relative or absolute, are found."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import leaf\n")
    (pkg / "sub" / "leaf.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from .a import x\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    import pkg.d\n")
    (pkg / "d.py").write_text("import pkg.c\n")
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["module"]["pkg.a"] == {"pkg.b"}
    assert graph["function"]["pkg.b"] == {"pkg.a"}
    assert graph["type-checking"]["pkg.c"] == {"pkg.d"}
    assert graph["module"]["pkg.sub"] == {"pkg.sub.leaf"}
    assert cycles(_merged(graph, ("module", "type-checking"))) == [["pkg.c", "pkg.d"]]
    assert cycles(_merged(graph, KINDS)) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


def test_the_project_graph_is_read_at_all() -> None:
    """The cycle tests above mean something only if the project's own imports are seen."""
    module_edges = import_graph()["module"]
    assert "loket.server.context" in module_edges["loket.server.api"]
    assert "loket.server.hub" in module_edges["loket.server.app"]
    assert sum(len(targets) for targets in module_edges.values()) > 300

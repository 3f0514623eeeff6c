"""The import graph of ``meetingapp``: no import from a layer above (``meetingapp.layers``),
no import cycle. Read from the source with ``ast``, imports inside functions included (an
import put off until a function runs is still a dependency)."""

import ast
from pathlib import Path

import pytest

from meetingapp.layers import BASE, FEATURES, LAYERS, TOP

PACKAGE = Path(__file__).resolve().parent.parent / "meetingapp"


def _module_name(path: Path) -> str:
    parts = ("meetingapp", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """``(module imported, line)`` for every import of a ``meetingapp`` module in ``path``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("meetingapp")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("meetingapp"):
                continue
            for alias in node.names:
                # "from . import routes" imports a module; "from .x import y" a name of x.
                child = f"{target}.{alias.name}"
                found.append((child if child in MODULES else target, node.lineno))
    return sorted(set(found))


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # None: the package itself (the factory)


def test_every_module_belongs_to_a_declared_layer():
    undeclared = sorted({_layer(m) for m in MODULES} - set(LAYERS) - {None})
    assert not undeclared, f"declare these in meetingapp/layers.py: {undeclared}"
    assert len(set(LAYERS)) == len(LAYERS)


def test_every_feature_registers_itself():
    for feature in FEATURES:
        source = (PACKAGE / feature / "__init__.py").read_text()
        assert "def register(app" in source, f"meetingapp/{feature} has no register(app)"


def test_no_module_imports_from_a_layer_above_its_own():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = []
    for module, imports in GRAPH.items():
        own = _layer(module)
        if own is None:
            continue  # the app factory puts every layer together
        for target, line in imports:
            theirs = _layer(target)
            if theirs is None and own in TOP:
                continue  # where the worker starts builds the app
            if theirs is None or rank[theirs] > rank[own]:
                upward.append(f"{module}:{line} imports {target}")
    assert not upward, "imports from a layer above:\n" + "\n".join(upward)


def _cycles() -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), as a cycle to read."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _line in GRAPH.get(node, []):
            if target not in MODULES:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or any(t == node for t, _ in GRAPH.get(node, [])):
                found.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_checks_catch_what_they_are_for(monkeypatch):
    """The two checks above fail on an upward import and on a cycle (so they can fail)."""
    low, high = f"meetingapp.{BASE[0]}", f"meetingapp.{FEATURES[-1]}"
    monkeypatch.setitem(GRAPH, low, [*GRAPH[low], (high, 1)])
    with pytest.raises(AssertionError, match="imports from a layer above"):
        test_no_module_imports_from_a_layer_above_its_own()
    monkeypatch.setitem(GRAPH, high, [*GRAPH[high], (low, 1)])
    assert any(low in c and high in c for c in _cycles())


def test_the_declared_order_puts_the_meeting_s_life_in_order():
    life = ["invitations", "registrations", "agenda", "badges", "checkin", "outcomes",
            "reports"]
    assert [f for f in FEATURES if f in life] == life
    assert set(TOP).isdisjoint(FEATURES)


def test_views_live_in_routes_modules():
    """A feature's views are in ``routes.py`` or ``<topic>_routes.py``, nowhere else."""
    misplaced = []
    for name, path in MODULES.items():
        if _layer(name) not in FEATURES or path.name.endswith("routes.py"):
            continue
        if ".route(" in path.read_text():
            misplaced.append(name)
    assert not misplaced, f"views outside routes modules: {misplaced}"


def test_views_load_their_objects_in_one_way():
    """Views start from ``@loads`` / ``@opens_link``: no ``get_or_404`` of a meeting and no
    ``x, error = open_link(...)`` pair left in a routes module."""
    found = []
    for name, path in MODULES.items():
        source = path.read_text()
        if path.name.endswith("routes.py") and ("get_or_404(Meeting" in source
                                                or "= open_link(" in source
                                                or "_open(token)" in source):
            found.append(name)
    assert not found, f"load with meetingapp.loading.loads or links.opens_link: {found}"

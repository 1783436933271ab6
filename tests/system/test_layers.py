"""The package's layout is its architecture: every import follows the layer rule, and none makes a cycle.

Every ``import`` and ``from ... import`` of ``dmaf_analysis/`` is read with
:mod:`ast` (also those inside functions and ``if TYPE_CHECKING`` blocks).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dmaf_analysis"

#: From the bottom up; a unit imports only units of lower layers, or its own folder. The
#: foundations are ordered too: ``errors`` and ``_version`` import nothing of the
#: package, ``_util`` may raise the package's errors.
LAYERS = [
    {"errors", "_version"},
    {"_util"},
    {"framework", "cities", "record", "render"},
    {"io", "ingest"},
    {"scoring", "synth"},
    {"stats", "sensitivity"},
    {"card", "national", "explore"},
    {"batch"},
    {"cli"},
]
LAYER_OF = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports (a package face counts as its ``__init__``)."""
    is_init = path.name == "__init__.py"
    base = name.split(".") if is_init else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base[:len(base) - node.level + 1] + (node.module.split(".") if node.module else [])
            else:
                parts = (node.module or "").split(".")
            target = ".".join(parts)
            if not target.startswith("dmaf_analysis"):
                continue
            for alias in node.names:  # `from . import x` names a module
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("dmaf_analysis")}
    found.discard(name)
    return {m for m in found if m in known}


def unit_of(module: str) -> str:
    """``_util``, ``errors``, ``card``...: the top-level module or folder a module belongs to ("" = the face)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_private(module: str) -> bool:
    """A module behind a folder's face (``dmaf_analysis.card._html``); ``_util``'s modules are its public parts."""
    return any(part.startswith("_") for part in module.split(".")[2:])


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = package_modules()
    known = set(modules)
    return {name: imported_modules(name, path, known) for name, path in modules.items()}


def test_every_unit_has_a_layer():
    units = {unit_of(m) for m in package_modules()} - {""}
    assert units <= set(LAYER_OF), f"modules or folders with no layer: {sorted(units - set(LAYER_OF))}"


def test_imports_only_run_down_the_layers(graph):
    bad = []
    for name, targets in graph.items():
        src = unit_of(name)
        if src == "":
            continue  # the package face re-exports getting-started names
        for target in targets:
            dst = unit_of(target)
            if dst == src:
                continue
            if dst == "" or LAYER_OF[dst] >= LAYER_OF[src]:
                bad.append(f"{name} imports {target} ({src} is layer {LAYER_OF[src]}, "
                           f"{dst or 'the package face'} is layer {LAYER_OF.get(dst, '-')})")
    assert not bad, "\n".join(bad)


def test_no_import_of_another_folders_private_module(graph):
    bad = []
    for name, targets in graph.items():
        for target in targets:
            if unit_of(target) != unit_of(name) and is_private(target):
                bad.append(f"{name} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles(graph):
    # Tarjan's strongly connected components over the module graph
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
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
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_the_folder_listing_is_the_architecture():
    top = [p for p in PACKAGE.glob("*.py") if not p.name.startswith("_")]
    folders = [p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    private = [p for p in PACKAGE.rglob("_*.py") if p.name != "__init__.py"]
    assert len(top) <= 5, sorted(p.name for p in top)
    assert len(folders) >= 9, sorted(p.name for p in folders)
    assert len(private) >= 40, len(private)


def test_every_folder_has_a_face_with_all():
    for folder in PACKAGE.iterdir():
        init = folder / "__init__.py"
        if not init.is_file():
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        names = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
        assert "__all__" in names, f"{init} has no __all__"
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        if folder.name != "_util":
            public = [p.name for p in modules if not p.name.startswith("_")]
            assert not public, f"{folder.name}/ has public modules behind its face: {public}"


def test_the_layer_test_catches_a_violation(tmp_path):
    """The rule above is not vacuous: an upward import and a cycle are found."""
    known = {"dmaf_analysis.scoring._x", "dmaf_analysis.card", "dmaf_analysis.card._y"}
    f = tmp_path / "_x.py"
    f.write_text("from ..card import thing\n")
    targets = imported_modules("dmaf_analysis.scoring._x", f, known)
    assert targets == {"dmaf_analysis.card"}
    assert LAYER_OF[unit_of("dmaf_analysis.card")] > LAYER_OF[unit_of("dmaf_analysis.scoring._x")]
    assert is_private("dmaf_analysis.card._y") and not is_private("dmaf_analysis.card")

"""The layer rule, machine-checked: imports point down only (see ARCHITECTURE.md).

eventstore <- projections <- catalog <- tui, cli. Checks:
- statically, over every import statement of each layer (lazy imports included);
- at run time, importing each layer in a fresh interpreter and inspecting sys.modules;
- inside the app: no import circle between tui modules, and screens never import each other;
- nowhere (tests and benchmarks included) is a ``_private`` name imported from another module.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"eventstore", "projections", "catalog", "tui", "cli", "tests", "bench"}

ALLOWED_THIRD_PARTY = {
    "eventstore": {"lmdb", "msgspec"},
    "projections": {"lmdb", "msgspec", "eventstore"},
    "catalog": {
        "lmdb",
        "msgspec",
        "eventstore",
        "projections",
        "httpx",
        "platformdirs",
        "wcwidth",
        "packaging",
    },
    "tui": {
        "lmdb",
        "msgspec",
        "eventstore",
        "projections",
        "catalog",
        "platformdirs",
        "textual",
        "rich",
    },
    "cli": {
        "msgspec",
        "eventstore",
        "projections",
        "catalog",
        "platformdirs",
        "click",
        "tui",
        "mcp",
        "anyio",
    },  # djp mcp (cli/mcp_server.py): the MCP SDK and its anyio
}
FORBIDDEN_AT_RUNTIME = {
    "eventstore": {"httpx", "textual", "rich", "click", "projections", "catalog", "tui", "cli"},
    "projections": {"httpx", "textual", "rich", "click", "catalog", "tui", "cli"},
    "catalog": {"textual", "tui", "cli"},  # httpx itself loads click and rich (its own CLI)
    "tui": {"cli"},
}
#: The presentation both UIs share: no network, no UI library.
PRESENTATION = [
    "catalog.present.details",
    "catalog.present.pypi",
    "catalog.present.events",
    "catalog.present.report",
    "catalog.present.compare",
    "catalog.present.export",
    "catalog.present.stack",
    "catalog.text",
    "catalog.read.rows",
    "catalog.read.filters",
]
#: catalog/'s rooms and the rooms each may import (ARCHITECTURE.md draws them). "root" is
#: the few modules shared by all (catalog.catalog, errors, text, api, http), which import
#: no room.
CATALOG_ROOMS = {
    "root": set(),
    "upstream": {"root"},
    "pypi": {"root"},
    "read": {"root", "pypi"},  # rows digest PyPI's facts for columns, sorts and filters
    "edits": {"root", "read"},  # lookups only: see the filter-language test below
    "stacks": {"root", "pypi", "read", "edits"},
    "present": {"root", "upstream", "pypi", "read", "edits", "stacks"},
}


def _catalog_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "catalog").rglob("*.py") if p.name != "__init__.py")


def test_the_architecture_document_draws_every_room_and_module():
    """Each room of catalog/ and each module in it is named in ARCHITECTURE.md's drawing,
    and every catalog module the drawing names exists."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    drawing = text[text.index("```") : text.index("```", text.index("```") + 3)]
    missing = [f"{room}/" for room in CATALOG_ROOMS if room != "root" and f"{room}/" not in drawing]
    missing += [p.stem for p in _catalog_modules() if f"{p.stem}.py" not in drawing]
    assert missing == []
    rooms = {p.name for p in (ROOT / "catalog").iterdir() if (p / "__init__.py").exists()}
    assert rooms == set(CATALOG_ROOMS) - {"root"}


def _imports(path: Path) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def _module_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module] if node.level == 0 and node.module else []


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("layer", sorted(ALLOWED_THIRD_PARTY))
def test_layer_imports_only_what_it_may(layer):
    allowed = ALLOWED_THIRD_PARTY[layer] | {layer} | set(sys.stdlib_module_names)
    offenders = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        tops = {name.split(".")[0] for node in _imports(path) for name in _module_names(node)}
        bad = tops - allowed
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def _loaded_by(imports: str, whole: bool = False) -> set[str]:
    """The top-level packages (or, ``whole``, the modules) that ``imports`` loads."""
    name = "n" if whole else "n.split('.')[0]"
    code = (
        f"import json, sys, importlib, pkgutil\n{imports}\n"
        f"print(json.dumps(sorted({{{name} for n in sys.modules}})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_AT_RUNTIME))
@pytest.mark.slow
def test_layer_loads_no_higher_layer(layer):
    loaded = _loaded_by(
        f"import {layer}\n"
        f"for m in pkgutil.walk_packages({layer}.__path__, '{layer}.'):\n"
        "    importlib.import_module(m.name)"
    )
    assert loaded & FORBIDDEN_AT_RUNTIME[layer] == set()


def test_the_command_line_loads_textual_only_to_run_the_app():
    loaded = _loaded_by(
        "import cli\nfor m in pkgutil.walk_packages(cli.__path__, 'cli.'):\n"
        "    importlib.import_module(m.name)"
    )
    assert "click" in loaded and not loaded & {"textual", "tui"}


def test_the_shared_presentation_has_no_network_and_no_ui():
    loaded = _loaded_by("\n".join(f"import {m}" for m in PRESENTATION))
    assert (
        loaded & {"httpx", "textual", "rich", "click", "tui", "cli"} == set()
    )  # no httpx: no click


def _tui_graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted((ROOT / "tui").rglob("*.py")):
        names = {n for node in _imports(path) for n in _module_names(node)}
        graph[_module_of(path)] = {n for n in names if n.split(".")[0] == "tui"}
    return graph


def test_no_import_circle_inside_the_app():
    graph = _tui_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                pytest.fail(f"import circle: {' -> '.join([*path, module, target])}")
            if target not in state:
                visit(target, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_screens_never_import_each_other():
    graph = _tui_graph()
    shared = {"tui.screens", "tui.screens.base", "tui.screens.package_keys"}  # what all share
    offenders = {
        module: sorted(t for t in targets if t.startswith("tui.screens.") and t not in shared)
        for module, targets in graph.items()
        if module.startswith("tui.screens.") and module not in shared
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_no_private_name_is_imported_from_another_module():
    offenders = []
    for layer in sorted(OURS):
        for path in sorted((ROOT / layer).rglob("*.py")):
            for node in _imports(path):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in OURS:
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    if private:
                        offenders.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert offenders == []


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else "root"


def test_catalog_rooms_import_only_the_rooms_below():
    offenders = []
    for path in _catalog_modules() + sorted((ROOT / "catalog").rglob("__init__.py")):
        mine = _room(_module_of(path)) if path.parent != ROOT / "catalog" else "root"
        for node in _imports(path):
            for name in _module_names(node):
                if name.split(".")[0] != "catalog" or name == "catalog":
                    continue
                theirs = _room(name)
                if theirs != mine and theirs not in CATALOG_ROOMS[mine]:
                    offenders.append(f"{path.relative_to(ROOT)} ({mine}) imports {name}")
    assert offenders == []


def _walk(package: str) -> str:
    return (
        f"import {package}\n"
        f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    importlib.import_module(m.name)\n"
    )


@pytest.mark.parametrize("room", ["catalog.upstream", "catalog.pypi", "catalog.stacks"])
@pytest.mark.slow
def test_fetching_and_judging_never_load_the_presentation(room):
    loaded = _loaded_by(_walk(room), whole=True)
    assert sorted(m for m in loaded if m.startswith("catalog.present")) == []


def test_edits_never_load_the_filter_language():
    loaded = _loaded_by(_walk("catalog.edits"), whole=True)
    assert loaded & {"catalog.read.filters", "catalog.read.queries"} == set()
    assert "catalog.edits.validation" in loaded  # the walk did load the edits


def test_screens_ask_the_controller_not_its_parts():
    """Screens, dialogs, widgets and the palette call the controller's own methods; its parts
    (the browser, the settings, the workspace, the fetching and editing parts) are its own."""
    parts = {"browser", "settings", "space", "_fetching", "catalog"}
    offenders = []
    paths = [*(ROOT / "tui").glob("*/*.py"), ROOT / "tui" / "palette.py"]
    for path in sorted(paths):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Attribute) and node.attr in parts):
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "controller":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} controller.{node.attr}")
    assert offenders == []


def test_only_the_controller_changes_what_the_app_is_doing():
    """The activity (idle, sync, PyPI, travel) is set in tui/controller.py alone."""
    offenders = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        if path.name == "controller.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "activity":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "_set_activity":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []

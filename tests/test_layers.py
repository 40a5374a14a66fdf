"""The layer rule, machine-checked: imports point down only (see architecture.md).

Two checks: a static one over every import statement in each layer (lazy imports included),
and a runtime one that imports each layer in a fresh interpreter and inspects sys.modules.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ALLOWED_THIRD_PARTY = {
    "eventstore": {"lmdb", "msgspec"},
    "projections": {"lmdb", "msgspec", "eventstore"},
    "catalog": {"lmdb", "msgspec", "eventstore", "projections", "httpx", "platformdirs", "wcwidth"},
}
FORBIDDEN_AT_RUNTIME = {
    "eventstore": {"httpx", "textual", "rich", "projections", "catalog", "tui"},
    "projections": {"httpx", "textual", "rich", "catalog", "tui"},
    "catalog": {"textual", "tui"},
}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(ALLOWED_THIRD_PARTY))
def test_layer_imports_only_what_it_may(layer):
    allowed = ALLOWED_THIRD_PARTY[layer] | {layer} | set(sys.stdlib_module_names)
    offenders = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        bad = _imported_top_levels(path) - allowed
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_AT_RUNTIME))
def test_layer_loads_no_higher_layer(layer):
    code = (
        f"import json, sys, importlib, pkgutil\nimport {layer}\n"
        f"for m in pkgutil.walk_packages({layer}.__path__, '{layer}.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    assert loaded & FORBIDDEN_AT_RUNTIME[layer] == set()

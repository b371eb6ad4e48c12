"""Layers point one way: `ecoute.lib` and `ecoute.analytics` import no app of the product."""

import ast
from pathlib import Path

import pytest

ECOUTE = Path(__file__).resolve().parents[2] / "ecoute"
APPS = sorted(p.name for p in ECOUTE.iterdir() if (p / "apps.py").exists() and p.name != "lib")


def _runtime_imports(tree: ast.Module) -> list[str]:
    """Modules imported when the file runs; imports only for the type checker do not count."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


@pytest.mark.parametrize("layer", ["lib", "analytics"])
def test_the_shared_layers_import_no_app(layer: str) -> None:
    # Given every module of the layer
    offending = []
    for path in sorted((ECOUTE / layer).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        # When its imports are read
        for module in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            # Then none is an app of the product
            if any(module == f"ecoute.{app}" or module.startswith(f"ecoute.{app}.") for app in APPS):
                offending.append(f"{path.relative_to(ECOUTE)} imports {module}")
    assert APPS, "no app found"
    assert offending == []

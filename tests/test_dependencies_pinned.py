"""A fresh clone installs what the product imports: every third-party module that `ecoute/` imports,
and every installed app, comes from a distribution declared in pyproject.toml and pinned in
requirements.lock (a package installed by hand on one machine hides the gap until a new user runs
`make demo`)."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _top_level_imports() -> set[str]:
    modules: set[str] = set()
    for path in (ROOT / "ecoute").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules |= {app.split(".")[0] for app in settings.INSTALLED_APPS}
    return {module for module in modules if module not in sys.stdlib_module_names and module != "ecoute"}


def _pinned() -> set[str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {_canonical(line.split("==")[0]) for line in lines if "==" in line}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_canonical(re.split(r"[<>=!~\[; ]", spec)[0]) for spec in project["dependencies"]}


def test_every_module_the_product_imports_is_declared_and_pinned() -> None:
    # Given the product's imports and installed apps, and the distributions that provide them
    providers = packages_distributions()
    pinned, declared = _pinned(), _declared()
    # When each third-party module is traced to its distribution
    missing = []
    for module in sorted(_top_level_imports()):
        distributions = {_canonical(name) for name in providers.get(module, [])}
        if not distributions & pinned or not distributions & (declared | _transitive(distributions)):
            missing.append(f"{module} ({', '.join(sorted(distributions)) or 'not installed'})")
    # Then none is missing from pyproject.toml's dependencies or from requirements.lock
    assert missing == []


def _transitive(distributions: set[str]) -> set[str]:
    """Distributions that a declared dependency brings (Django brings asgiref and sqlparse)."""
    from importlib.metadata import PackageNotFoundError, requires

    brought: set[str] = set()
    for declared in _declared():
        try:
            needs = requires(declared) or []
        except PackageNotFoundError:
            continue
        brought |= {
            _canonical(re.split(r"[<>=!~\[; (]", need)[0]) for need in needs if "extra ==" not in need
        }
    return brought & distributions

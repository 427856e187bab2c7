"""Lessons pay the statistics libraries' import in their setup cell, not in a later cell.

A lesson's setup cell imports the toolkit's packages (``from citykit import contracting``); the
statistics libraries that the packages' functions import on first use must already be loaded
then, so no later cell waits a second for an import. Each check runs in a fresh interpreter.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOLKIT = Path(__file__).resolve().parents[1] / "toolkit" / "citykit"
#: Libraries whose import takes a noticeable part of a second (jsonschema builds its format
#: checkers' grammars, frictionless loads pydantic).
HEAVY = ("statsmodels", "scipy", "patsy", "formulaic", "jsonschema", "frictionless")


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _deferred_imports(package: str) -> set[str]:
    """Heavy modules imported inside functions of ``package`` (its first-use imports)."""
    found = set()
    for path in sorted((TOOLKIT / package).rglob("*.py")):  # sub-packages too
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    # ``from scipy import stats`` loads scipy.stats; ``from x import f``, x
                    names = [node.module]
                    names += [f"{node.module}.{alias.name}" for alias in node.names]
                    names = [n for n in names if _is_module(n)]
                else:
                    continue
                found.update(n for n in names if n.split(".")[0] in HEAVY)
    return found


def _loaded_after(statement: str) -> set[str]:
    """The heavy modules loaded in a fresh interpreter after ``statement``."""
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps([m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("package", ["contracting", "opendata", "evaluation", "performance"])
def test_first_use_imports_are_loaded_with_the_package(package):
    deferred = _deferred_imports(package)
    assert deferred, "the scan finds the function-level imports"
    missing = deferred - _loaded_after(f"from citykit import {package}")
    assert not missing, f"imported on first use, after the setup cell: {sorted(missing)}"


def test_the_scan_sees_a_first_use_import_that_is_not_preloaded():
    # the check above can fail: in a bare interpreter these imports are not loaded yet
    deferred = _deferred_imports("contracting")
    assert {"statsmodels.api", "scipy.stats"} <= deferred
    assert not deferred & _loaded_after("import citykit")

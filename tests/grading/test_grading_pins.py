"""nbgrader is pinned to the minor series whose internals the grader patches, and they are there.

``citykit grade`` replaces three nbgrader internals (``citykit.grading._speedups`` and
``citykit.grading.gradebook``). A new nbgrader that moves one would silently undo a patch (or
break grading); these tests fail first, naming what moved.
"""

from __future__ import annotations

import tomllib
import types
from importlib import metadata
from pathlib import Path

import pytest
from citykit.grading import _speedups
from citykit.grading.gradebook import use_fast_schema_version
from packaging.requirements import Requirement
from packaging.version import Version

pytestmark = pytest.mark.grading

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {}
    for text in project["project"]["dependencies"]:
        requirement = Requirement(text)
        if requirement.name == "nbgrader":
            pins["pyproject.toml"] = requirement.specifier
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        item = line.strip().removeprefix("- ").strip()
        if item.startswith("nbgrader"):
            pins["environment.yml"] = Requirement(item.replace(" ", "")).specifier
    return pins


def test_nbgrader_is_pinned_to_the_tested_minor_series_in_both_files():
    installed = Version(metadata.version("nbgrader"))
    pins = _pins()
    assert set(pins) == {"pyproject.toml", "environment.yml"}
    next_minor = Version(f"{installed.major}.{installed.minor + 1}.0")
    for where, specifier in pins.items():
        assert installed in specifier, f"{where}: {specifier} excludes the tested {installed}"
        assert next_minor not in specifier, f"{where}: {specifier} allows untested {next_minor}"
    assert str(pins["pyproject.toml"]) == str(pins["environment.yml"])


def test_the_internals_the_grader_patches_are_where_it_patches_them():
    assert _speedups.internals_problems() == []
    # and still found once the patches are in place (a worker checks after applying them)
    use_fast_schema_version()
    _speedups.apply()
    assert _speedups.internals_problems() == []


class _MovedValidator:
    def validate_cell(self, cell):
        return self.validator.validate(cell)  # no longer calls jsonschema.validate


class _Gradebook:
    def __init__(self, db_url):
        self.engine = create_engine(db_url)  # noqa: F821 - only its source is read
        self.version = get_alembic_version()  # noqa: F821


def _fake(*, validator=_MovedValidator, api_names=("create_engine", "get_alembic_version")):
    common = types.SimpleNamespace(jsonschema=object(), BaseMetadataValidator=validator)
    api = types.SimpleNamespace(Gradebook=_Gradebook)
    for name in api_names:
        setattr(api, name, lambda: "head")
    return {"nbgrader.nbgraderformat.common": common, "nbgrader.api": api}


def test_a_moved_or_changed_internal_is_named():
    problems = _speedups.internals_problems(_fake())
    assert problems == [
        "nbgrader.nbgraderformat.common.BaseMetadataValidator.validate_cell no longer calls "
        "jsonschema.validate(...)"
    ]
    problems = _speedups.internals_problems(_fake(api_names=("get_alembic_version",)))
    assert "nbgrader.api.create_engine is gone" in problems
    changed = _fake()
    changed["nbgrader.api"].get_alembic_version = lambda config: "head"
    problems = _speedups.internals_problems(changed)
    assert any("get_alembic_version takes arguments now" in p for p in problems)

"""Run the Examples sections of the open-data modules as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "citykit.opendata.metadata",
    "citykit.opendata.metadata.schemas",
    "citykit.opendata.metadata.records",
    "citykit.opendata.metadata.validation",
    "citykit.opendata.metadata.fixes",
    "citykit.opendata.quality",
    "citykit.opendata.readiness",
    "citykit.opendata.datapackage",
    "citykit.opendata.privacy",
    "citykit.opendata.privacy.counts",
    "citykit.opendata.privacy.ranges",
    "citykit.opendata.privacy.suppression",
    "citykit.opendata.privacy.kanonymity",
    "citykit.opendata.priority",
    "citykit.opendata.engagement",
    "citykit.synth.opendata",
    "citykit.synth.permits",
    "citykit.plots.opendata",
    "citykit.widgets.opendata",
]


def _existing(names):
    out = []
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        out.append(name)
    return out


@pytest.mark.parametrize("name", _existing(MODULES))
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

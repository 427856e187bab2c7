"""Run the Examples in every docstring of the performance package (they are tests too)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "citykit.performance",
    "citykit.performance._checks",
    "citykit.performance.rules",
    "citykit.performance.charts",
    "citykit.performance.charts.result",
    "citykit.performance.charts._prepare",
    "citykit.performance.charts.xmr",
    "citykit.performance.charts.subgroups",
    "citykit.performance.charts.attributes",
    "citykit.performance._fast_groupby",
    "citykit.performance.measures",
    "citykit.performance.time_to_close",
    "citykit.performance.targets",
    "citykit.performance.quality",
    "citykit.performance.brief",
    "citykit.synth.measures",
    "citykit.plots.performance",
    "citykit.widgets.performance",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0

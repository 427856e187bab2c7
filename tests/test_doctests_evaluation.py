"""Run the Examples sections of every evaluation module as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "citykit.evaluation",
    "citykit.evaluation.power",
    "citykit.evaluation.power.standardized",
    "citykit.evaluation.power.proportions",
    "citykit.evaluation.power.means",
    "citykit.evaluation.power.clusters",
    "citykit.evaluation.regression",
    "citykit.evaluation.estimate",
    "citykit.evaluation.assign",
    "citykit.evaluation.balance",
    "citykit.evaluation.multiple",
    "citykit.evaluation.randomization",
    "citykit.plots.evaluation",
    "citykit.widgets.evaluation",
    "citykit.synth.trials",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0

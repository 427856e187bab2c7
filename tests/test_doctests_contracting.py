"""Run the docstring examples of every contracting module (they are part of the documentation)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "citykit.contracting",
    "citykit.contracting.hmis",
    "citykit.contracting.hmis.destinations",
    "citykit.contracting.hmis.enrollments",
    "citykit.contracting.hmis.quality",
    "citykit.contracting.hmis.outcomes",
    "citykit.contracting.hmis.returns",
    "citykit.contracting.hmis.clients",
    "citykit.contracting.risk",
    "citykit.contracting.poisson_binomial",
    "citykit.contracting.model_checks",
    "citykit.contracting.funnel",
    "citykit.contracting.spm",
    "citykit.contracting.report",
    "citykit.contracting.incentives",
    "citykit.contracting.procurement",
    "citykit.plots.contracting",
    "citykit.widgets.contracting",
    "citykit.synth.homeless",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

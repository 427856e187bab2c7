"""Every docstring example of the core modules runs and prints what it says."""

from __future__ import annotations

import doctest

import pytest
from citykit import (
    _display,
    _renamed,
    argtypes,
    check,
    datasets,
    errors,
    methods,
    paths,
    synth,
    tips,
)
from citykit.check import banks, canonical, exercise, sealed, shapes, verdicts
from citykit.course import layout
from citykit.plots import _style
from citykit.synth import _core, requests311

MODULES = [errors, datasets, check, tips, synth, _core, requests311, _style]
MODULES += [paths, argtypes, methods, layout, _renamed, _display]
MODULES += [banks, canonical, exercise, sealed, shapes, verdicts]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags)
    assert result.failed == 0
    assert result.attempted > 0, f"{module.__name__} has no runnable example"

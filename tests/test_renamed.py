"""Old names of renamed options keep working for one release, warn, and never clash silently."""

from __future__ import annotations

import warnings

import pytest
from citykit._renamed import renamed_function, renamed_options
from citykit.errors import CityKitError


@renamed_options({"level": lambda v: 1 - v}, level="alpha", group="by")
def interval(data, *, alpha=0.05, by=None):
    return data, round(alpha, 3), by


def test_the_new_names_work_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert interval(1, alpha=0.1, by="d") == (1, 0.1, "d")


def test_an_old_name_works_converted_and_names_the_new_one():
    with pytest.warns(FutureWarning, match=r"interval\(level=\.\.\.\) is now interval\(alpha="):
        assert interval(1, level=0.9) == (1, 0.1, None)
    with pytest.warns(FutureWarning, match=r"interval\(group=\.\.\.\) is now interval\(by="):
        assert interval(1, group="d") == (1, 0.05, "d")


def test_both_names_at_once_are_refused():
    with pytest.raises(CityKitError, match="got both level= and alpha="):
        interval(1, level=0.9, alpha=0.1)


def test_a_renamed_function_warns_and_still_works():
    def plot_thing(x):
        return x * 2

    old = renamed_function(plot_thing, "thing_chart")
    assert old.__name__ == "thing_chart"
    with pytest.warns(FutureWarning, match=r"thing_chart\(\) is now plot_thing\(\)"):
        assert old(2) == 4


def test_an_option_made_keyword_only_still_works_by_position_with_a_warning():
    from citykit._renamed import keyword_only_options

    @keyword_only_options("measures", "by")
    def compute(data, *, measures, by=None):
        return data, measures, by

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compute(1, measures=2) == (1, 2, None)
    with pytest.warns(FutureWarning, match=r"compute\(\.\.\., measures=\.\.\.\)"):
        assert compute(1, 2) == (1, 2, None)
    with pytest.raises(CityKitError, match="both by position and by name"):
        compute(1, 2, measures=3)
    with pytest.raises(CityKitError, match="pass the options by name"):
        compute(1, 2, 3, 4)

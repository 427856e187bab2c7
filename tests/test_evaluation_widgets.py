"""The power / MDE explorer works headless: change a control, read the result."""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import pytest
from citykit.errors import ArgumentRangeError, UnknownNameError
from citykit.evaluation import mde_two_proportions
from citykit.widgets.evaluation import power_explorer


def test_explorer_is_a_container_with_controls():
    explorer = power_explorer(draw=False)
    assert isinstance(explorer, ipywidgets.VBox)
    for name in ("control_rate", "n_per_arm", "alpha", "power", "method", "summary", "output"):
        assert getattr(explorer, name) in explorer.children


def test_result_follows_the_controls():
    explorer = power_explorer(control_rate=0.20, n_per_arm=1000, draw=False)
    # methods.md §1.3: p0 = 0.20, 1,000 per arm -> arcsine MDE 5.23 pp
    assert round(explorer.result.mde_pp, 2) == 5.23
    assert "5.2 percentage points" in explorer.summary.value
    explorer.n_per_arm.value = 4000
    assert explorer.result.n_per_arm == 4000
    assert explorer.result.mde == pytest.approx(
        mde_two_proportions(control_rate=0.20, n_per_arm=4000), rel=1e-12
    )
    explorer.method.value = "pooled"
    assert explorer.result.mde == pytest.approx(
        mde_two_proportions(control_rate=0.20, n_per_arm=4000, method="pooled"), rel=1e-12
    )
    before = explorer.result.mde
    explorer.power.value = 0.9
    assert explorer.result.mde > before
    explorer.alpha.value = 0.10
    assert explorer.result.alpha == pytest.approx(0.10)
    curve = explorer.result.curve
    # pooled (R power.prop.test) counts only the near tail: at no effect, power = alpha / 2
    assert curve["power"].iloc[0] == pytest.approx(0.05, abs=1e-9)


def test_too_small_a_test_says_so():
    explorer = power_explorer(control_rate=0.97, n_per_arm=20, draw=False)
    assert math.isnan(explorer.result.mde)
    assert "no rise can be detected" in explorer.summary.value


def test_drawing_keeps_the_latest_axes(capsys):
    explorer = power_explorer(control_rate=0.4, n_per_arm=500)
    assert explorer.axes is not None
    assert explorer.axes.get_xlabel() == "True effect (percentage points)"
    capsys.readouterr()


def test_bad_starting_values():
    with pytest.raises(ArgumentRangeError, match="alpha"):
        power_explorer(alpha=5, draw=False)
    with pytest.raises(ArgumentRangeError, match="power"):
        power_explorer(power=1.2, draw=False)
    with pytest.raises(ArgumentRangeError, match="n_per_arm"):
        power_explorer(n_per_arm=1, draw=False)
    with pytest.raises(UnknownNameError):
        power_explorer(method="exact", draw=False)


def test_no_warning_escapes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer = power_explorer(draw=False)
        explorer.control_rate.value = 0.9
        explorer.n_per_arm.value = 30


def test_result_reads_as_a_sentence():
    explorer = power_explorer(control_rate=0.20, n_per_arm=1000, draw=False)
    assert "smallest rise this test can reliably detect" in repr(explorer.result)
    assert explorer.result._repr_html_().startswith("<p>")


def test_units_readout_groups_thousands():
    explorer = power_explorer(n_per_arm=20000, draw=False)
    assert explorer.n_per_arm.readout_format == ",d"
    assert format(explorer.n_per_arm.value, explorer.n_per_arm.readout_format) == "20,000"
    assert "20,000 units per arm" in explorer.result.message

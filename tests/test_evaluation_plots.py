"""Evaluation figures: what is drawn matches the numbers, labels carry units."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError, MissingColumnError
from citykit.evaluation import (
    balance_table,
    estimate_effects,
    mde_two_proportions,
    power_curve,
)
from citykit.plots.evaluation import coefficient_plot, love_plot, power_curve_plot

UNITS = pd.DataFrame(
    {
        "arm": ["control"] * 6 + ["letter"] * 6,
        "late": [0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1],
        "balance": [120, 80, 95, 150, 60, 75, 110, 70, 130, 90, 85, 100],
        "type": ["home", "shop"] * 6,
        "paid": [0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1],
    }
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_love_plot_draws_each_smd_and_thresholds():
    bal = balance_table(UNITS, covariates=["late", "balance", "type"])
    ax = love_plot(bal)
    points = np.vstack([c.get_offsets() for c in ax.collections])
    assert sorted(points[:, 0]) == pytest.approx(sorted(bal.table["smd"]))
    vertical = [line.get_xdata()[0] for line in ax.get_lines()]
    for value in (0.1, -0.1, 0.25, -0.25, 0):
        assert any(np.isclose(v, value) for v in vertical)
    assert "SD units" in ax.get_xlabel()
    assert ax.get_title(loc="left") == "Baseline balance: standardized differences"


def test_coefficient_plot_in_percentage_points_with_truth():
    res = estimate_effects(UNITS, outcome="paid")
    ax = coefficient_plot(res, reference={"letter": 0.2})
    x, _ = ax.lines[0].get_data()
    assert x[0] == pytest.approx(100 * res.table["estimate"][0])
    assert ax.get_xlabel() == "Effect vs control (percentage points)"
    crosses = ax.collections[-1].get_offsets()
    assert crosses[0][0] == pytest.approx(20.0)


def test_coefficient_plot_for_a_count_outcome_names_the_unit():
    res = estimate_effects(UNITS, outcome="balance")
    ax = coefficient_plot(res, unit="US dollars")
    assert ax.get_xlabel() == "Effect vs control (US dollars)"


def test_power_curve_plot_marks_the_mde():
    curve = power_curve(control_rate=0.4, n_per_arm=800)
    ax = power_curve_plot(curve)
    mde_pp = 100 * mde_two_proportions(control_rate=0.4, n_per_arm=800)
    marked = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert marked and marked[0] == pytest.approx(mde_pp, abs=0.05)  # read off a 41-point grid
    assert "percentage points" in ax.get_xlabel()


def test_bad_inputs_and_no_warnings():
    with pytest.raises(MissingColumnError):
        love_plot(pd.DataFrame({"x": [1]}))
    with pytest.raises(CityKitError, match="no rows"):
        love_plot(pd.DataFrame(columns=["covariate", "level", "arm", "smd"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        love_plot(balance_table(UNITS, covariates=["late"]))
        coefficient_plot(estimate_effects(UNITS, outcome="paid"))
        power_curve_plot(power_curve(control_rate=0.2, n_per_arm=100))

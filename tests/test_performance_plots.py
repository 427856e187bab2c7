"""Performance figures: control chart with limits, signals and phase line; small multiples; MMR bars."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError, MissingColumnError
from citykit.performance import (
    p_chart,
    r_chart,
    target_status,
    target_summary,
    xbar_chart,
    xmr_chart,
)
from citykit.plots import PALETTE
from citykit.plots.performance import (
    control_chart_plot,
    measures_vs_target_plot,
    target_summary_plot,
)
from citykit.synth import measures
from citykit.synth._core import RIVERTON


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scorecard():
    return measures.generate(seed=20240501, city=RIVERTON)["department_measures"]


def test_control_chart_plot_draws_limits_signals_and_phase():
    months = pd.date_range("2024-01-01", periods=8, freq="MS")
    data = pd.DataFrame({"month": months, "days": [5.0, 5.2, 4.9, 5.1, 5.0, 9.0, 5.1, 5.0]})
    chart = xmr_chart(data, value="days", period="month", baseline=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = control_chart_plot(chart, ylabel="Median days to close (days)")
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"days", "centre", "control limits", "end of baseline"} <= set(labels)
    ucl_line = ax.get_lines()[labels.index("control limits")]
    np.testing.assert_allclose(ucl_line.get_ydata(), chart.table["ucl"])
    # one signal (June), drawn in vermillion and labelled with its rule
    (points,) = ax.collections
    assert len(points.get_offsets()) == 1
    assert matplotlib.colors.to_hex(points.get_facecolor()[0]) == PALETTE["vermillion"].lower()
    assert [t.get_text() for t in ax.texts] == ["WE1"]
    assert ax.get_ylabel() == "Median days to close (days)"
    assert ax.get_title(loc="left").startswith("XmR chart")


def test_control_chart_plot_legend_never_covers_the_data(scorecard):
    # every series of the sample city, long labels included: the legend sits outside the axes
    # (beside the data area, not on it) and wholly inside the figure (not cut off)
    for (department, name), series in scorecard.groupby(["department", "measure"]):
        chart = xmr_chart(series, value="value", period="month", baseline=12, label=name)
        ax = control_chart_plot(chart, title=department)
        figure = ax.figure
        figure.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert not legend.overlaps(ax.get_window_extent()), (department, name)
        assert legend.x0 >= ax.bbox.x1, (department, name)
        assert figure.bbox.contains(legend.x0, legend.y0), (department, name)
        assert figure.bbox.contains(legend.x1, legend.y1), (department, name)
        plt.close(figure)


def test_control_chart_plot_month_labels_do_not_run_together(scorecard):
    # two years of months beside an outside legend: the labels keep a gap between them
    for (department, name), series in scorecard.groupby(["department", "measure"]):
        chart = xmr_chart(series, value="value", period="month", baseline=12, label=name)
        ax = control_chart_plot(chart, title=department)
        ax.figure.canvas.draw()
        boxes = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
        assert len(boxes) >= 3, (department, name)
        gaps = [right.x0 - left.x1 for left, right in zip(boxes, boxes[1:], strict=False)]
        assert min(gaps) >= 5, (department, name, [t.get_text() for t in ax.get_xticklabels()])
        plt.close(ax.figure)


def test_p_chart_plot_uses_percent_axis(scorecard):
    series = scorecard[scorecard["measure"] == "Missed pickups resolved next day"].copy()
    series["hits"] = (series["value"] * series["cases"]).round()
    chart = p_chart(series, numerator="hits", denominator="cases", period="month", baseline=15)
    ax = control_chart_plot(chart)
    assert ax.yaxis.get_major_formatter().__class__.__name__ == "PercentFormatter"
    assert "share" in ax.get_ylabel()


def test_xbar_and_r_charts_draw_on_two_panels():
    # an X-bar/R pair: subgroup means above, ranges below, each with its own limits
    rng = np.random.default_rng(3)
    days = np.repeat(pd.date_range("2024-03-01", periods=20, freq="D"), 5)
    minutes = rng.normal(30, 4, 100) + np.where(days >= days[80], 9, 0)  # a late shift
    data = pd.DataFrame({"day": days, "minutes": minutes})
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
    xbar = xbar_chart(data, value="minutes", period="day", baseline=15)
    control_chart_plot(xbar, ax=top, ylabel="Minutes to respond (mean of 5)")
    control_chart_plot(r_chart(data, value="minutes", period="day", baseline=15), ax=bottom)
    assert top.get_title(loc="left") == "X-bar (R) chart: mean of minutes"
    assert bottom.get_ylabel() == "range of minutes"
    centre = [line for line in top.get_lines() if line.get_label() == "centre"][0]
    assert np.allclose(centre.get_ydata(), xbar.centre)
    assert xbar.signals["period"].min() >= pd.Timestamp("2024-03-17")


def test_measures_vs_target_small_multiples(scorecard):
    water = scorecard[scorecard["department"] == "Water Utility"]
    axes = measures_vs_target_plot(water)
    assert len(axes) == 3
    assert [a.get_title(loc="left") for a in axes][2] == "Main breaks per 100 miles of pipe"
    assert axes[2].get_ylabel() == "breaks per 100 miles"
    target_line = axes[0].get_lines()[1]
    assert set(target_line.get_ydata()) == {0.9}


def test_target_summary_plot(scorecard):
    latest = scorecard[scorecard["month"] == "2024-12-01"]
    summary = target_summary(target_status(latest), by="department")
    ax = target_summary_plot(summary, by="department")
    assert len(ax.patches) == len(RIVERTON.departments)
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == sorted(summary["share_met"])
    assert "share" in ax.get_xlabel()


def test_plot_bad_inputs():
    with pytest.raises(CityKitError, match="draws the result of a chart function"):
        control_chart_plot(pd.DataFrame({"value": [1, 2]}))
    with pytest.raises(MissingColumnError):
        measures_vs_target_plot(pd.DataFrame({"measure": ["a"]}))
    with pytest.raises(MissingColumnError, match="share_met"):
        target_summary_plot(pd.DataFrame({"agency": ["a"]}))

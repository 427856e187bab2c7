"""Figures for performance management: control charts, measures against targets, MMR summary."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from citykit._renamed import renamed_function
from citykit.errors import CityKitError, require_columns
from citykit.plots._style import PALETTE, finish_axes, get_axes

__all__ = ["control_chart_plot", "measures_vs_target_plot", "target_summary_plot"]


def _is_share(label: str) -> bool:
    return "share" in str(label).lower()


def control_chart_plot(chart, *, ax=None, title: str | None = None, ylabel: str | None = None):
    """Draw a :class:`~citykit.performance.ControlChart`: values, centre, limits, signals, phase.

    Points with a signal are drawn as large vermillion dots and labelled with their rule codes;
    a dashed vertical line marks the end of the baseline whose variation set the limits. The
    legend sits to the right of the axes, so it never covers a point.

    Parameters
    ----------
    chart : ControlChart
        The result of :func:`citykit.performance.xmr_chart`, ``p_chart``, ``u_chart`` ...
    ax : matplotlib Axes, optional
        Where to draw (a new figure by default).
    title, ylabel : str, optional
        Override the default title and y-axis label (give the unit, e.g. "Days to close (days)").

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.performance import xmr_chart
    >>> chart = xmr_chart(pd.DataFrame({"value": [5.0, 5.5, 4.8, 5.2, 9.0, 5.1]}), baseline=4)
    >>> ax = control_chart_plot(chart, ylabel="Days to close (days)")
    >>> ax.get_ylabel()
    'Days to close (days)'
    """
    table = getattr(chart, "table", None)
    if table is None:
        raise CityKitError(
            "control_chart_plot() draws the result of a chart function, e.g. "
            "plots.control_chart_plot(performance.xmr_chart(data, value='days')); it got a "
            f"{type(chart).__name__}."
        )
    ax = get_axes(ax)
    x = table["period"]
    ax.plot(x, table["value"], color=PALETTE["blue"], marker="o", markersize=4, lw=1.5,
            label=chart.value_label)  # fmt: skip
    ax.plot(x, table["centre"], color=PALETTE["black"], lw=1, label="centre")
    step = "mid" if table["ucl"].nunique() > 1 else None
    for column, name in (("ucl", "control limits"), ("lcl", None)):
        ax.plot(x, table[column], color=PALETTE["grey"], lw=1, ls="--", drawstyle=(
            "steps-mid" if step else "default"), label=name)  # fmt: skip
    signals = table[table["signal"]]
    if len(signals):
        ax.scatter(signals["period"], signals["value"], s=70, color=PALETTE["vermillion"],
                   zorder=3, label="signal")  # fmt: skip
        # label the first point of each run of signals, so labels do not pile up
        starts = table["signal"] & ~table["signal"].shift(1, fill_value=False)
        for _, row in table[starts].head(30).iterrows():
            ax.annotate(row["rules"], (row["period"], row["value"]), textcoords="offset points",
                        xytext=(0, 7), ha="center", fontsize=7, color=PALETTE["vermillion"])  # fmt: skip
    baseline = table[table["phase"] == "baseline"]
    if len(baseline) and len(baseline) < len(table):
        end = baseline["period"].iloc[-1]
        ax.axvline(end, color=PALETTE["orange"], ls=":", lw=1.5, label="end of baseline")
    if _is_share(chart.value_label) or chart.chart.startswith("p"):
        ax.yaxis.set_major_formatter(_percent())
    if pd.api.types.is_datetime64_any_dtype(x):
        _concise_dates(ax)
    default_title = f"{chart.chart} chart: {chart.value_label}"
    default_ylabel = (
        f"{chart.value_label} (share)" if chart.chart.startswith("p") else chart.value_label
    )
    return finish_axes(
        ax,
        title=title or default_title,
        xlabel="Period",
        ylabel=ylabel or default_ylabel,
        legend="outside",  # the series crosses the whole panel: inside, a legend covers it
    )


def _concise_dates(ax) -> None:
    """Month ticks labelled briefly ("2024", "Apr", "Jul"), so they never run into each other."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1, decimals=0)


def measures_vs_target_plot(
    data: pd.DataFrame,
    *,
    measure: str = "measure",
    period: str = "month",
    value: str = "value",
    target: str = "target",
    unit: str | None = "unit",
    col_wrap: int = 3,
    height: float = 2.4,
):
    """Small multiples: each measure's values over time against its target line.

    Parameters
    ----------
    data : DataFrame
        Measures in long form (e.g. one department's rows of ``department_measures``).
    measure, period, value, target, unit : str, keyword-only
        Column names (``unit`` may be None).
    col_wrap : int, keyword-only
        Panels per row.
    height : float, keyword-only
        Height of each panel in inches.

    Returns
    -------
    numpy array of matplotlib Axes
        One Axes per measure (the figure is ``axes[0].figure``).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"measure": ["A"] * 3 + ["B"] * 3, "month": [1, 2, 3] * 2,
    ...                      "value": [1, 2, 3, 5, 4, 3], "target": [2] * 3 + [4] * 3,
    ...                      "unit": ["calls"] * 3 + ["days"] * 3})
    >>> axes = measures_vs_target_plot(data)
    >>> [a.get_title(loc="left") for a in axes]
    ['A', 'B']
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    require_columns(data, [c for c in (measure, period, value, target, unit) if c], argument="data")
    if len(data) == 0:
        raise CityKitError("data has no rows to draw.")
    names = list(dict.fromkeys(data[measure].astype(str)))
    ncols = max(1, min(col_wrap, len(names)))
    nrows = int(np.ceil(len(names) / ncols))
    fig, grid = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, height * nrows), squeeze=False,
                             layout="constrained")  # fmt: skip
    axes = grid.ravel()
    for ax, name in zip(axes, names, strict=False):
        part = data[data[measure].astype(str) == name].sort_values(period)
        unit_text = str(part[unit].iloc[0]) if unit else ""
        ax.plot(part[period], part[value], color=PALETTE["blue"], marker="o", markersize=3)
        ax.plot(part[period], part[target], color=PALETTE["orange"], ls="--", label="target")
        if _is_share(unit_text):
            ax.yaxis.set_major_formatter(_percent())
        finish_axes(ax, title="", xlabel="", ylabel=unit_text or value, legend=False)
        ax.set_title(textwrap.fill(name, 34), loc="left", fontsize=9, fontweight="bold")
        ax.tick_params(labelsize=7)
        if pd.api.types.is_datetime64_any_dtype(part[period]):
            locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(frameon=False, fontsize=7)
    return axes[: len(names)]


def target_summary_plot(
    summary: pd.DataFrame,
    *,
    by: str = "agency",
    share: str = "share_met",
    count: str = "with_target",
    ax=None,
    title: str = "Share of indicators meeting target",
):
    """Horizontal bars of the share of indicators meeting target by agency (MMR style).

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`citykit.performance.target_summary`.
    by, share, count : str, keyword-only
        Columns with the agency name, the share met and the number of indicators with targets.
    ax : matplotlib Axes, optional
        Where to draw.
    title : str, keyword-only
        The title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"agency": ["Parks", "Water"], "share_met": [0.5, 0.8],
    ...                         "with_target": [4, 5]})
    >>> target_summary_plot(summary).get_xlabel()
    'Indicators meeting target (share of those with a target)'
    """
    require_columns(summary, [by, share, count], argument="summary")
    if len(summary) == 0:
        raise CityKitError("summary has no rows to draw.")
    data = summary.dropna(subset=[share]).sort_values(share)
    ax = get_axes(ax, figsize=(8, max(2.5, 0.32 * len(data) + 1)))
    labels = data[by].astype(str)
    colours = [PALETTE["green"] if v >= 0.5 else PALETTE["vermillion"] for v in data[share]]
    ax.barh(labels, data[share], color=colours)
    for y, (v, n) in enumerate(zip(data[share], data[count], strict=True)):
        ax.text(v + 0.01, y, f"{v:.0%} of {int(n)}", va="center", fontsize=7)
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(_percent())
    return finish_axes(ax, title=title, xlabel="Indicators meeting target (share of those with "
                       "a target)", ylabel=by.replace("_", " ").capitalize())  # fmt: skip


# old names, for one release (each call warns and names the new one)
_OLD_NAMES = {
    "control_chart": renamed_function(control_chart_plot, "control_chart"),
    "measures_vs_target": renamed_function(measures_vs_target_plot, "measures_vs_target"),
    "target_summary_bars": renamed_function(target_summary_plot, "target_summary_bars"),
}

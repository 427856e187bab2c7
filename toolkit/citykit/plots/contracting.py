"""Figures for results-driven contracting: funnel plot, O/E intervals, provider trends.

Each function takes a result of :mod:`citykit.contracting` (or its table) and returns the
matplotlib ``Axes`` it drew on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, require_columns
from citykit.plots._style import PALETTE, finish_axes, get_axes

__all__ = ["provider_funnel_plot", "provider_oe_plot", "provider_trend_plot"]

_ZONE_COLOURS = {
    "within 95% limits": PALETTE["grey"],
    "above 95% limit": PALETTE["sky"],
    "below 95% limit": PALETTE["orange"],
    "above 99.8% limit": PALETTE["blue"],
    "below 99.8% limit": PALETTE["vermillion"],
}


def provider_funnel_plot(
    result,
    *,
    ax=None,
    highlight: list[str] | tuple[str, ...] = (),
    label_outside: bool = True,
    label_all: bool | None = None,
    max_labels: int = 12,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
):
    """Draw a funnel plot: providers against precision with 95% and 99.8% limits.

    Parameters
    ----------
    result : citykit.contracting.FunnelResult
        From :func:`citykit.contracting.funnel_data`.
    ax : matplotlib Axes, optional, keyword-only
        Where to draw; a new figure otherwise.
    highlight : list of str, keyword-only
        Labels to mark and name (e.g. ``["WA-500"]``).
    label_outside : bool, keyword-only
        Name the points outside the outer limits (at most ``max_labels``, most extreme first).
    label_all : bool, optional, keyword-only
        Name every point; by default done when there are at most ``max_labels`` points (a
        provider funnel), not for hundreds of units.
    max_labels : int, keyword-only
        Cap on automatic labels.
    title, xlabel, ylabel : str, optional, keyword-only
        Override the default texts.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    For observed / expected ratios of a yes/no outcome the curves use the system's average
    ``Var(O)/E``; each provider's own 95% (dashed) and 99.8% (solid) limits are drawn as short grey
    ticks at its point, and its colour follows them.

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.contracting import funnel_data
    >>> table = pd.DataFrame({"provider_id": ["A", "B", "C"], "O": [30, 12, 50],
    ...                       "E": [25.0, 20.0, 30.0]})
    >>> ax = provider_funnel_plot(funnel_data(table, observed="O", denominator="E"))
    >>> ax.get_xlabel()
    'Expected exits (count)'
    """
    if not hasattr(result, "table") or not hasattr(result, "limits"):
        raise CityKitError(
            "provider_funnel_plot needs the result of citykit.contracting.funnel_data(...), "
            f"not a {type(result).__name__}."
        )
    ax = get_axes(ax)
    limits, points = result.limits, result.table
    inner, outer = (f"{v * 100:g}".replace(".", "") for v in result.levels)
    step = "steps-mid" if result.method == "exact" and result.kind == "PR" else "default"
    x = limits["denominator"]
    ax.plot(
        x,
        limits[f"ul{outer}"],
        color=PALETTE["black"],
        lw=1.2,
        drawstyle=step,
        label=f"{result.levels[1]:.1%} limits",
    )
    ax.plot(x, limits[f"ll{outer}"], color=PALETTE["black"], lw=1.2, drawstyle=step)
    ax.plot(
        x,
        limits[f"ul{inner}"],
        color=PALETTE["black"],
        lw=1,
        ls="--",
        drawstyle=step,
        label=f"{result.levels[0]:.0%} limits",
    )
    ax.plot(x, limits[f"ll{inner}"], color=PALETTE["black"], lw=1, ls="--", drawstyle=step)
    ax.axhline(result.target, color=PALETTE["green"], lw=1, label=f"target {result.target:.3g}")
    if getattr(result, "variance", "") == "poisson-binomial":
        # each provider's own limits (its clients' chance variation), as short ticks at its point
        span = np.log(points["denominator"].max() * 1.2) - np.log(limits["denominator"].min())
        half = np.exp(0.025 * span)
        ticks = (
            (f"ll{outer}", "-"),
            (f"ul{outer}", "-"),
            (f"ll{inner}", "--"),
            (f"ul{inner}", "--"),
        )
        for number, (column, style) in enumerate(ticks):
            ax.hlines(
                points[column],
                points["denominator"] / half,
                points["denominator"] * half,
                color=PALETTE["grey"],
                lw=1.6,
                ls=style,
                zorder=2,
                label="each provider's own limits" if number == 0 else None,
            )
    colours = points["zone"].map(_ZONE_COLOURS).fillna(PALETTE["grey"])
    ax.scatter(
        points["denominator"],
        points["value"],
        c=list(colours),
        s=28,
        zorder=3,
        edgecolor="white",
        linewidth=0.5,
    )
    label_col = result.label
    named = set(map(str, highlight))
    if label_all or (label_all is None and len(points) <= max_labels):
        named |= set(points[label_col].astype(str))
    elif label_outside:
        outside = points[points["zone"].str.contains("99.8")]
        outside = outside.reindex(outside["z"].abs().sort_values(ascending=False).index)
        named |= set(outside[label_col].astype(str).head(max_labels))
    for _, row in points[points[label_col].astype(str).isin(named)].iterrows():
        marked = str(row[label_col]) in set(map(str, highlight))
        if marked:
            ax.scatter(
                [row["denominator"]],
                [row["value"]],
                s=90,
                facecolor="none",
                edgecolor=PALETTE["purple"],
                linewidth=2,
                zorder=4,
            )
        ax.annotate(
            str(row[label_col]),
            (row["denominator"], row["value"]),
            textcoords="offset points",
            xytext=(5, 4),
            fontsize=8,
            fontweight="bold" if marked else "normal",
        )
    if result.kind == "SR":
        default_x, default_y = "Expected exits (count)", "Observed / expected (ratio)"
    else:
        default_x, default_y = "Clients (count)", "Rate (share 0-1)"
    adjusted = " (overdispersion-adjusted)" if result.adjusted else ""
    return finish_axes(
        ax,
        title=title or f"Funnel plot{adjusted}",
        xlabel=xlabel or default_x,
        ylabel=ylabel or default_y,
        legend=True,
    )


def provider_oe_plot(ra, *, ax=None, title: str | None = None):
    """Observed/expected ratio with its exact interval for each provider (dot-and-whisker).

    Parameters
    ----------
    ra : citykit.contracting.RiskAdjustment or pandas.DataFrame
        The result of :func:`citykit.contracting.risk_adjust`, or its ``table``.
    ax : matplotlib Axes, optional, keyword-only
        Where to draw.
    title : str, optional, keyword-only
        Override the title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.contracting import risk_adjust
    >>> clients = pd.DataFrame({"provider_id": list("AAAABBBB"),
    ...     "high_risk": [0, 0, 0, 1, 0, 1, 1, 1], "housed": [1, 1, 0, 0, 1, 1, 0, 0]})
    >>> ax = provider_oe_plot(risk_adjust(clients, outcome="housed", risk_factors=["high_risk"]))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B']
    """
    table = ra.table if hasattr(ra, "table") else ra
    provider = getattr(ra, "provider", "provider_id")
    require_columns(table, [provider, "oe_ratio", "oe_low", "oe_high"], argument="ra")
    shown = table.dropna(subset=["oe_ratio"]).sort_values("oe_ratio")
    if shown.empty:
        raise CityKitError("no provider has an O/E ratio to plot (no clients?).")
    ax = get_axes(ax, figsize=(7, 0.45 * len(shown) + 1.5))
    y = np.arange(len(shown))
    significant = (shown["oe_low"] > 1) | (shown["oe_high"] < 1)
    colours = np.where(significant, PALETTE["vermillion"], PALETTE["blue"])
    ax.hlines(y, shown["oe_low"], shown["oe_high"], color=list(colours), lw=2)
    ax.scatter(shown["oe_ratio"], y, color=list(colours), zorder=3, s=30)
    ax.axvline(1, color=PALETTE["black"], lw=1, ls="--")
    ax.set_yticks(y, labels=shown[provider].astype(str).tolist())
    outcome = getattr(ra, "outcome", "outcome")
    return finish_axes(
        ax,
        title=title or f"{outcome}: observed / expected, 95% interval",
        xlabel="Observed / expected (ratio; dashed line 1 = as expected)",
        ylabel="Provider",
        legend=False,
    )


def provider_trend_plot(
    trends: pd.DataFrame,
    *,
    providers: list[str] | None = None,
    target: float | None = None,
    ax=None,
    title: str | None = None,
):
    """Monthly exit-to-permanent-housing rate per provider, with an optional target line.

    Parameters
    ----------
    trends : pandas.DataFrame
        ``provider_id``, ``month``, ``exits``, ``ph_exits`` (e.g. ``ProgressReport.trends``).
    providers : list of str, optional, keyword-only
        Which providers to draw (default all, at most 8 for readability).
    target : float, optional, keyword-only
        Contract target to draw as a horizontal line.
    ax : matplotlib Axes, optional, keyword-only
        Where to draw.
    title : str, optional, keyword-only
        Override the title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> trends = pd.DataFrame({"provider_id": ["P1"] * 3,
    ...                        "month": ["2024-01", "2024-02", "2024-03"],
    ...                        "exits": [10, 12, 8], "ph_exits": [4, 6, 2]})
    >>> ax = provider_trend_plot(trends, target=0.4)
    >>> len(ax.get_lines())
    2
    """
    require_columns(trends, ["provider_id", "month", "exits", "ph_exits"], argument="trends")
    chosen = providers or sorted(trends["provider_id"].astype(str).unique())[:8]
    missing = sorted(set(chosen) - set(trends["provider_id"].astype(str)))
    if missing:
        raise CityKitError(f"providers {missing} are not in trends.")
    ax = get_axes(ax)
    from citykit.plots._style import palette

    for colour, provider in zip(palette(len(chosen)), chosen, strict=True):
        rows = trends[trends["provider_id"].astype(str) == provider].sort_values("month")
        rate = rows["ph_exits"] / rows["exits"].where(rows["exits"] > 0)
        ax.plot(
            pd.PeriodIndex(rows["month"], freq="M").to_timestamp(),
            rate,
            marker="o",
            ms=3,
            color=colour,
            label=provider,
        )
    if target is not None:
        ax.axhline(target, color=PALETTE["black"], lw=1, ls="--", label=f"target {target:.0%}")
    ax.set_ylim(0, 1)
    return finish_axes(
        ax,
        title=title or "Exits to permanent housing by month",
        xlabel="Month of exit",
        ylabel="Exits to permanent housing (share 0-1)",
        legend=True,
    )

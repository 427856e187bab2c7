"""Figures for the open-data practice: metadata quality, portal usage, priorities.

Each function takes the output of a :mod:`citykit.opendata` function (or the raw table), draws on
``ax`` (or a new figure) and returns the matplotlib ``Axes``.

Examples
--------
>>> import pandas as pd
>>> from citykit import opendata
>>> summary = opendata.quality_summary({"Riverton": [{"keyword": ["a"], "theme": ["b"]}]})
>>> ax = quality_scores_plot(summary)
>>> ax.get_xlabel()
'Mean MQA score (points of 405)'
"""

from __future__ import annotations

import pandas as pd

from citykit._renamed import renamed_function, renamed_options
from citykit.errors import ColumnTypeError, require_columns, require_non_empty
from citykit.plots._style import PALETTE, finish_axes, get_axes, palette

__all__ = [
    "quality_scores_plot",
    "quality_criteria_plot",
    "usage_trends_plot",
    "priority_plot",
]

_BAND_COLOURS = {
    "Bad": PALETTE["vermillion"],
    "Sufficient": PALETTE["orange"],
    "Good": PALETTE["sky"],
    "Excellent": PALETTE["green"],
}


def quality_scores_plot(summary: pd.DataFrame, *, ax=None):
    """Bar chart of mean MQA metadata-quality scores per catalog, with the rating bands.

    Parameters
    ----------
    summary : DataFrame
        :func:`citykit.opendata.quality_summary` output (``catalog``, ``score``, ``rating``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from citykit.opendata.quality import MQA_BANDS, MQA_MAX, MQA_MAX_OFFLINE

    require_columns(summary, ["catalog", "score", "rating"], argument="summary")
    require_non_empty(summary, argument="summary")
    data = summary.sort_values("score")
    ax = get_axes(ax, figsize=(8, max(3.0, 0.32 * len(data) + 1.5)))
    colours = [_BAND_COLOURS.get(r, PALETTE["grey"]) for r in data["rating"]]
    ax.barh(data["catalog"].astype(str), data["score"], color=colours)
    for name, upper in MQA_BANDS:
        ax.axvline(upper, color=PALETTE["grey"], linewidth=0.8, linestyle=":")
        ax.barh([data["catalog"].astype(str).iloc[0]], [0], color=_BAND_COLOURS[name],
                label=f"{name} (up to {upper})")  # fmt: skip
    ax.axvline(MQA_MAX_OFFLINE, color=PALETTE["black"], linewidth=1.0)
    ax.text(MQA_MAX_OFFLINE, 0.5, " best reachable offline", transform=ax.get_xaxis_transform(),
            fontsize=8, va="center", rotation=90)  # fmt: skip
    ax.set_xlim(0, MQA_MAX)
    finish_axes(
        ax,
        title="Metadata quality by catalog (data.europa.eu MQA scale)",
        xlabel=f"Mean MQA score (points of {MQA_MAX})",
        ylabel="Catalog",
        legend=False,
    )
    ax.legend(title="Rating", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def quality_criteria_plot(quality, *, ax=None):
    """Share of records meeting each MQA criterion, grouped by dimension.

    Criteria that need an online URL check are drawn in grey and labelled "not checked".

    Parameters
    ----------
    quality : CatalogQuality
        :func:`citykit.opendata.score_catalog` output.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from citykit import opendata
    >>> ax = quality_criteria_plot(opendata.score_catalog([{"keyword": ["a"]}]))
    >>> len(ax.containers[0])
    23
    """
    criteria = getattr(quality, "criteria", None)
    if not isinstance(criteria, pd.DataFrame):
        raise ColumnTypeError(
            "quality must be the result of citykit.opendata.score_catalog(...), but a "
            f"{type(quality).__name__} was given."
        )
    data = criteria.iloc[::-1]
    dims = list(dict.fromkeys(criteria["dimension"]))
    colour_of = dict(zip(dims, palette(len(dims)), strict=True))
    colours = [
        PALETTE["grey"] if note else colour_of[d]
        for d, note in zip(data["dimension"], data["note"], strict=True)
    ]
    labels = [f"{c} ({w})" for c, w in zip(data["criterion"], data["weight"], strict=True)]
    ax = get_axes(ax, figsize=(8, 7))
    ax.barh(labels, 100 * data["share_met"], color=colours)
    for y, note in enumerate(data["note"]):
        if note:
            ax.text(2, y, note, va="center", fontsize=8)
    for dim in dims:
        ax.barh([labels[0]], [0], color=colour_of[dim], label=dim)
    ax.set_xlim(0, 100)
    finish_axes(
        ax,
        title=f"{getattr(quality, 'name', 'Catalog')}: which quality criteria records meet",
        xlabel="Records meeting the criterion (%)",
        ylabel="Criterion (weight in points)",
        legend=False,
    )
    ax.legend(title="Dimension", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def usage_trends_plot(
    usage: pd.DataFrame,
    *,
    datasets: list | None = None,
    top: int = 5,
    metric: str = "downloads",
    dataset: str = "identifier",
    month: str = "month",
    label: str = "title",
    ax=None,
):
    """Monthly use of the most used datasets (or of the ``datasets`` you name).

    Parameters
    ----------
    usage : DataFrame
        Portal usage (dataset, month, metric).
    datasets : list, optional
        Identifiers to draw; default the ``top`` datasets by total ``metric``.
    top : int
        How many datasets to draw when ``datasets`` is not given.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> usage = pd.DataFrame({"identifier": ["a", "a"], "month": ["2024-01-01", "2024-02-01"],
    ...                       "downloads": [3, 5]})
    >>> len(usage_trends_plot(usage).lines)
    1
    """
    from citykit.opendata.engagement import monthly_usage

    grid = monthly_usage(usage, dataset=dataset, month=month, metrics=(metric,))
    if datasets is None:
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise ColumnTypeError(f"top must be a whole number of at least 1, not {top!r}.")
        totals = grid.groupby(dataset)[metric].sum().sort_values(ascending=False)
        datasets = list(totals.index[:top])
    names = {}
    if label in usage.columns:
        names = usage.drop_duplicates(dataset).set_index(dataset)[label].to_dict()
    missing = [d for d in datasets if d not in set(grid[dataset])]
    if missing:
        raise ColumnTypeError(f"datasets {missing!r} do not appear in usage[{dataset!r}].")
    ax = get_axes(ax)
    for colour, name in zip(palette(len(datasets)), datasets, strict=True):
        part = grid[grid[dataset] == name]
        ax.plot(part[month], part[metric], color=colour, marker="o", markersize=3,
                label=str(names.get(name, name)))  # fmt: skip
    return finish_axes(
        ax,
        title=f"Monthly {metric} of the most used datasets",
        xlabel="Month",
        ylabel=f"{metric.capitalize()} per month (count)",
    )


@renamed_options(name="label")
def priority_plot(ranked: pd.DataFrame, *, label: str = "title", ax=None):
    """Stacked bars: each candidate's total priority points split into weighted components.

    Parameters
    ----------
    ranked : DataFrame
        :func:`citykit.opendata.priority_scores` output (``<component>_points`` columns).
    label : str, keyword-only
        The column naming each candidate on the bars (``name=`` before; the old word still
        works, with a FutureWarning).
    ax : matplotlib.axes.Axes, optional, keyword-only
        Where to draw (a new figure when omitted).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit import opendata
    >>> c = pd.DataFrame({"title": ["A", "B"], "policy_priority": [5, 1], "requests": [1, 9],
    ...                   "downloads": [0, 0], "effort_days": [3, 1]})
    >>> ax = priority_plot(opendata.priority_scores(c))
    >>> ax.get_xlabel()
    'Priority (points of 100)'
    """
    require_columns(ranked, [label, "total"], argument="ranked")
    require_non_empty(ranked, argument="ranked")
    parts = [c for c in ranked.columns if c.endswith("_points")]
    if not parts:
        raise ColumnTypeError(
            "ranked has no '<component>_points' columns: pass the output of "
            "citykit.opendata.priority_scores(...)."
        )
    data = ranked.iloc[::-1]
    ax = get_axes(ax, figsize=(8, max(3.0, 0.35 * len(data) + 1.5)))
    left = pd.Series(0.0, index=data.index)
    for colour, column in zip(palette(len(parts)), parts, strict=True):
        ax.barh(data[label].astype(str), data[column], left=left, color=colour,
                label=column.removesuffix("_points"))  # fmt: skip
        left = left + data[column]
    ax.set_xlim(0, 100)
    finish_axes(
        ax,
        title="What drives each dataset's priority",
        xlabel="Priority (points of 100)",
        ylabel="Candidate dataset",
        legend=False,
    )
    ax.legend(title="Component", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


# old names, for one release (each call warns and names the new one)
_OLD_NAMES = {
    "quality_scores_chart": renamed_function(quality_scores_plot, "quality_scores_chart"),
    "quality_criteria_chart": renamed_function(quality_criteria_plot, "quality_criteria_chart"),
    "usage_trends_chart": renamed_function(usage_trends_plot, "usage_trends_chart"),
    "priority_chart": renamed_function(priority_plot, "priority_chart"),
}

"""Who uses the open data? Monthly usage, unused datasets, trends, top datasets, coverage.

Putting data online is not enough: portals without engagement get almost no visits, and most
datasets on most portals are rarely opened. Watching usage tells a programme which datasets to
promote, which to improve and which nobody needs.

* :func:`monthly_usage` puts usage on a complete dataset x month grid (months with no use = 0).
* :func:`unused_datasets` lists published datasets that nobody viewed or downloaded.
* :func:`usage_trends` fits a trend per dataset: the average change per month (slope, from
  ``scipy.stats.linregress``) and the monthly growth rate from a quasi-Poisson regression
  (``statsmodels`` GLM, log link), labelled growing / declining / flat / never used.
* :func:`top_datasets` ranks datasets by total use and shows how concentrated use is.
* :func:`coverage_summary` describes a catalog of many publishers: which publishers publish which
  kinds of data, and how many datasets were removed or are offline.

Examples
--------
>>> import pandas as pd
>>> usage = pd.DataFrame({"identifier": ["a", "a", "b"],
...     "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]),
...     "views": [10, 12, 0], "downloads": [3, 5, 0]})
>>> unused_datasets(usage)["identifier"].tolist()
['b']
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._dates import to_dates
from citykit._renamed import renamed_options
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    require_columns,
    require_non_empty,
    require_numeric,
)
from citykit.opendata.privacy.counts import MISSING_LABEL

__all__ = [
    "monthly_usage",
    "unused_datasets",
    "usage_trends",
    "top_datasets",
    "coverage_summary",
    "CoverageSummary",
]


def _months(series: pd.Series, argument: str, column: str) -> pd.Series:
    # the toolkit's one date reader: ISO, US (AM/PM), Excel serial; tz-aware and Arrow-backed
    # datetimes as wall-clock times; a value that is not a date is an error with examples
    stamps = to_dates(series, column=column, argument=argument)
    if stamps.isna().any():
        raise ColumnTypeError(
            f"{argument} column {column!r} has {int(stamps.isna().sum()):,} missing date(s); "
            "drop those rows or fill them."
        )
    return stamps.dt.to_period("M").dt.to_timestamp()


def _no_missing_counts(usage: pd.DataFrame, metric: str) -> None:
    """Raise when a usage count is missing or infinite (a sum would hide it)."""
    values = pd.to_numeric(usage[metric]).astype("float64")
    if values.isna().any():
        raise ColumnTypeError(
            f"usage column {metric!r} has {int(values.isna().sum()):,} missing count(s); a sum "
            f"would treat them as 0 without saying so. If a missing count means none, fill them "
            f"(usage.fillna({{{metric!r}: 0}})); otherwise drop those rows."
        )
    if np.isinf(values.to_numpy()).any():
        raise ColumnTypeError(f"usage column {metric!r} holds infinite values; fix them first.")


def _labels(values: pd.Series) -> pd.Series:
    """Dataset ids with missing ones labelled "(missing)", so grouping counts them."""
    missing = values.isna().to_numpy(dtype=bool)
    if not missing.any():
        return values
    return values.astype(object).where(~missing, "(missing)")


def monthly_usage(
    usage: pd.DataFrame,
    *,
    dataset: str = "identifier",
    month: str = "month",
    metrics: tuple[str, ...] = ("views", "downloads"),
) -> pd.DataFrame:
    """Sum usage per dataset and calendar month on a complete grid (missing months are 0).

    Parameters
    ----------
    usage : DataFrame
        Usage records (one row per dataset and month, day or event).
    dataset, month : str
        Columns with the dataset identifier and the date (any day of the month works).
    metrics : tuple of str
        Numeric columns to sum.

    Returns
    -------
    DataFrame
        ``dataset, month`` and the metrics, one row per dataset and month from the first to the
        last month in the data.

    Examples
    --------
    >>> import pandas as pd
    >>> usage = pd.DataFrame({"identifier": ["a", "a"], "month": ["2024-01-15", "2024-03-02"],
    ...                       "views": [4, 6], "downloads": [1, 2]})
    >>> monthly_usage(usage)["views"].tolist()
    [4, 0, 6]
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    require_columns(usage, [dataset, month, *metrics], argument="usage")
    require_non_empty(usage, argument="usage")
    for metric in metrics:
        require_numeric(usage, metric, argument="usage")
        if (usage[metric] < 0).any():
            raise ArgumentRangeError(f"usage column {metric!r} has negative counts.")
        _no_missing_counts(usage, metric)
    frame = usage[[dataset, *metrics]].copy()
    for metric in metrics:  # Arrow-backed and nullable counts as plain numbers
        frame[metric] = pd.to_numeric(frame[metric]).astype(
            "int64" if _whole(frame[metric]) else "float64"
        )
    frame[dataset] = _labels(frame[dataset])
    frame[month] = _months(usage[month], "usage", month)
    summed = frame.groupby([dataset, month])[list(metrics)].sum()
    months = pd.date_range(frame[month].min(), frame[month].max(), freq="MS")
    grid = pd.MultiIndex.from_product(
        [sorted(frame[dataset].unique()), months], names=[dataset, month]
    )
    out = summed.reindex(grid, fill_value=0).reset_index()
    for metric in metrics:
        out[metric] = out[metric].astype("int64") if _whole(out[metric]) else out[metric]
    return out


def _whole(series: pd.Series) -> bool:
    values = series.to_numpy(dtype=float)
    return bool(np.all(values == np.round(values)))


@renamed_options(title="label")
def unused_datasets(
    usage: pd.DataFrame,
    *,
    catalog: pd.DataFrame | None = None,
    dataset: str = "identifier",
    metrics: tuple[str, ...] = ("views", "downloads"),
    label: str = "title",
) -> pd.DataFrame:
    """List datasets with no use at all (every metric is 0 over the whole period).

    Parameters
    ----------
    usage : DataFrame
        Usage records.
    catalog : DataFrame, optional
        The catalog: published datasets that never appear in ``usage`` count as unused too
        (when it has a ``status`` column, only rows with status ``"published"`` are considered).
    dataset : str
        The column naming the dataset (its identifier).
    metrics : tuple of str
        The usage columns that must all be 0 for a dataset to be unused.
    label : str
        The column with each dataset's name for people (its title), taken from ``catalog`` or
        ``usage`` when either has it.

    Returns
    -------
    DataFrame
        ``dataset`` (and ``label`` when known) plus the metric totals (all 0).

    Examples
    --------
    >>> import pandas as pd
    >>> usage = pd.DataFrame({"identifier": ["a"], "views": [5], "downloads": [1]})
    >>> catalog = pd.DataFrame({"identifier": ["a", "z"], "title": ["Permits", "Dog licenses"]})
    >>> unused_datasets(usage, catalog=catalog).values.tolist()
    [['z', 'Dog licenses', 0, 0]]
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    require_columns(usage, [dataset, *metrics], argument="usage")
    require_non_empty(usage, argument="usage")  # no usage at all is not "every dataset unused"
    for metric in metrics:
        require_numeric(usage, metric, argument="usage")
    totals = usage.groupby(dataset)[list(metrics)].sum()
    titles = None
    if catalog is not None:
        require_columns(catalog, [dataset], argument="catalog")
        if len(totals) and len(catalog) and not totals.index.isin(catalog[dataset]).any():
            raise CityKitError(
                f"none of the usage's {dataset!r} values is in the catalog (e.g. "
                f"{totals.index[0]!r} in usage, {catalog[dataset].iloc[0]!r} in the catalog), so "
                "every dataset would look unused. Check that both tables write the ids the same "
                "way."
            )
        published = catalog
        if "status" in catalog.columns:
            published = catalog[catalog["status"] == "published"]
        totals = totals.reindex(
            pd.Index(sorted(set(totals.index) | set(published[dataset])), name=dataset),
            fill_value=0,
        )
        if label in catalog.columns:
            titles = catalog.drop_duplicates(dataset).set_index(dataset)[label]
    elif label in usage.columns:
        titles = usage.drop_duplicates(dataset).set_index(dataset)[label]
    unused = totals[(totals == 0).all(axis=1)].reset_index()
    if titles is not None:
        unused.insert(1, label, unused[dataset].map(titles))
    return unused.astype({m: "int64" for m in metrics if _whole(unused[m])})


def _trend(y: np.ndarray, calendar_month: np.ndarray | None = None) -> tuple[float, float, float]:
    """Slope per month (linregress), monthly growth and its p-value (quasi-Poisson GLM).

    With ``calendar_month`` (1-12 per observation), month-of-year effects are added so that a
    seasonal peak near one end of the window does not pass for growth.
    """
    from scipy import stats

    t = np.arange(len(y), dtype=float)
    slope = float(stats.linregress(t, y).slope) if len(y) > 1 and np.ptp(y) > 0 else 0.0
    if y.sum() == 0 or len(y) < 3:
        return slope, float("nan"), float("nan")
    if np.ptp(y) == 0:  # the same every month: no trend at all
        return slope, 0.0, 1.0
    import statsmodels.api as sm

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            design = sm.add_constant(t)
            if calendar_month is not None:
                dummies = pd.get_dummies(pd.Categorical(calendar_month, categories=range(1, 13)))
                design = np.column_stack([design, dummies.to_numpy(dtype=float)[:, 1:]])
            model = sm.GLM(y, design, family=sm.families.Poisson()).fit(scale="X2")
        beta = float(model.params[1])
        p_value = float(model.pvalues[1])
    except (ValueError, np.linalg.LinAlgError):  # a degenerate series (e.g. a perfect fit)
        return slope, float("nan"), float("nan")
    if not np.isfinite(p_value):
        p_value = 0.0 if np.isfinite(beta) else float("nan")
    return slope, float(np.expm1(beta)), p_value


def usage_trends(
    usage: pd.DataFrame,
    *,
    dataset: str = "identifier",
    month: str = "month",
    metric: str = "downloads",
    alpha: float = 0.05,
    seasonal: bool = False,
) -> pd.DataFrame:
    """Fit a trend of monthly use per dataset: slope, growth rate and a plain label.

    The slope is the average change per month (least squares). The growth rate is
    ``exp(b) - 1`` from a Poisson regression of the monthly counts on time with the dispersion
    estimated from the data (quasi-Poisson), which suits counts with many zeros; a trend with
    p < ``alpha`` is labelled growing or declining, otherwise flat.

    Use is seasonal (more building permits are looked up in spring). With ``seasonal=True``
    the regression also has a term for each calendar month, so the growth rate is measured
    between the same months of different years; it needs at least 24 months of data.

    Returns
    -------
    DataFrame
        ``dataset, months, total, first_month, last_month, slope_per_month,
        growth_per_month, p_value, trend``, sorted by growth.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.date_range("2023-01-01", periods=12, freq="MS")
    >>> usage = pd.DataFrame({"identifier": ["a"] * 12, "month": months,
    ...                       "downloads": [100 * 1.1 ** i for i in range(12)]})
    >>> row = usage_trends(usage).iloc[0]
    >>> round(float(row["growth_per_month"]), 3), row["trend"]
    (0.1, 'growing')
    """
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ArgumentRangeError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha!r}.")
    if not isinstance(seasonal, bool):
        raise ColumnTypeError(f"seasonal must be True or False, not {seasonal!r}.")
    grid = monthly_usage(usage, dataset=dataset, month=month, metrics=(metric,))
    n_months = grid[month].nunique()
    if seasonal and n_months < 24:
        raise ArgumentRangeError(
            f"seasonal=True needs at least 24 months of usage (two of each calendar month), but "
            f"the data covers {n_months}. Use seasonal=False."
        )
    rows = []
    for name, group in grid.groupby(dataset, sort=True):
        y = group[metric].to_numpy(dtype=float)
        calendar = group[month].dt.month.to_numpy() if seasonal else None
        slope, growth, p_value = _trend(y, calendar)
        if y.sum() == 0:
            label = "never used"
        elif np.isnan(p_value) or p_value >= alpha:
            label = "flat"
        else:
            label = "growing" if growth > 0 else "declining"
        rows.append(
            {
                dataset: name,
                "months": len(y),
                "total": y.sum(),
                "first_month": y[0],
                "last_month": y[-1],
                "slope_per_month": slope,
                "growth_per_month": growth,
                "p_value": p_value,
                "trend": label,
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values("growth_per_month", ascending=False, ignore_index=True)


@renamed_options(title="label")
def top_datasets(
    usage: pd.DataFrame,
    *,
    n: int = 10,
    dataset: str = "identifier",
    metric: str = "downloads",
    label: str = "title",
) -> pd.DataFrame:
    """Rank datasets by total use; show each one's share and the cumulative share.

    Parameters
    ----------
    usage : DataFrame
        Usage records.
    n : int
        How many datasets to show.
    dataset : str
        The column naming the dataset (its identifier).
    metric : str
        The usage column to rank by (``"downloads"``, ``"views"``).
    label : str
        The column with each dataset's name for people (its title), shown when ``usage`` has it.

    Returns
    -------
    DataFrame
        One row per dataset, most used first: ``dataset``, ``label`` (when known), ``total``,
        ``share`` and the cumulative share.

    Examples
    --------
    >>> import pandas as pd
    >>> usage = pd.DataFrame({"identifier": ["a", "b", "c"], "downloads": [70, 20, 10]})
    >>> top_datasets(usage, n=2)[["identifier", "total", "share"]].values.tolist()
    [['a', 70, 0.7], ['b', 20, 0.2]]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ArgumentRangeError(f"n must be a whole number of at least 1, but {n!r} was given.")
    require_columns(usage, [dataset, metric], argument="usage")
    require_non_empty(usage, argument="usage")
    require_numeric(usage, metric, argument="usage")
    _no_missing_counts(usage, metric)
    ids = _labels(usage[dataset])  # usage without a dataset id is counted under "(missing)"
    totals = usage[metric].groupby(ids).sum().sort_values(ascending=False, kind="stable")
    totals.index.name = dataset
    grand = totals.sum()
    out = totals.rename("total").reset_index()
    out["share"] = out["total"] / grand if grand else 0.0
    out["cumulative_share"] = out["share"].cumsum()
    if label in usage.columns:
        out.insert(
            1, label, out[dataset].map(usage.drop_duplicates(dataset).set_index(dataset)[label])
        )
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.head(int(n)).reset_index(drop=True)


@dataclass(frozen=True)
class CoverageSummary:
    """Which publishers publish which kinds of data, and what was removed or is offline.

    Attributes
    ----------
    by_kind : DataFrame
        Per kind of data: ``datasets`` listed, ``publishers`` publishing it,
        ``share_of_publishers``, ``removed`` (taken down by the publisher) and ``offline``
        (listed but not answering).
    by_publisher : DataFrame
        Per publisher: ``datasets`` and ``kinds`` (number of different kinds).
    matrix : DataFrame
        Publisher x kind: number of datasets (0 = does not publish that kind).
    """

    by_kind: pd.DataFrame = field(repr=False)
    by_publisher: pd.DataFrame = field(repr=False)
    matrix: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        top = self.by_kind.iloc[0]
        return (
            f"CoverageSummary({int(self.by_kind['datasets'].sum())} datasets from "
            f"{len(self.by_publisher)} publishers in {len(self.by_kind)} kinds; most common: "
            f"{top['kind']} ({int(top['publishers'])} publishers); removed by publishers: "
            f"{int(self.by_kind['removed'].sum())}, offline: {int(self.by_kind['offline'].sum())})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>{self.by_kind.head(15).to_html(index=False)}"


def coverage_summary(
    sources: pd.DataFrame,
    *,
    publisher: str,
    kind: str,
    removed: pd.DataFrame | None = None,
    offline: pd.DataFrame | None = None,
    collapse: str | None = None,
    last_updated: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    stale_after_days: int = 365,
) -> CoverageSummary:
    """Summarise a multi-publisher catalog: coverage by kind of data and by publisher.

    Parameters
    ----------
    sources : DataFrame
        One row per listed dataset.
    publisher, kind : str
        Columns naming the publisher (agency, city) and the kind of data (e.g. ``TableType``).
    removed, offline : DataFrame, optional
        Datasets the publishers deleted, and datasets currently offline; both need the ``kind``
        column and are counted per kind.
    collapse : str, optional
        Separator of sub-kinds to merge, e.g. ``" - "`` turns ``"USE OF FORCE - INCIDENTS"``
        into ``"USE OF FORCE"``.
    last_updated : str, optional
        Column with the date of the newest data in each dataset (e.g. ``coverage_end``). Adds
        ``stale_publishers`` (publishers whose newest data of that kind is older than
        ``stale_after_days`` before ``as_of``: they stopped updating it) and
        ``undated_publishers`` (no date at all) to ``by_kind``.
    as_of : date, optional
        Reference date for staleness; default the latest date in ``last_updated``.
    stale_after_days : int
        Age in days after which a dataset counts as stale (default 365).

    Returns
    -------
    CoverageSummary

    Examples
    --------
    >>> import pandas as pd
    >>> src = pd.DataFrame({"agency": ["A", "A", "B"], "type": ["STOPS", "ARRESTS", "STOPS"]})
    >>> gone = pd.DataFrame({"type": ["STOPS"]})
    >>> s = coverage_summary(src, publisher="agency", kind="type", removed=gone)
    >>> s.by_kind[["kind", "datasets", "publishers", "removed"]].values.tolist()
    [['STOPS', 2, 2, 1], ['ARRESTS', 1, 1, 0]]
    """
    require_columns(sources, [publisher, kind], argument="sources")
    require_non_empty(sources, argument="sources")
    if collapse is not None and not isinstance(collapse, str):
        raise ColumnTypeError(f"collapse must be text such as ' - ', not {collapse!r}.")

    def kinds(frame: pd.DataFrame, argument: str) -> pd.Series:
        require_columns(frame, [kind], argument=argument)
        raw = frame[kind]
        values = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
        if collapse:
            values = values.str.split(collapse, regex=False).str[0].str.strip()
        # a dataset without a kind is still listed: it is counted under "(missing)"
        return values.where(values != "", MISSING_LABEL)

    listed = sources.assign(_kind=kinds(sources, "sources"))
    n_publishers = listed[publisher].nunique()
    by_kind = (
        listed.groupby("_kind")
        .agg(datasets=(publisher, "size"), publishers=(publisher, "nunique"))
        .rename_axis("kind")
    )
    for name, frame in (("removed", removed), ("offline", offline)):
        if frame is None:
            by_kind[name] = 0
            continue
        counts = kinds(frame, name).value_counts()
        by_kind = by_kind.reindex(by_kind.index.union(counts.index), fill_value=0)
        by_kind[name] = by_kind.index.map(counts).fillna(0).astype("int64")
    by_kind.index.name = "kind"
    by_kind["share_of_publishers"] = by_kind["publishers"] / n_publishers
    extra = []
    if last_updated is not None:
        require_columns(sources, [last_updated], argument="sources")
        if isinstance(stale_after_days, bool) or not isinstance(stale_after_days, int):
            raise ColumnTypeError(
                f"stale_after_days must be a whole number, not {stale_after_days!r}."
            )
        if stale_after_days < 0:
            raise ArgumentRangeError("stale_after_days must be zero or more days.")
        dates = pd.to_datetime(sources[last_updated], errors="coerce", format="mixed")
        if dates.notna().sum() == 0:
            raise ColumnTypeError(
                f"sources column {last_updated!r} has no readable dates (e.g. '2024-05-01')."
            )
        reference = dates.max() if as_of is None else pd.Timestamp(as_of)
        # per publisher and kind: the newest data they publish of that kind
        newest = listed.assign(_date=dates.to_numpy()).groupby([publisher, "_kind"])["_date"].max()
        cutoff = reference - pd.Timedelta(days=stale_after_days)
        flags = (
            pd.DataFrame({"_stale": newest < cutoff, "_undated": newest.isna()}, index=newest.index)
            .groupby(level="_kind")
            .sum()
        )
        by_kind["stale_publishers"] = by_kind.index.map(flags["_stale"]).fillna(0).astype("int64")
        by_kind["undated_publishers"] = (
            by_kind.index.map(flags["_undated"]).fillna(0).astype("int64")
        )
        extra = ["stale_publishers", "undated_publishers"]
    by_kind = (
        by_kind.reset_index()
        .sort_values(["publishers", "datasets", "kind"], ascending=[False, False, True])
        .reset_index(drop=True)
    )
    by_kind = by_kind[
        ["kind", "datasets", "publishers", "share_of_publishers", "removed", "offline", *extra]
    ]
    by_publisher = (
        listed.groupby(publisher)
        .agg(datasets=("_kind", "size"), kinds=("_kind", "nunique"))
        .sort_values(["kinds", "datasets"], ascending=False)
        .reset_index()
    )
    matrix = pd.crosstab(listed[publisher], listed["_kind"])
    matrix.columns.name = "kind"
    return CoverageSummary(by_kind=by_kind, by_publisher=by_publisher, matrix=matrix)

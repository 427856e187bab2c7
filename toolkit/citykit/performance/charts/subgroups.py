"""X-bar, R and S charts: several measurements per period (subgroups)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit._dates import order_periods, parse_dates
from citykit.errors import CityKitError, EmptyDataError, require_keyword_choice
from citykit.performance._checks import (
    check_table,
    numeric_column,
)
from citykit.performance.charts._prepare import (
    _baseline_mask,
    _excluded_mask,
    _finish,
    _plain_periods,
    _rule_options,
)
from citykit.performance.charts.result import D2_TABLE, D3_TABLE, ControlChart, _label, c4

__all__ = ["xbar_chart", "r_chart", "s_chart"]


SPREADS = ("range", "sd")


@dataclass(frozen=True)
class _Subgroups:
    frame: pd.DataFrame  # one row per subgroup: period, n, mean, range, sd (in period order)
    mask: np.ndarray
    words: str
    excluded: np.ndarray
    sigma: float  # within-subgroup sigma from the baseline subgroups
    notes: tuple


def _subgroups(data, value, period, baseline, exclude, spread) -> _Subgroups:
    """Summarise the measurements of each period and estimate sigma from the baseline."""
    require_keyword_choice(spread, list(SPREADS), argument="spread")
    check_table(data, [value, period])
    x = numeric_column(data, value)
    periods = data[period]
    if periods.isna().any():
        raise CityKitError(
            f"period column {period!r} has {int(periods.isna().sum())} missing value(s); every "
            "measurement belongs to a subgroup (a period). Drop those rows or fill them in."
        )
    periods = _plain_periods(periods, period)
    if periods.dtype == object or pd.api.types.is_string_dtype(periods.dtype):
        # the same day written two ways ("2024-01-05", "01/05/2024 12:00:00 AM") is one subgroup
        read = parse_dates(periods, column=period)
        if read.unparsed == 0 and read.missing == 0:
            periods = read.values
    present = ~np.isnan(x)
    if not present.any():
        raise EmptyDataError(f"column {value!r} has no values to chart (all are missing).")
    long = pd.DataFrame({"period": periods.to_numpy(), "x": x})
    every = pd.Index(pd.unique(long["period"]))
    grouped = long[present].groupby("period", sort=False, observed=True)["x"]
    frame = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean": grouped.mean(),
            "range": grouped.max() - grouped.min(),
            "sd": grouped.std(ddof=1),
        }
    ).reset_index()
    # subgroups in time order (text periods such as "01/01/2024" read as dates to sort them)
    frame = frame.iloc[order_periods(frame["period"])].reset_index(drop=True)
    every = every[order_periods(pd.Series(every))]
    notes = []
    missing = int((~present).sum())
    if missing:
        empty = [p for p in every if p not in set(frame["period"])]
        text = f"{missing:,} missing measurement(s) of {value!r} were left out"
        if empty:
            shown = ", ".join(_label(p) for p in empty[:5])
            text += f"; period(s) {shown} had none and are not charted"
        notes.append(text + ".")
    single = frame.loc[frame["n"] < 2, "period"].tolist()
    if single:
        shown = ", ".join(_label(p) for p in single[:5])
        raise CityKitError(
            f"period(s) {shown} of {period!r} have a single measurement of {value!r}; X-bar, R "
            "and S charts need subgroups of at least 2 to measure the spread within them. Use "
            "xmr_chart for one value per period, or merge those periods with a neighbour."
        )
    if spread == "range" and frame["n"].max() > max(D2_TABLE):
        raise CityKitError(
            f"subgroups of {int(frame['n'].max())} measurements are too large for ranges (the "
            f"d2 and d3 constants are tabulated up to {max(D2_TABLE)}, and ranges waste "
            "information in large subgroups): use spread='sd' (X-bar/S) instead."
        )
    order = pd.Series(frame["period"])
    mask, words = _baseline_mask(order, baseline, exclude, minimum=2)
    n = frame["n"].to_numpy(dtype=int)
    if spread == "range":
        unbiased = frame["range"].to_numpy() / np.array([D2_TABLE[k] for k in n])
    else:
        unbiased = frame["sd"].to_numpy() / c4(n)
    sigma = float(np.mean(unbiased[mask]))
    if not sigma > 0:
        raise CityKitError(
            f"every baseline subgroup of {value!r} has identical measurements, so there is no "
            "variation within subgroups to set limits from. Check the value column and the "
            "period column (are the subgroups really several measurements?)."
        )
    return _Subgroups(frame, mask, words, _excluded_mask(order, exclude), sigma, tuple(notes))


def _subgroup_options(rule_set, rules, run_length, trend_length, alternating_length,
                      stratification_length, mixture_length) -> dict:  # fmt: skip
    return _rule_options(rule_set, rules, run_length, trend_length, alternating_length,
                         stratification_length, mixture_length)  # fmt: skip


def xbar_chart(
    data: pd.DataFrame,
    *,
    value: str = "value",
    period: str,
    spread: str = "range",
    baseline=None,
    exclude=None,
    rule_set: str = "western_electric",
    rules=None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
    label: str | None = None,
) -> ControlChart:
    """X-bar chart: the mean of several measurements per period, with limits from their spread.

    Use it when each period has a small sample of measurements (a subgroup): five inspections
    timed each day, the minutes of ten 911 calls sampled each shift. The limits come from the
    variation *within* subgroups, so a shift between periods stands out. Sigma is
    mean(R_i / d2(n_i)) with ``spread="range"`` (X-bar/R; subgroups of up to 25) or
    mean(s_i / c4(n_i)) with ``spread="sd"`` (X-bar/S; any size), over the baseline subgroups;
    the centre is the mean of all baseline measurements and the limits are
    centre ± 3 sigma / sqrt(n_i). Pair it with :func:`r_chart` or :func:`s_chart`, which watch
    the spread itself.

    Parameters
    ----------
    data : DataFrame
        One row per measurement (long form: melt a wide table first).
    value : str, keyword-only
        The measurement column.
    period : str, keyword-only
        The column naming each measurement's subgroup (a date, shift or sample number); rows
        with the same period form a subgroup, and subgroups are charted in period order.
    spread : {"range", "sd"}, keyword-only
        Estimate sigma from subgroup ranges (X-bar/R) or standard deviations (X-bar/S).
    baseline, exclude :
        Which subgroups set the limits, as in :func:`xmr_chart` (a number of subgroups, or a
        (start, end) pair of periods; periods to leave out).
    rule_set : {"western_electric", "nelson"}, keyword-only
        Signal rules to apply (see :mod:`citykit.performance.rules`).
    rules : list of int or str, optional
        A subset of the rule set, e.g. ``[1, 4]``.
    run_length : int, optional
        Points in a row on one side of the centre that make a signal (8 for Western Electric,
        9 for Nelson); 2 or more.
    trend_length, alternating_length, stratification_length, mixture_length : int
        Lengths for Nelson rules 3, 4, 7 and 8 (6, 14, 15, 8).
    label : str, optional
        What the values are, for summaries and plots (default: "mean of <value>").

    Returns
    -------
    ControlChart
        ``table`` has ``period, n, range`` (or ``sd``), ``value`` (the subgroup mean), ``centre,
        lcl, ucl, sigma`` (of the subgroup mean), ``phase, signal, rules``; ``sigma`` is the
        within-subgroup sigma and ``details`` has ``spread``. Missing measurements are left out
        and counted in the summary.

    Examples
    --------
    Montgomery's piston rings (qcc ``pistonrings``), the first 3 samples of 5 diameters:

    >>> import pandas as pd
    >>> rings = pd.DataFrame({
    ...     "sample": [1] * 5 + [2] * 5 + [3] * 5,
    ...     "diameter": [74.030, 74.002, 74.019, 73.992, 74.008, 73.995, 73.992, 74.001,
    ...                  74.011, 74.004, 73.988, 74.024, 74.021, 74.005, 74.002]})
    >>> chart = xbar_chart(rings, value="diameter", period="sample")
    >>> round(chart.centre, 5), round(chart.sigma, 6)  # R-bar = 0.031, sigma = 0.031 / 2.326
    (74.00627, 0.013328)
    >>> xbar_chart(rings.head(11), value="diameter", period="sample")
    Traceback (most recent call last):
    ...
    citykit.errors.CityKitError: period(s) 3 of 'sample' have a single measurement of 'diameter'; X-bar, R and S charts need subgroups of at least 2 to measure the spread within them. Use xmr_chart for one value per period, or merge those periods with a neighbour.
    """
    options = _subgroup_options(rule_set, rules, run_length, trend_length, alternating_length,
                                stratification_length, mixture_length)  # fmt: skip
    sub = _subgroups(data, value, period, baseline, exclude, spread)
    frame, mask = sub.frame, sub.mask
    n = frame["n"].to_numpy(dtype=float)
    means = frame["mean"].to_numpy(dtype=float)
    centre = float(np.sum(n[mask] * means[mask]) / np.sum(n[mask]))
    sigma_i = sub.sigma / np.sqrt(n)
    chart = "X-bar (R)" if spread == "range" else "X-bar (S)"
    column = "range" if spread == "range" else "sd"
    return _finish(
        chart,
        frame,
        periods=frame["period"],
        x=means,
        centre=centre,
        sigma_i=sigma_i,
        lcl=centre - 3 * sigma_i,
        ucl=centre + 3 * sigma_i,
        mask=mask,
        excluded=sub.excluded,
        words=sub.words.replace("points", "subgroups").replace("point(s)", "subgroup(s)"),
        sigma=sub.sigma,
        rule_options=options,
        details={"spread": spread, "sigma_within": sub.sigma},
        value_label=label or f"mean of {value}",
        extra={"n": frame["n"].to_numpy(dtype=int), column: frame[column].to_numpy()},
        notes=sub.notes,
    )


def _spread_chart(kind, data, value, period, baseline, exclude, options, label) -> ControlChart:
    sub = _subgroups(data, value, period, baseline, exclude, "range" if kind == "R" else "sd")
    frame, mask = sub.frame, sub.mask
    n = frame["n"].to_numpy(dtype=int)
    if kind == "R":
        x = frame["range"].to_numpy(dtype=float)
        centre_i = np.array([D2_TABLE[k] for k in n]) * sub.sigma
        sigma_i = np.array([D3_TABLE[k] for k in n]) * sub.sigma
        what = f"range of {value}"
    else:
        x = frame["sd"].to_numpy(dtype=float)
        centre_i = c4(n) * sub.sigma
        sigma_i = sub.sigma * np.sqrt(1 - c4(n) ** 2)
        what = f"standard deviation of {value}"
    centre = float(np.sum(n[mask] * centre_i[mask]) / np.sum(n[mask]))
    return _finish(
        kind,
        frame,
        periods=frame["period"],
        x=x,
        centre=centre,
        centre_i=centre_i,
        sigma_i=sigma_i,
        lcl=np.maximum(0.0, centre_i - 3 * sigma_i),
        ucl=centre_i + 3 * sigma_i,
        mask=mask,
        excluded=sub.excluded,
        words=sub.words.replace("points", "subgroups").replace("point(s)", "subgroup(s)"),
        sigma=sub.sigma,
        rule_options=options,
        details={"sigma_within": sub.sigma},
        value_label=label or what,
        extra={"n": n, "mean": frame["mean"].to_numpy()},
        notes=sub.notes,
    )


def r_chart(
    data: pd.DataFrame,
    *,
    value: str = "value",
    period: str,
    baseline=None,
    exclude=None,
    rule_set: str = "western_electric",
    rules=None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
    label: str | None = None,
) -> ControlChart:
    """R chart: the range (max − min) of each period's measurements, the X-bar chart's partner.

    Sigma = mean(R_i / d2(n_i)) over the baseline subgroups; the centre line is d2(n_i) sigma
    (R-bar when subgroups are equal) and the limits d2(n_i) sigma ± 3 d3(n_i) sigma, the lower
    one at least 0 (for subgroups of 6 or fewer it is 0). Subgroups of 2 to 25 measurements.

    Parameters
    ----------
    data : DataFrame
        One row per measurement.
    value, period, baseline, exclude, rule_set, rules, run_length, trend_length,
    alternating_length, stratification_length, mixture_length, label :
        As in :func:`xbar_chart`.

    Returns
    -------
    ControlChart
        ``table`` has ``period, n, mean, value`` (the range), ``centre, lcl, ucl, sigma``
        (of the range), ``phase, signal, rules``.

    Examples
    --------
    >>> import pandas as pd
    >>> rings = pd.DataFrame({"sample": [1] * 5 + [2] * 5,
    ...                       "diameter": [74.030, 74.002, 74.019, 73.992, 74.008,
    ...                                    73.995, 73.992, 74.001, 74.011, 74.004]})
    >>> chart = r_chart(rings, value="diameter", period="sample")
    >>> [round(v, 3) for v in chart.table["value"]], round(chart.centre, 4)
    ([0.038, 0.019], 0.0285)
    """
    options = _subgroup_options(rule_set, rules, run_length, trend_length, alternating_length,
                                stratification_length, mixture_length)  # fmt: skip
    return _spread_chart("R", data, value, period, baseline, exclude, options, label)


def s_chart(
    data: pd.DataFrame,
    *,
    value: str = "value",
    period: str,
    baseline=None,
    exclude=None,
    rule_set: str = "western_electric",
    rules=None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
    label: str | None = None,
) -> ControlChart:
    """S chart: the standard deviation of each period's measurements, X-bar's partner.

    Sigma = mean(s_i / c4(n_i)) over the baseline subgroups; the centre line is c4(n_i) sigma
    (s-bar when subgroups are equal) and the limits c4(n_i) sigma ± 3 sigma sqrt(1 − c4(n_i)²),
    the lower one at least 0. Prefer it to the R chart for subgroups of more than about 10.

    Parameters
    ----------
    data : DataFrame
        One row per measurement.
    value, period, baseline, exclude, rule_set, rules, run_length, trend_length,
    alternating_length, stratification_length, mixture_length, label :
        As in :func:`xbar_chart`.

    Returns
    -------
    ControlChart
        ``table`` has ``period, n, mean, value`` (the standard deviation), ``centre, lcl, ucl,
        sigma`` (of the standard deviation), ``phase, signal, rules``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"day": [1, 1, 1, 2, 2, 2], "minutes": [10, 12, 11, 9, 13, 11]})
    >>> chart = s_chart(data, value="minutes", period="day")
    >>> [round(v, 4) for v in chart.table["value"]]
    [1.0, 2.0]
    """
    options = _subgroup_options(rule_set, rules, run_length, trend_length, alternating_length,
                                stratification_length, mixture_length)  # fmt: skip
    return _spread_chart("S", data, value, period, baseline, exclude, options, label)

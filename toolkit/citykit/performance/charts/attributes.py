"""Attribute charts: p and Laney p' (shares), u and Laney u' (rates), c (counts)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, EmptyDataError
from citykit.performance._checks import (
    numeric_column,
    positive_sizes,
    whole_counts,
)
from citykit.performance.charts._prepare import (
    _baseline_mask,
    _excluded_mask,
    _finish,
    _prepare,
    _rule_options,
)
from citykit.performance.charts.result import D2, ControlChart

__all__ = ["p_chart", "u_chart", "c_chart"]


def _laney_sigma_z(values, centre, sigma_i, mask) -> float:
    use = mask & ~np.isnan(values)
    z = (values[use] - centre) / sigma_i[use]
    if len(z) < 2:
        raise CityKitError("a Laney chart needs at least 2 baseline points to estimate sigma_z.")
    return float(np.mean(np.abs(np.diff(z))) / D2)


def p_chart(
    data: pd.DataFrame,
    *,
    numerator: str = "numerator",
    denominator: str = "denominator",
    period: str | None = None,
    baseline=None,
    exclude=None,
    laney: bool = False,
    rule_set: str = "western_electric",
    rules=None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
    label: str | None = None,
) -> ControlChart:
    """p-chart (or Laney p' chart) of a proportion per period, e.g. the on-time share.

    p-bar = total numerator / total denominator over the baseline; each period's limits are
    p-bar ± 3 sqrt(p-bar (1 - p-bar) / n_i), truncated to [0, 1], so they widen in small months.
    With ``laney=True`` the limits are multiplied by sigma_z = mean |z_i - z_(i-1)| / 1.128 where
    z_i = (p_i - p-bar) / sigma_i (Laney 2002): use it when denominators are in the thousands and
    the ordinary limits are so tight that every month "signals".

    Parameters
    ----------
    data : DataFrame
        One row per period.
    numerator, denominator : str, keyword-only
        Columns with the count of successes (e.g. requests closed on time) and the count of
        cases (requests closed) in each period.
    period : str, optional
        The column of periods; rows are put in period order.
    baseline, exclude :
        As in :func:`xmr_chart`.
    laney : bool, keyword-only
        Laney p' limits instead of binomial ones.
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
        What the values are, for summaries and plots (default: the column names).

    Returns
    -------
    ControlChart
        ``table`` has ``period, numerator, denominator, value`` (the proportion), ``centre, lcl,
        ucl, sigma, phase, signal, rules``.

    Examples
    --------
    Montgomery's orange-juice cans (qcc ``orangejuice``, first 5 samples of 50):

    >>> import pandas as pd
    >>> cans = pd.DataFrame({"D": [12, 15, 8, 10, 4], "n": [50] * 5})
    >>> chart = p_chart(cans, numerator="D", denominator="n")
    >>> round(chart.centre, 3)
    0.196
    >>> p_chart(pd.DataFrame({"D": [1, 2], "n": [10, 0]}), numerator="D", denominator="n")
    Traceback (most recent call last):
    ...
    citykit.errors.CityKitError: denominator must be greater than 0 in every period, but it is 0, negative or missing for [2]. A rate needs a denominator: drop those periods or merge them with a neighbour before charting.
    """
    options = _rule_options(rule_set, rules, run_length, trend_length, alternating_length,
                            stratification_length, mixture_length)  # fmt: skip
    frame, periods = _prepare(data, period, [numerator, denominator])
    d = numeric_column(frame, numerator)
    n = numeric_column(frame, denominator)
    whole_counts(d, argument=f"numerator column {numerator!r}")
    positive_sizes(n, periods, argument="denominator")
    if np.any(d > n):
        where = list(periods[d > n][:5])
        raise CityKitError(
            f"numerator {numerator!r} is larger than denominator {denominator!r} for {where}; a "
            "proportion cannot exceed 1. Check that the two columns are not swapped."
        )
    mask, words = _baseline_mask(periods, baseline, exclude, minimum=1)
    use = mask & ~np.isnan(d)
    p_bar = float(d[use].sum() / n[use].sum())
    p = d / n
    sigma_i = np.sqrt(p_bar * (1 - p_bar) / n)
    details = {"p_bar": p_bar}
    chart = "p"
    if laney:
        sigma_z = _laney_sigma_z(p, p_bar, sigma_i, mask)
        sigma_i = sigma_i * sigma_z
        details["sigma_z"] = sigma_z
        chart = "p' (Laney)"
    lcl = np.maximum(0.0, p_bar - 3 * sigma_i)
    ucl = np.minimum(1.0, p_bar + 3 * sigma_i)
    n_bar = float(np.mean(n[use]))
    sigma = np.sqrt(p_bar * (1 - p_bar) / n_bar) * details.get("sigma_z", 1.0)
    return _finish(
        chart,
        frame,
        periods=periods,
        x=p,
        centre=p_bar,
        sigma_i=sigma_i,
        lcl=lcl,
        ucl=ucl,
        mask=mask,
        excluded=_excluded_mask(periods, exclude),
        words=words,
        sigma=sigma,
        rule_options=options,
        details=details,
        value_label=label or f"{numerator} / {denominator}",
        extra={"numerator": d, "denominator": n},
    )


def u_chart(
    data: pd.DataFrame,
    *,
    count: str = "count",
    exposure: str = "exposure",
    period: str | None = None,
    baseline=None,
    exclude=None,
    laney: bool = False,
    rule_set: str = "western_electric",
    rules=None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
    label: str | None = None,
) -> ControlChart:
    """u-chart (or Laney u' chart) of a rate per unit of exposure that varies by period.

    u-bar = total count / total exposure over the baseline; limits u-bar ± 3 sqrt(u-bar / n_i),
    LCL at least 0. Typical uses: complaints per 1,000 residents by month, potholes reported per
    mile of road. ``laney=True`` multiplies the limits by sigma_z as in :func:`p_chart`.

    Parameters
    ----------
    data : DataFrame
        One row per period.
    count, exposure : str, keyword-only
        Columns with the count of events and the exposure (area of opportunity) per period.
    period : str, optional
        The column of periods.
    baseline, exclude, laney :
        As in :func:`p_chart`.
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
        What the values are, for summaries and plots (default: the column names).

    Returns
    -------
    ControlChart
        ``table`` has ``period, count, exposure, value`` (the rate) and the limit columns.

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.DataFrame({"c": [12, 30, 7, 22, 15], "n": [10, 25, 4, 20, 8]})
    >>> chart = u_chart(rates, count="c", exposure="n")
    >>> round(chart.centre, 7)
    1.2835821
    >>> [round(v, 6) for v in chart.table["ucl"]]
    [2.358396, 1.963354, 2.983011, 2.04359, 2.48526]
    """
    options = _rule_options(rule_set, rules, run_length, trend_length, alternating_length,
                            stratification_length, mixture_length)  # fmt: skip
    frame, periods = _prepare(data, period, [count, exposure])
    c = numeric_column(frame, count)
    n = numeric_column(frame, exposure)
    whole_counts(c, argument=f"count column {count!r}")
    positive_sizes(n, periods, argument="exposure")
    mask, words = _baseline_mask(periods, baseline, exclude, minimum=1)
    use = mask & ~np.isnan(c)
    u_bar = float(c[use].sum() / n[use].sum())
    u = c / n
    sigma_i = np.sqrt(u_bar / n)
    details = {"u_bar": u_bar}
    chart = "u"
    if laney:
        sigma_z = _laney_sigma_z(u, u_bar, sigma_i, mask)
        sigma_i = sigma_i * sigma_z
        details["sigma_z"] = sigma_z
        chart = "u' (Laney)"
    lcl = np.maximum(0.0, u_bar - 3 * sigma_i)
    ucl = u_bar + 3 * sigma_i
    sigma = np.sqrt(u_bar / float(np.mean(n[use]))) * details.get("sigma_z", 1.0)
    return _finish(
        chart,
        frame,
        periods=periods,
        x=u,
        centre=u_bar,
        sigma_i=sigma_i,
        lcl=lcl,
        ucl=ucl,
        mask=mask,
        excluded=_excluded_mask(periods, exclude),
        words=words,
        sigma=sigma,
        rule_options=options,
        details=details,
        value_label=label or f"{count} per {exposure}",
        extra={"count": c, "exposure": n},
    )


def c_chart(
    data: pd.DataFrame,
    *,
    count: str = "count",
    period: str | None = None,
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
    """c-chart of a count of events per period with a constant area of opportunity.

    c-bar = mean count over the baseline; limits c-bar ± 3 sqrt(c-bar), LCL at least 0. When the
    opportunity varies (more residents, more days in the month) use :func:`u_chart`; when counts
    vary far more than a Poisson count would, use :func:`xmr_chart`.

    Parameters
    ----------
    data : DataFrame
        One row per period.
    count : str, keyword-only
        Column with the count of events.
    period, baseline, exclude :
        As in :func:`xmr_chart`.
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
        What the values are, for summaries and plots (default: the column names).

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> import pandas as pd
    >>> chart = c_chart(pd.DataFrame({"defects": [21, 24, 16, 12, 15]}), count="defects")
    >>> round(chart.centre, 1), round(chart.sigma, 4)
    (17.6, 4.1952)
    """
    options = _rule_options(rule_set, rules, run_length, trend_length, alternating_length,
                            stratification_length, mixture_length)  # fmt: skip
    frame, periods = _prepare(data, period, [count])
    c = numeric_column(frame, count)
    whole_counts(c, argument=f"count column {count!r}")
    if np.isnan(c).all():
        raise EmptyDataError(f"column {count!r} has no values to chart (all are missing).")
    mask, words = _baseline_mask(periods, baseline, exclude, minimum=1)
    use = mask & ~np.isnan(c)
    c_bar = float(c[use].mean())
    sigma = float(np.sqrt(c_bar))
    n = len(c)
    return _finish(
        "c",
        frame,
        periods=periods,
        x=c,
        centre=c_bar,
        sigma_i=np.full(n, sigma),
        lcl=np.full(n, max(0.0, c_bar - 3 * sigma)),
        ucl=np.full(n, c_bar + 3 * sigma),
        mask=mask,
        excluded=_excluded_mask(periods, exclude),
        words=words,
        sigma=sigma,
        rule_options=options,
        details={"c_bar": c_bar},
        value_label=label or count,
        extra={},
    )

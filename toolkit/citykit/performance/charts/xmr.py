"""The XmR chart (individuals and moving ranges): one value per period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, EmptyDataError
from citykit.performance._checks import (
    numeric_column,
)
from citykit.performance.charts._prepare import (
    _baseline_mask,
    _excluded_mask,
    _finish,
    _prepare,
    _rule_options,
)
from citykit.performance.charts.result import D2, D4, ControlChart

__all__ = ["xmr_chart"]


def xmr_chart(
    data: pd.DataFrame,
    *,
    value: str = "value",
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
    """XmR (individuals and moving range) chart of one value per period.

    Sigma is estimated as the mean moving range divided by **d2 = 1.128** (two-point moving
    ranges, NIST e-Handbook §6.3.2.2 and qcc), so the limits are mean ± 2.659574 x MR-bar; the
    moving-range chart's upper limit is D4 x MR-bar with D4 = 3.267. Both are computed from the
    baseline points only.

    Parameters
    ----------
    data : DataFrame
        One row per period.
    value : str, keyword-only
        The column to chart (e.g. median days to close).
    period : str, optional
        The column of periods (dates or labels); rows are put in period order. Without it the
        rows are numbered 1, 2, ... in their current order.
    baseline : int or (start, end), optional
        Compute limits from the first ``baseline`` points or from the periods between ``start``
        and ``end`` (inclusive); all points by default.
    exclude : list, optional
        Periods (or point numbers without ``period``) left out of the limit calculation.
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
        ``table`` has ``period, moving_range, mr_ucl, value, centre, lcl, ucl, sigma, phase,
        signal, rules``; ``details`` has ``mr_bar``, ``mr_ucl``, ``d2`` and ``d4``.

    Examples
    --------
    NIST e-Handbook §6.3.2.2 flow-rate batches:

    >>> import pandas as pd
    >>> flow = pd.DataFrame({"value": [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]})
    >>> chart = xmr_chart(flow)
    >>> round(chart.centre, 2), round(chart.details["mr_bar"], 4)
    (50.81, 1.8778)
    >>> round(float(chart.table["ucl"].iloc[0]), 4), round(float(chart.table["lcl"].iloc[0]), 4)
    (55.8041, 45.8159)
    >>> int(chart.table["signal"].sum())
    0
    >>> xmr_chart(flow, value="flow")
    Traceback (most recent call last):
    ...
    citykit.errors.MissingColumnError: data has no column 'flow'. Its columns are: 'value'.
    """
    options = _rule_options(rule_set, rules, run_length, trend_length, alternating_length,
                            stratification_length, mixture_length)  # fmt: skip
    frame, periods = _prepare(data, period, [value])
    x = numeric_column(frame, value)
    if np.isnan(x).all():
        raise EmptyDataError(f"column {value!r} has no values to chart (all are missing).")
    mask, words = _baseline_mask(periods, baseline, exclude, minimum=2)
    base = x[mask & ~np.isnan(x)]
    if len(base) < 2:
        raise CityKitError(
            f"the baseline ({words}) holds fewer than 2 values of {value!r}; an XmR chart needs "
            "at least 2 to compute a moving range. Widen the baseline."
        )
    mr_base = np.abs(np.diff(base))
    mr_bar = float(mr_base.mean())
    centre = float(base.mean())
    sigma = mr_bar / D2
    # moving ranges of every charted point (between consecutive values present)
    moving = np.full(len(x), np.nan)
    present = np.flatnonzero(~np.isnan(x))
    moving[present[1:]] = np.abs(np.diff(x[present]))
    n = len(x)
    return _finish(
        "XmR",
        frame,
        periods=periods,
        x=x,
        centre=centre,
        sigma_i=np.full(n, sigma),
        lcl=np.full(n, centre - 3 * sigma),
        ucl=np.full(n, centre + 3 * sigma),
        mask=mask,
        excluded=_excluded_mask(periods, exclude),
        words=words,
        sigma=sigma,
        rule_options=options,
        details={"mr_bar": mr_bar, "mr_ucl": D4 * mr_bar, "d2": D2, "d4": D4},
        value_label=label or value,
        extra={"moving_range": moving, "mr_ucl": D4 * mr_bar},
    )

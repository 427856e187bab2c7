"""Control charts: XmR, X-bar/R, X-bar/S, p, u and c charts, Laney p' and u', with signal rules.

A control chart separates routine variation (noise) from a signal that something changed. Each
function takes a table with one row per period, computes the centre line and the control limits
from a *baseline* (all points, the first N points or a date range), applies the signal rules of
:mod:`citykit.performance.rules`, and returns a :class:`ControlChart` whose ``table`` is tidy:

``period, value, centre, lcl, ucl, sigma, phase, signal, rules`` (plus the chart's inputs, e.g.
``numerator`` and ``denominator`` for a p-chart, ``moving_range`` for an XmR chart).

Conventions (stated so that results can be checked against published values)
----------------------------------------------------------------------------
* XmR: sigma = mean moving range / d2 with **d2 = 1.128** (moving ranges of 2 points; NIST
  e-Handbook §6.3.2.2 and qcc use 1.128, so the limits are mean ± 2.659574 x MR-bar). The moving
  range chart's upper limit is D4 x MR-bar with **D4 = 3.267** (NIST, Montgomery).
* p-chart: p-bar = total numerator / total denominator over the baseline; limits
  p-bar ± 3 sqrt(p-bar (1 - p-bar) / n_i), truncated to [0, 1] (qcc ``limits.p``).
* u-chart: u-bar = total count / total exposure; limits u-bar ± 3 sqrt(u-bar / n_i), LCL >= 0.
* c-chart: c-bar = mean count; limits c-bar ± 3 sqrt(c-bar), LCL >= 0.
* Laney p' and u' (Laney 2002): z_i = (p_i - p-bar) / sigma_i; sigma_z = mean |z_i - z_{i-1}| /
  1.128; limits p-bar ± 3 sigma_i sigma_z. Use them when denominators are large (thousands of
  311 requests a month) and the ordinary p-chart flags almost every month.
* X-bar/R and X-bar/S (several measurements per period, e.g. five inspection times a day):
  sigma = mean(R_i / d2(n_i)) or mean(s_i / c4(n_i)) over the baseline subgroups (qcc's
  "UWAVE-R" and "UWAVE-SD"); X-bar limits x-double-bar ± 3 sigma / sqrt(n_i); R chart
  d2(n_i) sigma ± 3 d3(n_i) sigma; S chart c4(n_i) sigma ± 3 sigma sqrt(1 - c4(n_i)^2), lower
  limits at least 0. d2 is the 3-decimal table value (:data:`D2_TABLE`, as NIST, Montgomery and
  qcc), d3 the exact integral to 7 decimals (:data:`D3_TABLE`), c4 the closed form (:func:`c4`).

Limits are computed from the baseline points only and then applied to every point (qcc's
"trial" and "new" data); ``exclude`` drops points from the limit calculation (revised limits
after known special causes) while still charting them.

Formulas, reference values (NIST, Montgomery, qcc's vignette) and sources: ``docs/methods.md``,
"Control charts".

One module per family of charts: :mod:`.result` (the :class:`ControlChart` result and the
constants), :mod:`.xmr`, :mod:`.subgroups` (X-bar, R, S), :mod:`.attributes` (p, u, c, Laney);
:mod:`._prepare` holds what they share (periods, baseline, signal rules).
"""

from __future__ import annotations

import pandas as pd

from citykit.errors import require_keyword_choice
from citykit.performance.charts.attributes import c_chart, p_chart, u_chart
from citykit.performance.charts.result import (
    CHART_TYPES,
    D2,
    D2_TABLE,
    D3_TABLE,
    D4,
    ControlChart,
    c4,
)
from citykit.performance.charts.subgroups import r_chart, s_chart, xbar_chart
from citykit.performance.charts.xmr import xmr_chart

__all__ = [
    "D2",
    "D4",
    "D2_TABLE",
    "D3_TABLE",
    "c4",
    "ControlChart",
    "xmr_chart",
    "xbar_chart",
    "r_chart",
    "s_chart",
    "p_chart",
    "u_chart",
    "c_chart",
    "control_chart",
    "CHART_TYPES",
]


def control_chart(data: pd.DataFrame, *, chart: str = "xmr", **options) -> ControlChart:
    """Draw any chart by name (one of :data:`CHART_TYPES`).

    The names are ``"xmr"``, ``"xbar"``, ``"r"``, ``"s"``, ``"p"``, ``"laney_p"``, ``"u"``,
    ``"laney_u"`` and ``"c"``.

    Parameters
    ----------
    data : DataFrame
        One row per period.
    chart : str, keyword-only
        Which chart (see :data:`CHART_TYPES`).
    **options
        Passed on to :func:`xmr_chart`, :func:`xbar_chart`, :func:`r_chart`, :func:`s_chart`,
        :func:`p_chart`, :func:`u_chart` or :func:`c_chart`.

    Returns
    -------
    ControlChart

    Examples
    --------
    >>> import pandas as pd
    >>> control_chart(pd.DataFrame({"value": [1.0, 2.0, 1.5]}), chart="xmr").chart
    'XmR'
    >>> control_chart(pd.DataFrame({"value": [1.0]}), chart="x-bar")
    Traceback (most recent call last):
    ...
    citykit.errors.UnknownNameError: chart='x-bar' is not one of 'xmr', 'xbar', 'r', 's', 'p', 'laney_p', 'u', 'laney_u', 'c'. Did you mean 'xbar'?
    """
    require_keyword_choice(chart, list(CHART_TYPES), argument="chart")
    if chart == "xmr":
        return xmr_chart(data, **options)
    if chart == "xbar":
        return xbar_chart(data, **options)
    if chart == "r":
        return r_chart(data, **options)
    if chart == "s":
        return s_chart(data, **options)
    if chart in ("p", "laney_p"):
        return p_chart(data, laney=chart == "laney_p", **options)
    if chart in ("u", "laney_u"):
        return u_chart(data, laney=chart == "laney_u", **options)
    return c_chart(data, **options)

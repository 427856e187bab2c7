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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._dates import order_periods, parse_dates
from citykit.errors import CityKitError, EmptyDataError, require_keyword_choice
from citykit.performance._checks import (
    check_table,
    numeric_column,
    positive_sizes,
    to_datetime,
    whole_counts,
)
from citykit.performance.rules import describe_rule, rule_flags

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

#: d2 for moving ranges of two points (NIST/SEMATECH §6.3.2.2, qcc): sigma-hat = MR-bar / 1.128.
D2 = 1.128
#: D4 for moving ranges of two points (NIST, Montgomery): UCL of the moving-range chart.
D4 = 3.267

#: d2(n): the mean range of n normal values in standard deviations, n = 2..25, to the three
#: decimals of the published tables (ASTM; Montgomery, Appendix VI; NIST; qcc). The exact
#: integral is 1.128379 for n = 2; the tables' 1.128 is the convention behind every published
#: X-bar/R limit, and the one :data:`D2` uses for XmR charts.
D2_TABLE = {
    2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970,
    10: 3.078, 11: 3.173, 12: 3.258, 13: 3.336, 14: 3.407, 15: 3.472, 16: 3.532, 17: 3.588,
    18: 3.640, 19: 3.689, 20: 3.735, 21: 3.778, 22: 3.819, 23: 3.858, 24: 3.895, 25: 3.931,
}  # fmt: skip
#: d3(n): the standard deviation of that range, n = 2..25, the exact integral to 7 decimals
#: (n = 2: sqrt(2 - 4/pi) = 0.8525025). Published tables print 3 decimals (0.853).
D3_TABLE = {
    2: 0.8525025, 3: 0.8883680, 4: 0.8798082, 5: 0.8640819, 6: 0.8480397, 7: 0.8332053,
    8: 0.8198315, 9: 0.8078343, 10: 0.7970507, 11: 0.7873146, 12: 0.7784783, 13: 0.7704162,
    14: 0.7630231, 15: 0.7562114, 16: 0.7499081, 17: 0.7440518, 18: 0.7385909, 19: 0.7334815,
    20: 0.7286863, 21: 0.7241733, 22: 0.7199148, 23: 0.7158867, 24: 0.7120682, 25: 0.7084408,
}  # fmt: skip

#: Chart names accepted by :func:`control_chart`.
CHART_TYPES = ("xmr", "xbar", "r", "s", "p", "laney_p", "u", "laney_u", "c")


def c4(n) -> float | np.ndarray:
    """Return c4(n) = E[s]/sigma for n normal values: sqrt(2/(n-1)) Γ(n/2)/Γ((n-1)/2).

    Examples
    --------
    >>> round(c4(5), 7)
    0.9399856
    """
    n = np.asarray(n, dtype=float)
    lgamma = np.vectorize(math.lgamma)
    value = np.sqrt(2 / (n - 1)) * np.exp(lgamma(n / 2) - lgamma((n - 1) / 2))
    return float(value) if value.ndim == 0 else value


@dataclass(frozen=True, eq=False)
class ControlChart:
    """The result of a control chart: a tidy table plus the numbers behind the limits.

    Attributes
    ----------
    chart : str
        "XmR", "p", "p' (Laney)", "u", "u' (Laney)" or "c".
    table : DataFrame
        One row per period: ``period, value, centre, lcl, ucl, sigma, phase, signal, rules``
        and the chart's inputs.
    centre : float
        The centre line.
    sigma : float
        For XmR and c charts, the standard deviation of one point; for p and u charts, the
        standard deviation of a point with the average denominator; for X-bar, R and S charts,
        the within-subgroup standard deviation of one measurement (R-bar/d2 or s-bar/c4).
    baseline : str
        Which points the limits come from, in words.
    rule_set : str
        "western_electric" or "nelson".
    run_lengths : dict
        The rule lengths in use.
    details : dict
        Chart-specific numbers (``mr_bar``, ``mr_ucl``, ``d2``; ``sigma_z`` for Laney charts).
    value_label : str
        What the values are (for plots and summaries).
    notes : tuple of str
        What the chart left out or assumed (e.g. missing measurements), shown in the summary.
    """

    chart: str
    table: pd.DataFrame = field(repr=False)
    centre: float
    sigma: float
    baseline: str
    rule_set: str
    run_lengths: dict = field(repr=False)
    details: dict = field(default_factory=dict, repr=False)
    value_label: str = "value"
    notes: tuple = ()

    @property
    def signals(self) -> pd.DataFrame:
        """The rows of :attr:`table` with a signal."""
        return self.table[self.table["signal"]]

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the tidy table."""
        return self.table.copy()

    def signal_descriptions(self) -> list[str]:
        """Return one sentence per signalling period, e.g. ``"2024-03: 8 in a row below ..."``."""
        out = []
        for _, row in self.signals.iterrows():
            side = "above" if row["value"] > row["centre"] else "below"
            reasons = [
                describe_rule(code, run_lengths=self.run_lengths, side=side)
                for code in str(row["rules"]).split(", ")
            ]
            out.append(f"{_label(row['period'])}: " + "; ".join(reasons))
        return out

    def signal_stretches(self) -> list[str]:
        """Return one sentence per stretch of consecutive signalling points on the same side.

        Each rule is named once per stretch; a rule that fires on only some of the stretch's
        points says on how many and from when, e.g.
        ``"2024-04 to 2024-12: every point above the upper control limit; 8 in a row above the
        centre (2 of 9, from 2024-11)"``. :meth:`signal_descriptions` has one line per point.
        """
        table = self.table
        flags = table["signal"].to_numpy(dtype=bool)
        sides = np.where(table["value"].to_numpy(dtype=float) > table["centre"], "above", "below")
        stretches: list[list[int]] = []
        for position in np.flatnonzero(flags):
            last = stretches[-1][-1] if stretches else None
            if last is not None and last == position - 1 and sides[last] == sides[position]:
                stretches[-1].append(position)
            else:
                stretches.append([position])
        out = []
        for positions in stretches:
            side = sides[positions[0]]
            fired: dict[str, list[int]] = {}
            for position in positions:
                for code in str(table["rules"].iloc[position]).split(", "):
                    fired.setdefault(code, []).append(position)
            n = len(positions)
            reasons = []
            for code, where in fired.items():
                text = describe_rule(code, run_lengths=self.run_lengths, side=side)
                if n > 1 and code in ("WE1", "N1") and len(where) == n:
                    text = text.replace("a point", "every point", 1)
                elif n > 1 and len(where) < n:
                    text += f" ({len(where)} of {n}, from {_label(table['period'].iloc[where[0]])})"
                reasons.append(text)
            first = _label(table["period"].iloc[positions[0]])
            when = first if n == 1 else f"{first} to {_label(table['period'].iloc[positions[-1]])}"
            out.append(f"{when}: " + "; ".join(reasons))
        return out

    def summary(self) -> str:
        """Return a few plain sentences about the chart.

        Numbers share one precision, set by the size of sigma; signals are grouped into
        stretches of consecutive points (see :meth:`signal_stretches`).
        """
        n_signal = int(self.table["signal"].sum())
        lcl = self.table["lcl"]
        ucl = self.table["ucl"]
        number = _number_format(self.sigma)
        varies = "subgroup size" if "n" in self.table.columns else "denominator"
        limits = (
            f"limits {number(lcl.iloc[0])} to {number(ucl.iloc[0])}"
            if lcl.nunique() <= 1 and ucl.nunique() <= 1
            else f"limits vary with the {varies} (UCL {number(ucl.min())} to {number(ucl.max())})"
        )
        text = (
            f"{self.chart} chart of {self.value_label}: {len(self.table)} points, centre "
            f"{number(self.centre)}, {limits}; limits from {self.baseline}. "
        )
        notes = "".join(f" {note}" for note in self.notes)
        if n_signal == 0:
            return text + "No signals: the variation looks routine." + notes
        points = "1 point signals" if n_signal == 1 else f"{n_signal} points signal"
        return text + f"{points}: " + " | ".join(self.signal_stretches()) + "." + notes

    def __repr__(self) -> str:
        return f"<ControlChart {self.summary()}>"

    def _repr_html_(self) -> str:
        head = f"<p><b>{self.chart} chart</b> — {_escape(self.summary())}</p>"
        return head + self.table.to_html(index=False, max_rows=40)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number_format(sigma: float):
    """Return a formatter with enough decimals to show a tenth of ``sigma`` (at most 6)."""
    if np.isfinite(sigma) and sigma > 0:
        decimals = int(min(6, max(0, 2 - np.floor(np.log10(sigma)))))
    else:
        decimals = 4
    return lambda value: f"{value:,.{decimals}f}"


def _label(period: object) -> str:
    if isinstance(period, pd.Timestamp):
        if period == period.normalize() and period.day == 1:
            return period.strftime("%Y-%m")
        return period.strftime("%Y-%m-%d")
    return str(period)


# --------------------------------------------------------------------------------------------
# shared preparation: order, periods, baseline
# --------------------------------------------------------------------------------------------


def _plain_periods(periods: pd.Series, name: str) -> pd.Series:
    """Periods as plain values: naive datetimes (from tz-aware or Arrow), numbers or objects."""
    dtype = periods.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or (
        isinstance(dtype, pd.ArrowDtype) and "timestamp" in str(dtype)
    ):
        return to_datetime(periods, column=name, argument="data")
    if isinstance(dtype, pd.CategoricalDtype) and not dtype.ordered:
        return periods.astype(object)
    if isinstance(dtype, pd.ArrowDtype):
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        return periods.astype("float64") if numeric else periods.astype(object)
    return periods


def _prepare(data, period, needed) -> tuple[pd.DataFrame, pd.Series]:
    check_table(data, [*needed, period])
    frame = data.copy()
    if period is None:
        periods = pd.Series(np.arange(1, len(frame) + 1), index=frame.index, name="period")
    else:
        periods = frame[period]
        if periods.isna().any():
            raise CityKitError(
                f"period column {period!r} has {int(periods.isna().sum())} missing value(s); "
                "every point needs a period. Drop those rows or fill them in."
            )
        if periods.duplicated().any():
            dup = periods[periods.duplicated()].iloc[0]
            raise CityKitError(
                f"period column {period!r} has repeated periods (e.g. {dup!r}); a control chart "
                "needs one row per period. Aggregate first, e.g. with "
                "citykit.performance.compute_measures(...) or data.groupby(period).sum()."
            )
        periods = _plain_periods(periods, period)
        # in time order: text periods such as "01/01/2024" are read as dates to sort them
        order = order_periods(periods)
        frame = frame.iloc[order]
        periods = periods.iloc[order]
    return frame.reset_index(drop=True), periods.reset_index(drop=True)


def _baseline_mask(
    periods: pd.Series, baseline, exclude, *, minimum: int
) -> tuple[np.ndarray, str]:
    n = len(periods)
    if baseline is None:
        mask = np.ones(n, dtype=bool)
        words = f"all {n} points"
    elif isinstance(baseline, (int, np.integer)) and not isinstance(baseline, bool):
        if not minimum <= baseline <= n:
            raise CityKitError(
                f"baseline={baseline} must be a number of points from {minimum} to {n} (the "
                "table's length). About 20 or more points give dependable limits."
            )
        mask = np.arange(n) < baseline
        words = f"the first {baseline} points"
    elif isinstance(baseline, (tuple, list)) and len(baseline) == 2:
        start, end = (_coerce_like(b, periods, "baseline") for b in baseline)
        values = periods
        mask = np.ones(n, dtype=bool)
        try:
            if start is not None:
                mask &= (values >= start).to_numpy()
            if end is not None:
                mask &= (values <= end).to_numpy()
        except TypeError:
            raise CityKitError(
                f"baseline={baseline!r} cannot be compared with the periods, which look like "
                f"{_label(periods.iloc[0])!r}. Give the start and end in the same form."
            ) from None
        words = f"{_label(start) if start is not None else 'the start'} to " + (
            f"{_label(end)}" if end is not None else "the end"
        )
    else:
        raise CityKitError(
            f"baseline={baseline!r} is not understood. Use a number of points (baseline=20) "
            "or a (start, end) pair of periods, e.g. baseline=('2023-01', '2023-12')."
        )
    if exclude is not None:
        if isinstance(exclude, (str, int, pd.Timestamp)):
            exclude = [exclude]
        for item in exclude:
            target = _coerce_like(item, periods, "exclude")
            hits = (periods == target).to_numpy()
            if not hits.any():
                raise CityKitError(
                    f"exclude={item!r} is not one of the chart's periods. The periods run from "
                    f"{_label(periods.iloc[0])} to {_label(periods.iloc[-1])}."
                )
            mask &= ~hits
        words += f", excluding {len(exclude)} point(s)"
    if mask.sum() < minimum:
        raise CityKitError(
            f"the baseline ({words}) holds {int(mask.sum())} point(s); at least {minimum} are "
            "needed to compute limits. Widen the baseline."
        )
    return mask, words


def _coerce_like(value, periods: pd.Series, argument: str):
    if value is None:
        return None
    if pd.api.types.is_datetime64_any_dtype(periods):
        try:
            return pd.Timestamp(value)
        except (ValueError, TypeError) as exc:
            raise CityKitError(
                f"{argument}: {value!r} is not a date; the periods are dates, so write e.g. "
                "'2023-06-01'."
            ) from exc
    return value


def _finish(
    chart: str,
    frame: pd.DataFrame,
    *,
    periods: pd.Series,
    x: np.ndarray,
    centre: float,
    sigma_i: np.ndarray,
    lcl: np.ndarray,
    ucl: np.ndarray,
    mask: np.ndarray,
    excluded: np.ndarray,
    words: str,
    sigma: float,
    rule_options: dict,
    details: dict,
    value_label: str,
    extra: dict,
    centre_i: np.ndarray | None = None,
    notes: tuple = (),
) -> ControlChart:
    centre_line = centre if centre_i is None else centre_i  # R and S charts: varies with n
    gaps = np.isnan(np.asarray(x, dtype=float))
    if gaps.any() and not any("missing" in str(n) for n in notes):
        shown = ", ".join(_label(p) for p in pd.Series(periods)[gaps].iloc[:5])
        notes = (
            *notes,
            f"{int(gaps.sum()):,} period(s) have no value ({shown}); they are left out of the "
            "limits and of the signal rules.",
        )
    flags = rule_flags(x, centre=centre_line, sigma=sigma_i, lcl=lcl, ucl=ucl, **rule_options)
    codes = [[c for c, f in flags.items() if f[i]] for i in range(len(x))]
    phase = np.where(mask, "baseline", np.where(excluded, "excluded", "monitoring"))
    table = pd.DataFrame({"period": periods})
    for name, values in extra.items():
        table[name] = values
    table["value"] = x
    table["centre"] = centre_line
    table["lcl"] = lcl
    table["ucl"] = ucl
    table["sigma"] = sigma_i
    table["phase"] = phase
    table["signal"] = [bool(c) for c in codes]
    table["rules"] = [", ".join(c) for c in codes]
    rule_set = rule_options.get("rule_set", "western_electric")
    lengths = {
        k: rule_options.get(k)
        for k in (
            "run_length",
            "trend_length",
            "alternating_length",
            "stratification_length",
            "mixture_length",
        )
    }
    if lengths["run_length"] is None:
        lengths["run_length"] = 8 if rule_set.startswith("w") else 9
    return ControlChart(
        chart=chart,
        table=table,
        centre=float(centre),
        sigma=float(sigma),
        baseline=words,
        rule_set=rule_set,
        run_lengths=lengths,
        details=details,
        value_label=value_label,
        notes=tuple(notes),
    )


def _rule_options(rule_set, rules, run_length, trend_length, alternating_length,
                  stratification_length, mixture_length) -> dict:  # fmt: skip
    from citykit.performance.rules import _lengths, _resolve_rule_set, _resolve_rules

    rule_set = _resolve_rule_set(rule_set)
    _resolve_rules(rule_set, rules)
    _lengths(
        rule_set,
        run_length=run_length,
        trend_length=trend_length,
        alternating_length=alternating_length,
        stratification_length=stratification_length,
        mixture_length=mixture_length,
    )
    return {
        "rule_set": rule_set,
        "rules": rules,
        "run_length": run_length,
        "trend_length": trend_length,
        "alternating_length": alternating_length,
        "stratification_length": stratification_length,
        "mixture_length": mixture_length,
    }


def _excluded_mask(periods, exclude) -> np.ndarray:
    if exclude is None:
        return np.zeros(len(periods), dtype=bool)
    if isinstance(exclude, (str, int, pd.Timestamp)):
        exclude = [exclude]
    targets = [_coerce_like(e, periods, "exclude") for e in exclude]
    return periods.isin(targets).to_numpy()


# --------------------------------------------------------------------------------------------
# XmR
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# X-bar, R and S: several measurements per period (subgroups)
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# attribute charts
# --------------------------------------------------------------------------------------------


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

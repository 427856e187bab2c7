"""Control charts: XmR (individuals), p, u and c charts, Laney p' and u', with signal rules.

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

Limits are computed from the baseline points only and then applied to every point (qcc's
"trial" and "new" data); ``exclude`` drops points from the limit calculation (revised limits
after known special causes) while still charting them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, EmptyDataError, require_keyword_choice
from citykit.performance._checks import (
    check_table,
    numeric_column,
    positive_sizes,
    whole_counts,
)
from citykit.performance.rules import describe_rule, rule_flags

__all__ = [
    "D2",
    "D4",
    "ControlChart",
    "xmr_chart",
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

#: Chart names accepted by :func:`control_chart`.
CHART_TYPES = ("xmr", "p", "laney_p", "u", "laney_u", "c")


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
        standard deviation of a point with the average denominator.
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
        limits = (
            f"limits {number(lcl.iloc[0])} to {number(ucl.iloc[0])}"
            if lcl.nunique() <= 1 and ucl.nunique() <= 1
            else f"limits vary with the denominator (UCL {number(ucl.min())} to "
            f"{number(ucl.max())})"
        )
        text = (
            f"{self.chart} chart of {self.value_label}: {len(self.table)} points, centre "
            f"{number(self.centre)}, {limits}; limits from {self.baseline}. "
        )
        if n_signal == 0:
            return text + "No signals: the variation looks routine."
        points = "1 point signals" if n_signal == 1 else f"{n_signal} points signal"
        return text + f"{points}: " + " | ".join(self.signal_stretches()) + "."

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
        order = np.argsort(periods.to_numpy(), kind="stable")
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
) -> ControlChart:
    flags = rule_flags(x, centre, sigma_i, lcl=lcl, ucl=ucl, **rule_options)
    codes = [[c for c, f in flags.items() if f[i]] for i in range(len(x))]
    phase = np.where(mask, "baseline", np.where(excluded, "excluded", "monitoring"))
    table = pd.DataFrame({"period": periods})
    for name, values in extra.items():
        table[name] = values
    table["value"] = x
    table["centre"] = centre
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
    """Draw any chart by name: ``"xmr"``, ``"p"``, ``"laney_p"``, ``"u"``, ``"laney_u"``, ``"c"``.

    Parameters
    ----------
    data : DataFrame
        One row per period.
    chart : str, keyword-only
        Which chart (see :data:`CHART_TYPES`).
    **options
        Passed on to :func:`xmr_chart`, :func:`p_chart`, :func:`u_chart` or :func:`c_chart`.

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
    citykit.errors.UnknownNameError: chart='x-bar' is not one of 'xmr', 'p', 'laney_p', 'u', 'laney_u', 'c'.
    """
    require_keyword_choice(chart, list(CHART_TYPES), argument="chart")
    if chart == "xmr":
        return xmr_chart(data, **options)
    if chart in ("p", "laney_p"):
        return p_chart(data, laney=chart == "laney_p", **options)
    if chart in ("u", "laney_u"):
        return u_chart(data, laney=chart == "laney_u", **options)
    return c_chart(data, **options)

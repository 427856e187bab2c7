"""What every control chart does first: order the periods, pick the baseline, finish the table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._dates import order_periods
from citykit.errors import CityKitError
from citykit.performance._checks import (
    check_table,
    to_datetime,
)
from citykit.performance.charts.result import ControlChart, _label
from citykit.performance.rules import rule_flags

__all__: list[str] = []


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

"""Performance measures as small declarative definitions, computed by period and group.

A :class:`Measure` says *what* to compute (the share of requests closed on time, the median
days to close, requests per 1,000 residents), in which unit, which direction is better, the
target and who owns it. :func:`compute_measures` turns event data (one row per 311 request,
inspection, permit ...) into a tidy table with one row per period, group and measure, ready for
:func:`~citykit.performance.targets.target_status` and the control charts.

Aggregations
------------
``share``
    Share of rows where a yes/no value is true (``column`` or ``formula``), among rows where it is
    known; or ``sum(numerator) / sum(denominator)`` of two columns. Numerator and denominator are
    kept so that a p-chart can use them.
``median``, ``mean``, ``sum``
    Of a numeric ``column`` or ``formula``.
``count``
    Number of rows (or of non-missing values of ``column``).
``rate``
    Count of rows (or sum of ``column``) per ``per`` units of ``denominator``: a number (e.g. the
    population) or a mapping from group to number (population by district).
``ratio``
    ``sum(numerator) / sum(denominator)`` of two columns, times ``per``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit._renamed import keyword_only_options, renamed_options
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    require_columns,
    require_keyword_choice,
)
from citykit.performance import _fast_groupby as _fast
from citykit.performance._checks import (
    check_table,
    normalise_direction,
    to_datetime,
)

__all__ = [
    "AGGREGATIONS",
    "FREQUENCIES",
    "Measure",
    "compute_measures",
    "measure_table",
]

AGGREGATIONS = ("share", "median", "mean", "sum", "count", "rate", "ratio")

#: Reporting frequencies and the pandas period alias each uses.
FREQUENCIES = {
    "daily": "D",
    "weekly": "W",
    "monthly": "M",
    "quarterly": "Q",
    "yearly": "Y",
}


@dataclass(frozen=True)
class Measure:
    """One performance measure, declared once and computed anywhere.

    Parameters
    ----------
    name : str
        What the measure is called in reports ("On-time closure").
    aggregation : str
        One of ``share``, ``median``, ``mean``, ``sum``, ``count``, ``rate``, ``ratio`` (see the
        module docstring).
    column : str, optional
        The column aggregated (a yes/no column for ``share``, numbers otherwise).
    numerator, denominator : str, optional
        Columns summed for ``share``/``ratio``; for ``rate`` the denominator is a number (or a
        mapping group -> number) such as the population.
    formula : str, optional
        A row-level expression evaluated with ``DataFrame.eval`` instead of ``column``, e.g.
        ``"days_to_close <= sla_days"``.
    per : float
        Multiplier for ``rate``/``ratio`` (1000 for "per 1,000 residents").
    unit : str
        Unit shown in reports ("share of requests", "days", "per 1,000 residents").
    direction : {"up", "down"}
        Which way is better.
    target : float, optional
        The value to meet (at least it for "up", at most it for "down").
    owner : str, optional
        Who answers for the measure (a department or a manager).
    frequency : {"daily", "weekly", "monthly", "quarterly", "yearly"}
        How often it is reported.
    description : str
        One sentence on what it means and why it matters.

    Examples
    --------
    >>> on_time = Measure("On-time closure", "share", column="on_time", target=0.8,
    ...                   unit="share of requests", owner="Sanitation")
    >>> on_time.direction
    'up'
    >>> Measure("Days to close", "medain", column="days")
    Traceback (most recent call last):
    ...
    citykit.errors.UnknownNameError: aggregation='medain' is not one of 'share', 'median', 'mean', 'sum', 'count', 'rate', 'ratio'. Did you mean 'median'?
    """

    name: str
    aggregation: str = "mean"
    column: str | None = None
    numerator: str | None = None
    denominator: str | float | Mapping | None = None
    formula: str | None = None
    per: float = 1.0
    unit: str = ""
    direction: str = "up"
    target: float | None = None
    owner: str | None = None
    frequency: str = "monthly"
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise CityKitError("A measure needs a name (a non-empty string).")
        require_keyword_choice(self.aggregation, AGGREGATIONS, argument="aggregation")
        object.__setattr__(self, "direction", normalise_direction(self.direction))
        require_keyword_choice(self.frequency, list(FREQUENCIES), argument="frequency")
        if self.target is not None and not _is_number(self.target):
            raise ColumnTypeError(
                f"target of measure {self.name!r} must be a number, but {self.target!r} was "
                "given. Write 80% as 0.8 for a share."
            )
        if not _is_number(self.per) or self.per <= 0:
            raise ArgumentRangeError(f"per must be a positive number, but {self.per!r} was given.")
        value_source = self.column is not None or self.formula is not None
        pair = self.numerator is not None and self.denominator is not None
        agg = self.aggregation
        if agg in ("median", "mean", "sum") and not value_source:
            raise CityKitError(
                f"measure {self.name!r} ({agg}) needs column= or formula= to say what to "
                f"take the {agg} of."
            )
        if agg == "share" and not (value_source or pair):
            raise CityKitError(
                f"measure {self.name!r} (share) needs a yes/no column= (or formula=), or a "
                "numerator= and denominator= column to sum."
            )
        if agg == "ratio" and not pair:
            raise CityKitError(
                f"measure {self.name!r} (ratio) needs numerator= and denominator= columns."
            )
        if agg == "rate":
            if self.denominator is None:
                raise CityKitError(
                    f"measure {self.name!r} (rate) needs denominator=: a number such as the "
                    "population, or a mapping from group to number."
                )
            if isinstance(self.denominator, Mapping):
                bad = [k for k, v in self.denominator.items() if not _is_number(v) or v <= 0]
            else:
                bad = [] if _is_number(self.denominator) and self.denominator > 0 else ["-"]
            if bad:
                raise ArgumentRangeError(
                    f"denominator of rate {self.name!r} must be positive numbers; check "
                    f"{bad[:3]} (a zero population would divide by zero)."
                )

    def columns_needed(self) -> list[str]:
        """Return the columns this measure reads directly (formula columns are checked later)."""
        cols = [self.column, self.numerator]
        if isinstance(self.denominator, str) and self.aggregation in ("share", "ratio"):
            cols.append(self.denominator)
        return [c for c in cols if c is not None]


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value


def _row_values(data: pd.DataFrame, measure: Measure) -> pd.Series:
    if measure.formula is not None:
        try:
            values = data.eval(measure.formula)
        except Exception as exc:  # pandas raises many kinds; turn them into one message
            raise CityKitError(
                f"formula {measure.formula!r} of measure {measure.name!r} could not be computed "
                f"({type(exc).__name__}: {exc}). Formulas use column names and operators, e.g. "
                "'days_to_close <= sla_days'. The columns are: "
                + ", ".join(map(repr, data.columns))
            ) from None
        if not isinstance(values, pd.Series):
            values = pd.Series(values, index=data.index)
        # keep missing inputs missing (a comparison with NaN would say False)
        if measure.aggregation == "share":
            used = [c for c in data.columns if c in measure.formula]
            if used:
                values = values.astype("boolean").mask(data[used].isna().any(axis=1))
        return values
    series = data[measure.column]
    return series


def _as_numbers(values: pd.Series, measure: Measure, *, boolean: bool) -> pd.Series:
    if boolean:
        if pd.api.types.is_bool_dtype(values) or str(values.dtype) == "boolean":
            return values.astype("Float64").astype(float)
        numeric = pd.to_numeric(values, errors="coerce") if not _is_text(values) else None
        if numeric is not None and set(numeric.dropna().unique()) <= {0, 1}:
            return numeric.astype(float)
        raise ColumnTypeError(
            f"measure {measure.name!r} is a share, so {measure.column or measure.formula!r} "
            "must be yes/no (True/False or 1/0). Make one with a comparison, e.g. "
            "formula='days_to_close <= sla_days'."
        )
    if _is_text(values) or pd.api.types.is_datetime64_any_dtype(values):
        example = values.dropna().iloc[0] if values.notna().any() else None
        raise ColumnTypeError(
            f"measure {measure.name!r} needs numbers in {measure.column or measure.formula!r}, "
            f"but it holds {'dates' if example is not None and hasattr(example, 'year') else 'text'}"
            f" (e.g. {example!r}). Convert it first, e.g. with pd.to_numeric(..., errors='coerce')."
        )
    return pd.to_numeric(values, errors="coerce").astype(float)


def _is_text(values: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(values) or values.dtype == object


def _share_values(frame: pd.DataFrame, measure: Measure) -> np.ndarray:
    """Row values of a share as floats: 1.0 yes, 0.0 no, NaN unknown.

    A formula that compares two numeric columns (or a column and a number) is evaluated with
    numpy (:func:`~citykit.performance._fast_groupby.compare_columns`); anything else goes
    through ``DataFrame.eval``. Both give the same numbers.
    """
    compared = _fast.compare_columns(frame, measure.formula)
    if compared is not None:
        return compared
    values = _as_numbers(_row_values(frame, measure), measure, boolean=True)
    return values.to_numpy(dtype=float, na_value=np.nan)


def _aggregate_by_codes(
    measure: Measure,
    frame: pd.DataFrame,
    group: list[str],
    period_codes: np.ndarray,
    period_starts: np.ndarray,
):
    """:func:`_aggregate` for share, median, mean, sum and count, by the fast group-by.

    Returns the frame the pandas path gives, or None when the groups do not suit it (see
    :func:`~citykit.performance._fast_groupby.aggregate_by_codes`).
    """
    agg = measure.aggregation

    def values() -> np.ndarray:
        if agg == "share":
            return _share_values(frame, measure)
        if agg == "count" and measure.column is None and measure.formula is None:
            return np.ones(len(frame))
        numbers = _as_numbers(_row_values(frame, measure), measure, boolean=False)
        return numbers.to_numpy(dtype=float, na_value=np.nan)

    return _fast.aggregate_by_codes(
        frame, group, period_codes, period_starts, statistic=agg, values=values
    )


def _aggregate(
    measure: Measure,
    frame: pd.DataFrame,
    keys: list[str],
    group: list[str],
    *,
    periods: tuple[np.ndarray, np.ndarray] | None = None,
):
    """Return a frame keys -> value, numerator, denominator for one measure.

    ``periods`` (the period code of each row and the first day of each period) lets shares,
    medians, means, sums and counts be computed on integer cell codes
    (:func:`_aggregate_by_codes`) instead of a groupby on the key columns.
    """
    agg = measure.aggregation
    grouped_index = keys
    by_codes = agg in ("share", "median", "mean", "sum", "count") and measure.numerator is None
    if by_codes and periods is not None:
        out = _aggregate_by_codes(measure, frame, group, *periods)
        if out is not None:
            return out
    pair = agg == "share" and measure.numerator is not None and measure.column is None
    if pair or agg == "ratio":
        num = _as_numbers(frame[measure.numerator], measure, boolean=False)
        den = _as_numbers(frame[measure.denominator], measure, boolean=False)
        left = (num.isna() | den.isna()).astype(float)
        parts = pd.DataFrame(
            {"num": num, "den": den, "left_out": left, **{k: frame[k] for k in keys}}
        )
        out = parts.groupby(grouped_index, observed=True, dropna=False)[
            ["num", "den", "left_out"]
        ].sum()
        per = measure.per if agg == "ratio" else 1
        out["value"] = out["num"] / out["den"].where(out["den"] > 0) * per
        return out.rename(columns={"num": "numerator", "den": "denominator"})
    if agg in ("count", "rate") and measure.column is None and measure.formula is None:
        values = pd.Series(1.0, index=frame.index)
    else:
        values = _as_numbers(_row_values(frame, measure), measure, boolean=agg == "share")
    parts = pd.DataFrame({"v": values, **{k: frame[k] for k in keys}})
    g = parts.groupby(grouped_index, observed=True, dropna=False)["v"]
    left_out = (g.size() - g.count()).astype(float)
    if agg == "share":
        out = pd.DataFrame({"numerator": g.sum(), "denominator": g.count().astype(float)})
        out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    elif agg == "median":
        out = pd.DataFrame({"value": g.median(), "denominator": g.count().astype(float)})
    elif agg == "mean":
        out = pd.DataFrame({"value": g.mean(), "denominator": g.count().astype(float)})
    elif agg == "sum":
        out = pd.DataFrame({"value": g.sum(), "denominator": g.count().astype(float)})
    elif agg == "count":
        out = pd.DataFrame({"value": g.count().astype(float)})
    else:  # rate
        out = pd.DataFrame({"numerator": g.sum()})
        if isinstance(measure.denominator, Mapping):
            if not group:
                raise CityKitError(
                    f"rate {measure.name!r} has a denominator by group, so pass by= to "
                    "compute_measures (the column whose values are the mapping's keys)."
                )
            labels = out.index.get_level_values(group[0])
            missing = sorted({str(v) for v in labels if v not in measure.denominator})
            if missing:
                blank = any(pd.isna(v) or v == MISSING_LABEL for v in labels)
                hint = (
                    f" Some rows have no {group[0]}: drop them first, e.g. "
                    f"data[data[{group[0]!r}].notna()]."
                    if blank
                    else " Add them to the mapping, or drop those rows."
                )
                raise CityKitError(
                    f"rate {measure.name!r}: no denominator for group(s) {missing[:5]}.{hint}"
                )
            den = np.array([float(measure.denominator[v]) for v in labels])
        else:
            den = float(measure.denominator)
        out["denominator"] = den
        out["value"] = out["numerator"] / out["denominator"] * measure.per
    out["left_out"] = left_out
    return out


@keyword_only_options("measures")
@renamed_options(group="by")
def compute_measures(
    data: pd.DataFrame,
    *,
    measures: Measure | Sequence[Measure],
    date: str = "opened_at",
    frequency: str | None = None,
    by: str | Sequence[str] | None = None,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Compute measures by period (and group) from event data; one tidy row per result.

    Parameters
    ----------
    data : DataFrame
        One row per event (request, inspection, case ...).
    measures : Measure or list of Measure, keyword-only
        What to compute.
    date : str, keyword-only
        The column of dates that places each event in a period.
    frequency : {"daily", "weekly", "monthly", "quarterly", "yearly"}, optional
        Length of a period; by default the measures' own ``frequency`` (they must agree).
        Periods are labelled by their first day.
    by : str or list of str, optional
        The column(s) to compute by (department, district ...). Rows without a label are
        computed in a group of their own, labelled ``"(missing)"``.
    start, end : date-like, optional
        Only events with ``start <= date <= end``; every period in between gets a row, even
        with no events (its count is 0 and its share or median missing).

    Returns
    -------
    DataFrame
        Columns ``period, <group columns>, measure, value, numerator, denominator, left_out,
        unit, direction, target, owner``. ``denominator`` is the number of events behind a
        share, median or mean (what a p-chart needs); ``left_out`` the number of events of the
        period (and group) left out because their value is missing (a request still open has
        no ``days_to_close``). ``attrs["notes"]`` says in words what was left out in all.

    Examples
    --------
    >>> import pandas as pd
    >>> requests = pd.DataFrame({
    ...     "opened_at": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-01", "2024-02-02"]),
    ...     "days_to_close": [1.0, 5.0, 2.0, 4.0],
    ...     "sla_days": [3, 3, 3, 3]})
    >>> on_time = Measure("On-time closure", "share", formula="days_to_close <= sla_days",
    ...                   target=0.8)
    >>> median = Measure("Median days to close", "median", column="days_to_close",
    ...                  direction="down", unit="days")
    >>> compute_measures(requests, measures=[on_time, median])[
    ...     ["period", "measure", "value", "denominator", "left_out"]]
          period               measure  value  denominator  left_out
    0 2024-01-01       On-time closure    0.5          2.0       0.0
    1 2024-02-01       On-time closure    0.5          2.0       0.0
    2 2024-01-01  Median days to close    3.0          2.0       0.0
    3 2024-02-01  Median days to close    3.0          2.0       0.0
    """
    if isinstance(measures, Measure):
        measures = [measures]
    if not measures or not all(isinstance(m, Measure) for m in measures):
        raise CityKitError(
            "measures must be a Measure or a list of Measure objects, e.g. "
            "[Measure('Median days to close', 'median', column='days_to_close')]."
        )
    groups = [by] if isinstance(by, str) else list(by or [])
    check_table(data, [date, *groups])
    if frequency is None:
        declared = sorted({m.frequency for m in measures})
        if len(declared) > 1:
            raise CityKitError(
                f"the measures are reported at different frequencies ({', '.join(declared)}); "
                "compute each frequency separately, or pass frequency= to use one for all."
            )
        frequency = declared[0]
    require_keyword_choice(frequency, list(FREQUENCIES), argument="frequency")
    for m in measures:
        require_columns(data, m.columns_needed(), argument="data")
        for column in m.columns_needed():
            values = data[column]
            if (
                pd.api.types.is_float_dtype(values.dtype)
                and np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).any()
            ):
                raise ColumnTypeError(
                    f"data column {column!r} (read by measure {m.name!r}) holds "
                    f"{int(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).sum()):,} "
                    "infinite value(s); they usually come from a division by zero. Fix them, or "
                    f"set them to missing: data[{column!r}].replace([np.inf, -np.inf], np.nan)."
                )
    # one date reader: ISO, US (AM/PM), Excel serial; tz-aware and Arrow as wall-clock time
    dates = to_datetime(data[date], column=date, argument="data")
    # only the columns the measures read: a narrow frame, not a copy of a wide export
    needed = {date, *groups}
    for m in measures:
        needed.update(m.columns_needed())
        if m.formula is not None:
            needed.update(c for c in data.columns if isinstance(c, str) and c in m.formula)
    frame = data[[c for c in data.columns if c in needed]]
    frame = frame.assign(_when=dates)
    # a row without a group label is still an event: it is counted in a "(missing)" group
    labelled = {g: _label_missing(frame[g]) for g in groups if frame[g].isna().any()}
    if labelled:
        frame = frame.assign(**labelled)
    undated = int(frame["_when"].isna().sum())
    keep = frame["_when"].notna().to_numpy()
    if start is not None:
        keep = keep & (frame["_when"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        keep = keep & (frame["_when"] <= pd.Timestamp(end)).to_numpy()
    if not keep.all():
        frame = frame[keep]
    if frame.empty:
        raise CityKitError(
            f"no events have a {date!r} between start={start!r} and end={end!r}; widen the dates."
        )
    alias = FREQUENCIES[frequency]
    period_codes, period_starts = _fast.period_codes(frame["_when"], alias)
    frame = frame.assign(period=pd.Series(period_starts[period_codes], index=frame.index))
    first = pd.Timestamp(start) if start is not None else frame["_when"].min()
    last = pd.Timestamp(end) if end is not None else frame["_when"].max()
    all_periods = pd.period_range(first, last, freq=alias).start_time
    keys = ["period", *groups]
    pieces = []
    for m in measures:
        out = _aggregate(m, frame, keys, groups, periods=(period_codes, period_starts))
        # every period for every group seen, so gaps show as missing (or 0 for counts)
        if groups:
            seen = out.index.droplevel("period").unique()
            seen_tuples = [s if isinstance(s, tuple) else (s,) for s in seen]
            full = pd.MultiIndex.from_tuples(
                [(p, *g) for p in all_periods for g in seen_tuples], names=keys
            )
        else:
            full = pd.Index(all_periods, name="period")
        out = out.reindex(full)
        if m.aggregation in ("count",):
            out["value"] = out["value"].fillna(0.0)
        if m.aggregation == "rate":
            out["numerator"] = out["numerator"].fillna(0.0)
            if not isinstance(m.denominator, Mapping):
                out["denominator"] = float(m.denominator)
            else:
                labels = out.index.get_level_values(groups[0])
                out["denominator"] = [float(m.denominator[v]) for v in labels]
            out["value"] = out["numerator"] / out["denominator"] * m.per
        out["left_out"] = out["left_out"].fillna(0.0)
        if "denominator" in out and m.aggregation in ("share", "median", "mean", "sum"):
            out["denominator"] = out["denominator"].fillna(0.0)
            if "numerator" in out:
                out["numerator"] = out["numerator"].fillna(0.0)
        out = out.reset_index()
        out["measure"] = m.name
        out["unit"] = m.unit
        out["direction"] = m.direction
        out["target"] = np.nan if m.target is None else float(m.target)
        out["owner"] = m.owner
        pieces.append(out)
    result = pd.concat(pieces, ignore_index=True)
    for col in ("numerator", "denominator"):
        if col not in result:
            result[col] = np.nan
    columns = [
        "period",
        *groups,
        "measure",
        "value",
        "numerator",
        "denominator",
        "left_out",
        "unit",
        "direction",
        "target",
        "owner",
    ]
    result = result[columns]
    notes = []
    if undated:
        notes.append(
            f"{undated:,} row(s) have no {date!r} and are in no period; they are not counted."
        )
    for m in measures:
        left = int(result.loc[result["measure"] == m.name, "left_out"].sum())
        if left:
            what = m.formula or m.column or f"{m.numerator} / {m.denominator}"
            notes.append(
                f"{m.name!r}: {left:,} event(s) have no value for {what!r} and are left out "
                "of it (the left_out column counts them in each period)."
            )
    if notes:
        result.attrs["notes"] = notes
    return result


MISSING_LABEL = "(missing)"


def _label_missing(values: pd.Series) -> pd.Series:
    """``values`` with missing labels as ``"(missing)"`` (categoricals get the category)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.add_categories([MISSING_LABEL]).fillna(MISSING_LABEL)
    return values.astype(object).where(values.notna(), MISSING_LABEL)


def measure_table(measures: Sequence[Measure]) -> pd.DataFrame:
    """Return the definitions of ``measures`` as a table (one row per measure).

    Examples
    --------
    >>> measure_table([Measure("Calls", "count", owner="311")])[["measure", "aggregation", "owner"]]
      measure aggregation owner
    0   Calls       count   311
    """
    rows = []
    for m in measures:
        if not isinstance(m, Measure):
            raise CityKitError(f"measure_table expects Measure objects, not {type(m).__name__}.")
        rows.append(
            {
                "measure": m.name,
                "aggregation": m.aggregation,
                "source": m.formula
                or m.column
                or (m.numerator and f"{m.numerator}/{m.denominator}"),
                "unit": m.unit,
                "direction": m.direction,
                "target": m.target,
                "owner": m.owner,
                "frequency": m.frequency,
                "description": m.description,
            }
        )
    return pd.DataFrame(rows)

"""The fast group-by behind :func:`~citykit.performance.compute_measures`.

Grouping a long table of events by period and department with pandas costs most of the time of
``compute_measures``. This module computes the same numbers on integer codes: each row gets one
integer for its (period, group ...) cell; shares are counted with ``np.bincount`` and the other
statistics group by that one integer, which runs the same pandas kernels over the same rows in the
same order as grouping by the key columns. The result is the frame the pandas path gives (same
index, columns and numbers) — ``tests/test_performance_fast_groupby.py`` checks that they are
equal, with fixed frames and with frames Hypothesis generates.

Everything here is an optimisation: when the groups do not suit (labels that cannot be sorted, too
many cells) :func:`aggregate_by_codes` returns None and the caller groups with pandas; when a
share's formula is not a plain comparison :func:`compare_columns` returns None and the caller
evaluates it with ``DataFrame.eval``.

Examples
--------
>>> import pandas as pd
>>> when = pd.Series(pd.to_datetime(["2024-01-03", "2024-02-10", "2024-01-20"]))
>>> codes, starts = period_codes(when, "M")
>>> codes.tolist(), [str(s)[:10] for s in starts]
([0, 1, 0], ['2024-01-01', '2024-02-01'])
"""

from __future__ import annotations

import keyword
import operator
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["aggregate_by_codes", "compare_columns", "period_codes", "period_start"]

#: ``column <op> column`` or ``column <op> number``: formulas a share can compute with numpy alone.
_COMPARISON = re.compile(
    r"^\s*([A-Za-z_]\w*)\s*(<=|>=|==|!=|<|>)\s*"
    r"([A-Za-z_]\w*|[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$"
)
_OPERATORS = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
#: Most (period, group) cells the fast path counts with ``np.bincount``.
_MAX_CELLS = 10_000_000
#: The statistics :func:`aggregate_by_codes` computes.
STATISTICS = ("share", "median", "mean", "sum", "count")


# ----------------------------------------------------------------------------------------------
# periods


def period_start(when: pd.Series, alias: str) -> pd.Series:
    """First day of each date's period (vectorised with numpy for days, months, quarters, years).

    Examples
    --------
    >>> when = pd.Series(pd.to_datetime(["2024-05-17 10:00"]))
    >>> str(period_start(when, "Q").iloc[0])
    '2024-04-01 00:00:00'
    """
    values = when.to_numpy(dtype="datetime64[ns]")
    if alias in ("D", "M", "Y"):
        start = values.astype(f"datetime64[{alias}]").astype("datetime64[ns]")
    elif alias == "Q":
        months = values.astype("datetime64[M]").astype("int64")
        start = (months - months % 3).astype("datetime64[M]").astype("datetime64[ns]")
    else:
        return when.dt.to_period(alias).dt.start_time
    return pd.Series(start, index=when.index)


def period_codes(when: pd.Series, alias: str) -> tuple[np.ndarray, np.ndarray]:
    """Period of each date as a code (0 = earliest) and the first day of each period.

    Every date of one calendar day falls in the same period, so the periods are worked out
    once per day between the first and the last date and looked up, not once per row.
    ``period_starts[codes]`` equals ``period_start(when, alias)``.
    """
    if isinstance(when.dtype, pd.DatetimeTZDtype):
        codes, starts = pd.factorize(period_start(when, alias).to_numpy(), sort=True)
        return codes, starts
    ns = when.to_numpy(dtype="datetime64[ns]").view("int64")
    day = ns // 86_400_000_000_000
    first = int(day.min())
    calendar = (np.arange(int(day.max()) - first + 1) + first).astype("datetime64[D]")
    calendar_starts = period_start(pd.Series(calendar.astype("datetime64[ns]")), alias)
    starts, calendar_codes = np.unique(calendar_starts.to_numpy(), return_inverse=True)
    day -= first
    return calendar_codes[day], starts


# ----------------------------------------------------------------------------------------------
# a share's formula as a numpy comparison


def _numeric_operand(frame: pd.DataFrame, token: str):
    """The numbers of a column (missing values filled arbitrarily) or a literal; None if neither."""
    if not token[0].isalpha() and token[0] != "_":
        return float(token) if any(ch in token for ch in ".eE") else int(token)
    if keyword.iskeyword(token) or token not in frame.columns:
        return None
    series = frame[token]
    if not isinstance(series, pd.Series):  # duplicated column names
        return None
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        return series.to_numpy() if dtype.kind in "iuf" else None
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if pd.api.types.is_numeric_dtype(dtype) and numpy_dtype is not None and dtype.kind in "iuf":
        return series.to_numpy(dtype=numpy_dtype, na_value=0)
    return None


def compare_columns(frame: pd.DataFrame, formula: str | None) -> np.ndarray | None:
    """A comparison of two numeric columns (or a column and a number) as floats, or None.

    1.0 where it holds, 0.0 where not, NaN where a column the formula names is missing (the
    rule of ``DataFrame.eval`` in ``compute_measures``). None when the formula is anything else.

    Examples
    --------
    >>> compare_columns(pd.DataFrame({"days": [1.0, 5.0, None]}), "days <= 3").tolist()
    [1.0, 0.0, nan]
    """
    match = _COMPARISON.match(formula) if formula is not None else None
    if match is None:
        return None
    left = _numeric_operand(frame, match.group(1))
    right = _numeric_operand(frame, match.group(3))
    if left is None or right is None or (np.isscalar(left) and np.isscalar(right)):
        return None
    values = _OPERATORS[match.group(2)](left, right).astype(float)
    for column in (c for c in frame.columns if c in formula):
        values[frame[column].isna().to_numpy()] = np.nan
    return values


# ----------------------------------------------------------------------------------------------
# statistics by cell


def _group_codes(series: pd.Series):
    """Integer codes (-1 missing) and labels of a group column, in groupby's sorted order."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), series.cat.categories
    try:
        codes, labels = pd.factorize(series, sort=True)
    except TypeError:  # labels that cannot be sorted: leave it to groupby
        return None
    return codes, labels


def _level(series: pd.Series, coded: tuple, used: np.ndarray) -> pd.Index:
    """The labels of codes ``used`` (sorted; ``len(labels)`` stands for missing) as groupby has them."""
    labels = coded[1]
    missing = len(labels)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = np.where(used == missing, -1, used)
        return pd.CategoricalIndex(pd.Categorical.from_codes(codes, dtype=series.dtype))
    level = labels.take(used[used < missing])
    return level.insert(len(level), np.nan) if used[-1] == missing else level


def aggregate_by_codes(
    frame: pd.DataFrame,
    group: list[str],
    period_codes: np.ndarray,
    period_starts: np.ndarray,
    *,
    statistic: str,
    values: Callable[[], np.ndarray],
) -> pd.DataFrame | None:
    """One statistic by (period, group ...) cell, as ``groupby(["period", *group])`` gives it.

    Parameters
    ----------
    frame : DataFrame
        The events, with the group columns.
    group : list of str
        The group columns (may be empty).
    period_codes, period_starts : ndarray
        From :func:`period_codes`.
    statistic : {"share", "median", "mean", "sum", "count"}, keyword-only
        A share has columns ``numerator``, ``denominator`` (known values) and ``value``; a
        median, mean or sum ``value`` and ``denominator`` (values used); a count ``value``.
        Every statistic also has ``left_out``: the cell's rows whose value is missing.
    values : callable, keyword-only
        Returns the row values as floats (NaN missing; 1.0/0.0 for a share). Called only when
        the groups suit, so its errors are the same as on the pandas path.

    Returns
    -------
    DataFrame or None
        Indexed by the cells that have rows, in groupby's order; None when the groups do not
        suit (labels that cannot be sorted, more than 10 million cells).

    Examples
    --------
    >>> frame = pd.DataFrame({"dept": ["B", "A", "B"]})
    >>> codes, starts = np.array([0, 0, 1]), np.array(["2024-01-01", "2024-02-01"], "M8[ns]")
    >>> aggregate_by_codes(frame, ["dept"], codes, starts, statistic="sum",
    ...                    values=lambda: np.array([1.0, 2.0, 4.0]))
                     value  denominator  left_out
    period     dept
    2024-01-01 A       2.0          1.0       0.0
               B       1.0          1.0       0.0
    2024-02-01 B       4.0          1.0       0.0
    """
    levels = []
    for name in group:
        coded = _group_codes(frame[name])
        if coded is None:
            return None
        levels.append(coded)
    sizes = [len(period_starts)] + [len(labels) + 1 for _, labels in levels]  # +1: missing
    if np.prod(sizes, dtype=float) > _MAX_CELLS:
        return None
    cell = period_codes.astype(np.int64)
    for (codes, labels), size in zip(levels, sizes[1:], strict=True):
        cell = cell * size + np.where(codes < 0, len(labels), codes)
    row_values = values()
    if statistic == "share":
        known = ~np.isnan(row_values)
        cells = int(np.prod(sizes))
        rows = np.bincount(cell, minlength=cells)
        seen = np.flatnonzero(rows)
        numerator = np.bincount(cell, weights=np.where(known, row_values, 0.0), minlength=cells)
        denominator = np.bincount(cell, weights=known, minlength=cells).astype(float)
        numerator, denominator = numerator[seen], denominator[seen]
        value = np.divide(
            numerator, denominator, out=np.full(len(seen), np.nan), where=denominator > 0
        )
        left_out = rows[seen] - denominator
        columns = {"numerator": numerator, "denominator": denominator, "value": value}
    else:
        g = pd.Series(row_values, copy=False).groupby(cell, sort=True)
        count = g.count()
        seen = count.index.to_numpy()
        count = count.to_numpy().astype(float)
        left_out = np.bincount(cell)[seen] - count  # rows of each cell, less values used
        if statistic == "count":
            columns = {"value": count}
        else:
            stat = {"median": g.median, "mean": g.mean, "sum": g.sum}[statistic]()
            columns = {"value": stat.to_numpy(), "denominator": count}
    columns["left_out"] = left_out.astype(float)
    return pd.DataFrame(
        columns, index=_cell_index(frame, group, levels, sizes, seen, period_starts)
    )


def _cell_index(frame, group, levels, sizes, seen, period_starts) -> pd.Index:
    """The index groupby makes for the cells ``seen``: observed labels in order, missing last."""
    parts = []
    rest = seen
    for size in reversed(sizes[1:]):  # cell number -> the code of each key, last key first
        rest, code = np.divmod(rest, size)
        parts.append(code)
    parts.append(rest)
    parts.reverse()
    periods = pd.DatetimeIndex(period_starts, name="period")
    if not group:
        return periods[parts[0]]
    index_levels, index_codes = [], []
    for name, part, base in zip(["period", *group], parts, [periods, *levels], strict=True):
        used = np.unique(part)
        index_codes.append(np.searchsorted(used, part))
        index_levels.append(_level(frame[name], base, used) if name != "period" else base[used])
    return pd.MultiIndex(
        levels=index_levels, codes=index_codes, names=["period", *group], verify_integrity=False
    )

"""Input checks shared by the performance sub-modules (messages a non-programmer can act on)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from citykit._dates import parse_dates, to_dates
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    UnknownNameError,
    did_you_mean,
    require_columns,
    require_non_empty,
    require_numeric,
)

__all__ = [
    "check_table",
    "numeric_column",
    "check_run_length",
    "normalise_direction",
    "DIRECTIONS",
    "positive_sizes",
    "whole_counts",
    "to_datetime",
    "finite_values",
]

#: Accepted spellings of the desired direction of a measure, mapped to "up" / "down".
DIRECTIONS = {
    "up": "up",
    "down": "down",
    "higher": "up",
    "lower": "down",
    "higher is better": "up",
    "lower is better": "down",
    "increase": "up",
    "decrease": "down",
}


def check_table(data: object, columns, *, argument: str = "data") -> None:
    """Raise unless ``data`` is a non-empty DataFrame with ``columns`` (``None`` entries skipped)."""
    require_columns(data, [c for c in columns if c is not None], argument=argument)
    require_non_empty(data, argument=argument)


def numeric_column(data: pd.DataFrame, column: str, *, argument: str = "data") -> np.ndarray:
    """Return ``data[column]`` as float numbers (missing values as NaN), or raise a clear error."""
    require_numeric(data, column, argument=argument)
    series = data[column]
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("float")
    values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise ColumnTypeError(
            f"{argument} column {column!r} holds {int(infinite.sum()):,} infinite value(s) "
            f"(e.g. in row {data.index[infinite][0]!r}); they usually come from a division by "
            "zero. Fix the division, or set them to missing with "
            f"{argument}[{column!r}].replace([np.inf, -np.inf], np.nan)."
        )
    return values


def check_run_length(value: object, *, argument: str) -> int:
    """Return ``value`` as an int run length of at least 2, or raise :class:`ArgumentRangeError`."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < 2:
        raise ArgumentRangeError(
            f"{argument} must be a whole number of points, 2 or more, but {value!r} was given. "
            "A run needs at least two points; common choices are 7, 8 or 9."
        )
    return int(value)


def normalise_direction(value: object, *, argument: str = "direction") -> str:
    """Return ``"up"`` or ``"down"`` for a desired direction such as ``"Up"`` or ``"lower"``.

    Examples
    --------
    >>> normalise_direction("Down")
    'down'
    >>> normalise_direction("sideways")
    Traceback (most recent call last):
    ...
    citykit.errors.UnknownNameError: direction='sideways' is not a desired direction. Use 'up' (higher is better) or 'down' (lower is better).
    """
    if isinstance(value, str) and value.strip().lower() in DIRECTIONS:
        return DIRECTIONS[value.strip().lower()]
    extra = did_you_mean(value, ["up", "down"]) if isinstance(value, str) else ""
    raise UnknownNameError(
        f"{argument}={value!r} is not a desired direction. Use 'up' (higher is better) or "
        f"'down' (lower is better).{extra}"
    )


def positive_sizes(values: np.ndarray, periods, *, argument: str) -> None:
    """Raise when a denominator is zero, negative or missing (a chart cannot use it)."""
    bad = ~(values > 0)
    if bad.any():
        where = list(pd.Index(periods)[bad][:5])
        raise CityKitError(
            f"{argument} must be greater than 0 in every period, but it is 0, negative or missing "
            f"for {where}. A rate needs a denominator: drop those periods or merge them with a "
            "neighbour before charting."
        )


def whole_counts(values: np.ndarray, *, argument: str) -> None:
    """Raise when counts are negative (text is caught earlier by :func:`numeric_column`)."""
    finite = values[~np.isnan(values)]
    if (finite < 0).any():
        raise ColumnTypeError(
            f"{argument} holds negative numbers ({finite[finite < 0][0]:g}); counts of events "
            "cannot be negative. Check how the column was computed."
        )


def to_datetime(
    values: pd.Series,
    *,
    column: str | None = None,
    argument: str = "data",
    format: str = "auto",
    errors: str = "raise",
):
    """Read a column of dates with the toolkit's one date reader (:mod:`citykit._dates`).

    Datetimes (naive, timezone-aware, Arrow-backed) pass through as naive wall-clock times;
    text in ISO, US month/day/year (with AM/PM) or Excel serial days is read value by value.
    With ``errors="raise"`` a value that is present but not a date raises a
    :class:`~citykit.errors.ColumnTypeError` naming the column, the count and examples; with
    ``errors="report"`` the :class:`~citykit._dates.DateParse` report is returned instead, so
    the caller can count them in its result.
    """
    if errors == "report":
        return parse_dates(values, format=format, column=column)
    return to_dates(values, format=format, column=column, argument=argument)


def finite_values(values: np.ndarray, periods, *, argument: str) -> None:
    """Raise when a chart's values hold infinity (a division by zero upstream, usually)."""
    bad = np.isinf(values)
    if bad.any():
        where = list(pd.Index(periods)[bad][:5])
        raise CityKitError(
            f"{argument} holds {int(bad.sum())} infinite value(s) (for {where}); a control chart "
            "cannot place them. They usually come from a division by zero: fix the rate's "
            "denominator, or set those values to missing."
        )

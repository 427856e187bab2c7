"""Input checks shared by the performance sub-modules (messages a non-programmer can act on)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

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
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


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


def to_datetime(values: pd.Series) -> pd.Series:
    """Convert to datetimes, unparseable values becoming NaT, without pandas' format warnings."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(values, errors="coerce")

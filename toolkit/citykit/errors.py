"""Errors that a learner or an instructor can cause, with messages that say how to fix them.

Every error raised by ``citykit`` for bad input is a :class:`CityKitError`, which is a
``ValueError`` so that ordinary ``except ValueError`` code keeps working. A message names

1. the argument or column at fault,
2. what was found,
3. what was expected, and
4. the likely fix ("did you mean ...?").

The helpers at the bottom (:func:`require_columns`, :func:`require_keyword_choice`, ...) build
those messages so that every module words them the same way.

Examples
--------
>>> import pandas as pd
>>> from citykit.errors import require_columns
>>> table = pd.DataFrame({"closed_date": [1], "district": ["North"]})
>>> require_columns(table, ["closed_at"], argument="requests")
Traceback (most recent call last):
...
citykit.errors.MissingColumnError: requests has no column 'closed_at'. Its columns are: 'closed_date', 'district'. Did you mean 'closed_date'?
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = [
    "CityKitError",
    "MissingColumnError",
    "ColumnTypeError",
    "EmptyDataError",
    "UnknownNameError",
    "ArgumentRangeError",
    "SchemaMismatchError",
    "did_you_mean",
    "require_columns",
    "require_non_empty",
    "require_numeric",
    "require_keyword_choice",
    "require_probability",
    "require_between",
]


class CityKitError(ValueError):
    """Base class of every error ``citykit`` raises for input a person can correct."""


class MissingColumnError(CityKitError, KeyError):
    """A table lacks a column that the function needs."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ColumnTypeError(CityKitError, TypeError):
    """A column (or argument) has the wrong type, e.g. text where numbers are needed."""


class EmptyDataError(CityKitError):
    """A table (or the part of it that matters) has no rows."""


class UnknownNameError(CityKitError, KeyError):
    """A name (dataset, question, arm label, rule ...) is not one of the known names."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ArgumentRangeError(CityKitError):
    """A numeric argument is outside the range where it makes sense (alpha outside (0, 1) ...)."""


class SchemaMismatchError(CityKitError):
    """A table does not match its Table Schema: columns missing, extra or of the wrong type."""


def _quote_list(names: Iterable[object], limit: int = 25) -> str:
    names = [repr(str(n)) for n in names]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f", ... ({len(names) - limit} more)"
    return ", ".join(names)


def did_you_mean(name: object, choices: Iterable[object]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or an empty string.

    Parameters
    ----------
    name : object
        What the person typed.
    choices : iterable
        The valid names.

    Returns
    -------
    str
        A sentence to append to an error message (empty when nothing is close).

    Examples
    --------
    >>> did_you_mean("distrct", ["district", "ward"])
    " Did you mean 'district'?"
    """
    choices = [str(c) for c in choices]
    text = str(name)
    lowered = {c.lower(): c for c in choices}
    if text.lower() in lowered and lowered[text.lower()] != text:
        return f" Did you mean {lowered[text.lower()]!r}? (names are case-sensitive)"
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f" Did you mean {close[0]!r}?" if close else ""


def require_columns(data: object, columns: Sequence[str], *, argument: str = "data") -> None:
    """Raise a helpful error unless ``data`` is a DataFrame holding every name in ``columns``.

    Parameters
    ----------
    data : object
        What the caller passed; it must be a ``pandas.DataFrame``.
    columns : sequence of str
        Column names that must be present.
    argument : str, keyword-only
        How to call ``data`` in the message (the argument's name).

    Raises
    ------
    ColumnTypeError
        If ``data`` is not a DataFrame.
    MissingColumnError
        If a column is missing; the message lists the table's columns and the closest match.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"])
    """
    if not isinstance(data, pd.DataFrame):
        hint = ""
        if isinstance(data, pd.Series):
            hint = " You passed a Series; use a DataFrame (e.g. series.to_frame() or df[[...]])."
        elif isinstance(data, str):
            hint = " You passed text; load the table first, e.g. citykit.datasets.load(name)."
        raise ColumnTypeError(
            f"{argument} must be a pandas DataFrame, but a {type(data).__name__} was given.{hint}"
        )
    for column in columns:
        if column not in data.columns:
            raise MissingColumnError(
                f"{argument} has no column {column!r}. Its columns are: "
                f"{_quote_list(data.columns)}.{did_you_mean(column, data.columns)}"
            )


def require_non_empty(data: pd.DataFrame | pd.Series, *, argument: str = "data") -> None:
    """Raise :class:`EmptyDataError` if ``data`` has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> require_non_empty(pd.DataFrame({"a": []}), argument="requests")
    Traceback (most recent call last):
    ...
    citykit.errors.EmptyDataError: requests has no rows. Check the filter that produced it (a misspelt category or a date range with no data are common causes).
    """
    if len(data) == 0:
        raise EmptyDataError(
            f"{argument} has no rows. Check the filter that produced it "
            "(a misspelt category or a date range with no data are common causes)."
        )


def require_numeric(data: pd.DataFrame, column: str, *, argument: str = "data") -> None:
    """Raise :class:`ColumnTypeError` unless ``data[column]`` holds numbers (or booleans).

    Examples
    --------
    >>> import pandas as pd
    >>> require_numeric(pd.DataFrame({"days": ["3", "x"]}), "days")
    Traceback (most recent call last):
    ...
    citykit.errors.ColumnTypeError: data column 'days' must hold numbers, but it holds text (e.g. '3'). Convert it first, e.g. pd.to_numeric(data['days'], errors='coerce').
    """
    require_columns(data, [column], argument=argument)
    series = data[column]
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return
    example = series.dropna()
    shown = f" (e.g. {example.iloc[0]!r})" if len(example) else ""
    kind = "dates" if pd.api.types.is_datetime64_any_dtype(series) else "text"
    raise ColumnTypeError(
        f"{argument} column {column!r} must hold numbers, but it holds {kind}{shown}. "
        f"Convert it first, e.g. pd.to_numeric({argument}[{column!r}], errors='coerce')."
    )


def require_keyword_choice(value: object, choices: Sequence[object], *, argument: str) -> None:
    """Raise :class:`UnknownNameError` unless ``value`` is one of ``choices``.

    Examples
    --------
    >>> require_keyword_choice("welch", ["welch", "pooled"], argument="method")
    >>> require_keyword_choice("Welch", ["welch", "pooled"], argument="method")
    Traceback (most recent call last):
    ...
    citykit.errors.UnknownNameError: method='Welch' is not one of 'welch', 'pooled'. Did you mean 'welch'? (names are case-sensitive)
    """
    if value not in choices:
        raise UnknownNameError(
            f"{argument}={value!r} is not one of {_quote_list(choices)}."
            f"{did_you_mean(value, choices)}"
        )


def require_between(
    value: object,
    low: float,
    high: float,
    *,
    argument: str,
    inclusive: str = "both",
    hint: str = "",
) -> None:
    """Raise :class:`ArgumentRangeError` unless ``low <= value <= high`` (per ``inclusive``).

    Parameters
    ----------
    value : object
        The number to check.
    low, high : float
        The bounds.
    argument : str, keyword-only
        The argument's name, for the message.
    inclusive : {"both", "neither", "left", "right"}, keyword-only
        Which bounds are allowed.
    hint : str, keyword-only
        A sentence with the likely fix.

    Examples
    --------
    >>> require_between(11, 1, 100, argument="threshold")
    >>> require_between(0, 0, 1, argument="alpha", inclusive="neither")
    Traceback (most recent call last):
    ...
    citykit.errors.ArgumentRangeError: alpha must be a number strictly between 0 and 1, but 0 was given.
    """
    bounds = {
        "both": ("from", "to"),
        "neither": ("strictly between", "and"),
        "left": ("from", "up to but not including"),
        "right": ("above", "up to"),
    }
    require_keyword_choice(inclusive, list(bounds), argument="inclusive")
    # numpy scalars (np.float32(0.4), np.int64(5)) are numbers like any other
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and value == value
    if ok:
        lo_ok = value >= low if inclusive in ("both", "left") else value > low
        hi_ok = value <= high if inclusive in ("both", "right") else value < high
        ok = lo_ok and hi_ok
    if not ok:
        first, second = bounds[inclusive]
        extra = f" {hint}" if hint else ""
        raise ArgumentRangeError(
            f"{argument} must be a number {first} {low:g} {second} {high:g}, "
            f"but {value!r} was given.{extra}"
        )


def require_probability(value: object, *, argument: str) -> None:
    """Raise unless ``value`` is strictly between 0 and 1, with a hint for percentages.

    Examples
    --------
    >>> require_probability(5, argument="alpha")
    Traceback (most recent call last):
    ...
    citykit.errors.ArgumentRangeError: alpha must be a number strictly between 0 and 1, but 5 was given. It looks like a percentage: write 5% as 0.05.
    """
    hint = ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and 1 < value < 100:
        hint = f"It looks like a percentage: write {value:g}% as {value / 100:g}."
    require_between(value, 0, 1, argument=argument, inclusive="neither", hint=hint)

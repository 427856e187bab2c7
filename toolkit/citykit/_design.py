"""The design matrix of a regression: the one builder every analytics package uses.

A risk model (``contracting``) and a covariate adjustment (``evaluation``) both turn a table's
columns into numbers: booleans become 0/1, numbers stay numbers, text and categories become one
0/1 column per value but one (the *reference* value, which the constant absorbs). What differs
between the domains is a rule, written down once per domain as a :class:`DesignRules`:

* which value is the reference: the **most common** one (a case-mix model compares with the
  typical client) or the **first** in sorted order (the usual choice for covariates);
* whether a constant column is added, and how indicator columns are named;
* what numbers written as text mean: refused when there are many distinct ones (an age written
  as text would silently become dozens of categories), or read as numbers;
* whether a column with a single value is refused;
* the words of the error messages (what a column is called and what it is for).

Missing and infinite values, and dates, are always refused with a
:class:`~citykit.errors.CityKitError` that names the column and the fix.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"age": [30, 40, 50], "household": ["single", "family", "single"]})
>>> design_matrix(data, ["age", "household"], rules=DesignRules())
   const   age  household[family]
0    1.0  30.0                0.0
1    1.0  40.0                1.0
2    1.0  50.0                0.0
>>> design_matrix(data, ["household"], rules=DesignRules(reference="first", constant=False,
...               name="{column}={level}"))
   household=single
0               1.0
1               0.0
2               1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, ColumnTypeError, require_columns

__all__ = ["DesignRules", "design_matrix"]


@dataclass(frozen=True)
class DesignRules:
    """One domain's rules for :func:`design_matrix` (defaults: a case-mix model's).

    Attributes
    ----------
    reference : {"most common", "first"}
        The value of a text or category column left without an indicator: the most common one
        (ties: the first in sorted order) or the first in sorted order.
    constant : bool
        Add a ``const`` column of ones first.
    name : str
        The name of an indicator column, with ``{column}`` and ``{level}``.
    numbers_as_text : {"reject", "convert"}
        Text that is all numbers: refused when it has more than ``max_text_levels`` distinct
        values (fewer are codes, kept as categories), or read as numbers.
    max_text_levels : int
        See ``numbers_as_text``.
    one_value : bool
        Refuse a column with a single value (its effect cannot be learnt).
    dates : bool
        Refuse a column of dates (a number derived from it is what a model can use); when
        False, dates are text like any other (one indicator per date).
    subject : str
        How messages call a column, with ``{column}`` and ``{argument}``.
    missing_fix : str
        What a message about missing values tells the user to do, with ``{column}``.
    purpose : str
        What the matrix is for, in messages ("risk adjustment").
    listed : str
        The argument that lists the columns, in messages ("risk_factors").
    """

    reference: str = "most common"
    constant: bool = True
    name: str = "{column}[{level}]"
    numbers_as_text: str = "reject"
    max_text_levels: int = 12
    one_value: bool = True
    dates: bool = True
    subject: str = "risk factor {column!r}"
    missing_fix: str = (
        "The model needs a value for every client: fill them (e.g. with an 'unknown' category) "
        "or drop those rows before risk adjustment."
    )
    purpose: str = "risk adjustment"
    listed: str = "risk_factors"


def design_matrix(
    data: pd.DataFrame, columns, *, rules: DesignRules, argument: str = "data"
) -> pd.DataFrame:
    """Return the numeric design matrix of ``columns`` of ``data`` under one domain's ``rules``.

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    columns : list of str
        The columns to turn into numbers, in order.
    rules : DesignRules, keyword-only
        The domain's rules (reference value, constant, names, messages).
    argument : str, keyword-only
        The name of ``data`` in the caller's signature, for messages.

    Returns
    -------
    pandas.DataFrame
        Float columns aligned with ``data``'s rows.

    Raises
    ------
    CityKitError
        For missing or infinite values, dates, a single value (when the rules say so) or many
        numbers written as text (when the rules say so), naming the column and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"veteran": [True, False, False]})
    >>> design_matrix(data, ["veteran"], rules=DesignRules())
       const  veteran
    0    1.0      1.0
    1    1.0      0.0
    2    1.0      0.0
    """
    columns = list(columns)
    require_columns(data, columns, argument=argument)
    parts: list[pd.Series | pd.DataFrame] = []
    if rules.constant:
        parts.append(pd.Series(1.0, index=data.index, name="const"))
    for column in columns:
        series = data[column]
        subject = rules.subject.format(column=column, argument=argument)
        missing = int(series.isna().sum())
        if missing:
            raise CityKitError(
                f"{subject} has {missing} missing value(s). "
                + rules.missing_fix.format(column=column)
            )
        values = series.unique()
        if rules.one_value and len(values) < 2:
            raise CityKitError(
                f"{subject} has only one value ({values[0]!r}) in the data, so the model cannot "
                f"learn its effect. Remove it from {rules.listed}."
            )
        numeric = pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)
        if not numeric and not isinstance(series.dtype, pd.CategoricalDtype):
            if rules.dates and pd.api.types.is_datetime64_any_dtype(series):
                raise ColumnTypeError(
                    f"{subject} holds dates; use a number derived from it (e.g. age in years or "
                    f"days since an event)."
                )
            as_numbers = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
            if len(series) and as_numbers.notna().all():
                if rules.numbers_as_text == "convert":
                    series, numeric = as_numbers, True
                elif len(values) > rules.max_text_levels:
                    raise ColumnTypeError(
                        f"{subject} holds numbers written as text ({len(values)} distinct "
                        f"values, e.g. {values[0]!r}); as text each value would be a category "
                        f"of its own. Convert it: pd.to_numeric({argument}[{column!r}]) for a "
                        f"number, or {argument}[{column!r}].astype('category') if the values "
                        "really are codes."
                    )
        if numeric:
            number = series.astype(float)
            if np.isinf(number.to_numpy(dtype=float)).any():
                raise CityKitError(
                    f"{subject} holds infinite values; they usually come from a division by "
                    f"zero. Fix them before {rules.purpose}."
                )
            parts.append(number.rename(column))
            continue
        text = series.astype(str)
        levels = sorted(text.unique())
        if rules.reference == "most common":
            counts = text.value_counts()
            reference = sorted(counts[counts == counts.max()].index)[0]
        else:
            reference = levels[0]
        for level in levels:
            if level != reference:
                name = rules.name.format(column=column, level=level)
                parts.append((text == level).astype(float).rename(name))
    if not parts:
        return pd.DataFrame(index=data.index)
    return pd.concat(parts, axis=1)

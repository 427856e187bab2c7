"""Tables of counts: build one from records, and check one before suppression.

Examples
--------
>>> import pandas as pd
>>> count_table(pd.DataFrame({"d": ["N", "S"], "t": ["a", "a"]}), rows="d", columns="t")
t  a
d
N  1
S  1
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.errors import (
    ArgumentRangeError,
    ColumnTypeError,
    EmptyDataError,
    require_columns,
    require_non_empty,
)

__all__ = ["count_table", "MISSING_LABEL"]

#: The label of records without a value in a count table's row or column.
MISSING_LABEL = "(missing)"


def _check_counts(table: object, argument: str = "data") -> pd.DataFrame:
    if isinstance(table, pd.Series):
        raise ColumnTypeError(
            f"{argument} must be a table of counts (rows x columns), but a Series was given. "
            "Make one with count_table(data, rows=..., columns=...) or series.unstack()."
        )
    if not isinstance(table, pd.DataFrame):
        raise ColumnTypeError(
            f"{argument} must be a pandas DataFrame of counts, but a {type(table).__name__} was "
            "given."
        )
    require_non_empty(table, argument=argument)
    if table.shape[1] == 0:
        raise EmptyDataError(f"{argument} has no columns of counts.")
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]) or pd.api.types.is_bool_dtype(
            table[column]
        ):
            raise ColumnTypeError(
                f"{argument} column {column!r} must hold counts, but it holds "
                f"{table[column].dtype} values. Put labels in the index "
                f"({argument}.set_index(...)) and keep only counts in the columns."
            )
    values = table.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ColumnTypeError(
            f"{argument} has missing counts; fill them (a missing count is usually 0: "
            f"{argument}.fillna(0))."
        )
    if (values < 0).any() or (values != np.round(values)).any():
        raise ArgumentRangeError(
            f"{argument} must hold whole, non-negative counts; it has negative or fractional "
            "values. Suppress counts, not rates or percentages."
        )
    return pd.DataFrame(values.astype("int64"), index=table.index, columns=table.columns)


def count_table(data: pd.DataFrame, *, rows: str, columns: str) -> pd.DataFrame:
    """Count records by two categories: the aggregate table a release would show.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"district": ["N", "N", "S"], "type": ["a", "b", "a"]})
    >>> count_table(d, rows="district", columns="type")
    type      a  b
    district
    N         1  1
    S         1  0

    Records without a label are counted in a ``"(missing)"`` row or column:

    >>> count_table(d.assign(district=["N", None, "S"]), rows="district", columns="type")
    type       a  b
    district
    (missing)  0  1
    N          1  0
    S          1  0
    """
    require_columns(data, [rows, columns], argument="data")
    require_non_empty(data, argument="data")
    # a record without a label is still a record: it is counted under "(missing)", so the
    # published totals and the small-cell suppression see every record
    return pd.crosstab(_labelled(data[rows]), _labelled(data[columns]))


def _labelled(values: pd.Series) -> pd.Series:
    missing = values.isna().to_numpy(dtype=bool)
    if not missing.any():
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.add_categories([MISSING_LABEL]).fillna(MISSING_LABEL)
    return values.astype(object).where(~missing, MISSING_LABEL)

"""Small helpers shared by the contracting sub-modules (not part of the public surface)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from citykit import _dates, _display
from citykit.errors import (
    CityKitError,
    require_columns,
    require_non_empty,
)

#: The label rows without a value in a grouping column get, so they are counted, not dropped.
MISSING_LABEL = "(missing)"

__all__: list[str] = []


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """Return ``value`` as a list of column names (a single name becomes a one-item list)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def check_table(data: object, columns: Sequence[str], *, argument: str) -> None:
    """Check that ``data`` is a non-empty DataFrame with ``columns``."""
    require_columns(data, list(columns), argument=argument)
    require_non_empty(data, argument=argument)


def to_dates(data: pd.DataFrame, column: str, *, argument: str, format: str = "auto") -> pd.Series:
    """Return ``data[column]`` as naive datetimes with the toolkit's one date reader.

    ISO, US month/day/year (with AM/PM), day/month/year and Excel serial days are read; datetimes
    that are timezone-aware or Arrow-backed become wall-clock times. A value that is present but
    not a date raises a :class:`~citykit.errors.ColumnTypeError` with the count and examples.
    """
    return _dates.to_dates(data[column], format=format, column=column, argument=argument)


def plain_columns(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` whose Arrow-backed columns use pandas' own dtypes (same values).

    Arrow-backed frames (``dtype_backend="pyarrow"``) are legitimate input; converting their
    columns once at the door lets the rest of the code use numpy's masks and selections.
    Timestamps are left to :func:`to_dates`.
    """
    out = data.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if not isinstance(dtype, pd.ArrowDtype):
            continue
        kind = str(dtype)
        if "timestamp" in kind or "date" in kind:
            continue
        if pd.api.types.is_bool_dtype(dtype):
            out[column] = out[column].astype("boolean")
        elif pd.api.types.is_integer_dtype(dtype):
            out[column] = out[column].astype("Int64")
        elif pd.api.types.is_float_dtype(dtype):
            out[column] = out[column].astype("float64")
        elif pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].astype("str")
        else:
            out[column] = out[column].astype(object)
    return out


def label_missing(values: pd.Series, *, column: str, argument: str) -> pd.Series:
    """Give rows without a value in a grouping column the label ``"(missing)"``.

    Grouping drops missing keys silently; labelled, those rows are counted in a row of their
    own. A column with no value at all raises a :class:`~citykit.errors.CityKitError`.
    """
    text = values.astype("string").str.strip()
    missing = (values.isna() | (text == "")).to_numpy(dtype=bool)
    if len(values) and missing.all():
        raise CityKitError(
            f"{argument} column {column!r} has no values: all {len(values):,} rows are missing "
            f"it, so nothing can be counted per {column}. Fill it in the export (or join it from "
            "another table), or pass by=None for totals over every row."
        )
    if not missing.any():
        return values
    return values.astype(object).where(~missing, MISSING_LABEL)


def safe_rate(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray):
    """Divide, giving NaN (not an error or a warning) where the denominator is 0."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def html_table(frame: pd.DataFrame, *, float_format: str = "{:.3f}") -> str:
    """Render a small DataFrame as an HTML table with readable numbers (``_display.html_table``)."""
    return _display.html_table(frame, float_format=float_format)


def markdown_table(frame: pd.DataFrame, *, float_format: str = "{:.3f}") -> str:
    """Render a small DataFrame as a GitHub-flavoured Markdown table (no extra dependency)."""
    columns = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, float):
                cells.append("" if np.isnan(value) else float_format.format(value))
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append("")
            else:
                cells.append(str(value).replace("|", "\\|"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def arrow_text(values: pd.Series):
    """The pyarrow array behind Arrow-backed text without missing values, else None."""
    if not pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        return None
    array = getattr(values.array, "_pa_array", None)
    if array is None or array.null_count:
        return None
    return array.combine_chunks() if hasattr(array, "combine_chunks") else array

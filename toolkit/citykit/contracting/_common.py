"""Small helpers shared by the contracting sub-modules (not part of the public surface)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from citykit.errors import (
    CityKitError,
    ColumnTypeError,
    require_columns,
    require_non_empty,
)

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


def to_dates(data: pd.DataFrame, column: str, *, argument: str) -> pd.Series:
    """Return ``data[column]`` as datetimes, with an actionable error for unparseable text."""
    series = data[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    bad = series.notna() & parsed.isna() & (series.astype("string").str.strip() != "")
    if bad.any():
        example = series[bad].iloc[0]
        raise ColumnTypeError(
            f"{argument} column {column!r} must hold dates, but {int(bad.sum())} value(s) could "
            f"not be read as dates (e.g. {example!r}). Write dates as YYYY-MM-DD, or convert the "
            f"column first with pd.to_datetime({argument}[{column!r}], errors='coerce')."
        )
    return parsed


def to_timestamp(value: object, *, argument: str) -> pd.Timestamp:
    """Return ``value`` as a Timestamp, or raise a CityKitError naming ``argument``."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise CityKitError(
            f"{argument}={value!r} is not a date. Write it as 'YYYY-MM-DD', e.g. '2024-01-01'."
        ) from exc
    if pd.isna(stamp):
        raise CityKitError(f"{argument} is missing; give a date such as '2024-01-01'.")
    return stamp


def safe_rate(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray):
    """Divide, giving NaN (not an error or a warning) where the denominator is 0."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def html_table(frame: pd.DataFrame, *, float_format: str = "{:.3f}") -> str:
    """Render a small DataFrame as an HTML table with readable numbers."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(
                lambda v: "" if pd.isna(v) else float_format.format(v)
            )
    return shown.to_html(index=False, border=0, escape=True)


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

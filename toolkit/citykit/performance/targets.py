"""Targets: did each measure meet its target, is it improving, and how many met by agency.

:func:`target_status` honours each measure's desired direction: "up" meets a target when the
value is at least the target, "down" when it is at most the target. It also says whether the
value is *improving*: at least as good as a comparison value (the previous period, last year or
a multi-year average). The NYC Mayor's Management Report (MMR) counts ties as improving, and so
do we.

``status`` combines both in the words of a stat meeting:

* ``met`` — the target was met;
* ``improving`` — missed, but better than (or as good as) the comparison;
* ``missed`` — missed and not improving (or no comparison);
* ``no target`` — the measure has no target (it can still be improving);
* ``no data`` — no value this period.

:func:`target_summary` is the MMR-style summary: per agency, how many indicators have a target,
how many met it, and the share that met it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from citykit._dates import period_sort_key
from citykit.errors import (
    CityKitError,
    ColumnTypeError,
    UnknownNameError,
    did_you_mean,
    require_columns,
)
from citykit.performance._checks import DIRECTIONS, check_table, normalise_direction

__all__ = ["target_status", "target_summary", "STATUSES"]

STATUSES = ("met", "improving", "missed", "no target", "no data")


def _numbers(data: pd.DataFrame, column: str, role: str) -> pd.Series:
    series = data[column]
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = series.astype(float)
        if np.isinf(numbers.to_numpy(dtype=float, na_value=np.nan)).any():
            raise ColumnTypeError(
                f"{role} column {column!r} holds infinite values; they usually come from a "
                "division by zero. Fix them, or set them to missing (no data)."
            )
        return numbers
    converted = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & converted.isna()
    if bad.any():
        raise ColumnTypeError(
            f"{role} column {column!r} must hold numbers, but it holds text such as "
            f"{series[bad].iloc[0]!r}. Clean it first (e.g. citykit.performance.clean_numbers, "
            "which reads '85%', '1,611' and 'NA')."
        )
    return converted.astype(float)


def _directions(data: pd.DataFrame, direction: str) -> pd.Series:
    if direction in data.columns:
        raw = data[direction]
        cleaned = raw.astype("string").str.strip().str.lower()
        unknown = cleaned.notna() & ~cleaned.isin(list(DIRECTIONS))
        if unknown.any():
            normalise_direction(raw[unknown].iloc[0], argument=f"{direction} column value")
        if cleaned.isna().any():
            raise CityKitError(
                f"direction column {direction!r} is empty for {int(cleaned.isna().sum())} row(s); "
                "every measure needs 'up' (higher is better) or 'down' (lower is better)."
            )
        return cleaned.map(DIRECTIONS).astype(object)
    if isinstance(direction, str) and direction.strip().lower() in DIRECTIONS:
        return pd.Series(normalise_direction(direction), index=data.index, dtype=object)
    columns = ", ".join(map(repr, data.columns))
    raise UnknownNameError(
        f"direction={direction!r} is not a column of data (its columns are: {columns}) and "
        "not a desired direction either. Name the column that holds 'up'/'down', or give one "
        f"direction for every row: direction='up' or direction='down'."
        f"{did_you_mean(direction, [str(c) for c in data.columns])}"
    )


def target_status(
    data: pd.DataFrame,
    *,
    value: str = "value",
    target: str = "target",
    direction: str = "direction",
    compare: str | None = None,
    period: str | None = None,
    by: str | Sequence[str] | None = "measure",
) -> pd.DataFrame:
    """Say for each row whether the target was met and whether the value is improving.

    Parameters
    ----------
    data : DataFrame
        One row per measure (and period).
    value, target : str, keyword-only
        Columns with the actual value and the target (missing when there is none).
    direction : str, keyword-only
        A column of desired directions ("up"/"down", any case), or one direction for every row.
    compare : str, optional
        A column with the value to compare against for "improving" (e.g. last year's value).
    period : str, optional
        The column holding each row's period. Without ``compare``, each value is compared with
        the previous period of the same measure: rows are ordered in time by this column within
        ``by``.
    by : str or list of str, optional
        Columns identifying one series (default "measure"); used with ``period``.

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``met_target`` and ``improving`` (nullable booleans) and
        ``status`` (one of :data:`STATUSES`).

    Examples
    --------
    >>> import pandas as pd
    >>> kpis = pd.DataFrame({"measure": ["On-time share", "Days to close", "Potholes filled"],
    ...                      "value": [0.78, 4.0, 950], "last_year": [0.74, 3.5, 900],
    ...                      "target": [0.80, 5.0, None], "direction": ["up", "down", "Up"]})
    >>> target_status(kpis, compare="last_year")[["measure", "met_target", "improving", "status"]]
               measure  met_target  improving     status
    0    On-time share       False       True  improving
    1    Days to close        True      False        met
    2  Potholes filled        <NA>       True  no target
    >>> target_status(kpis, direction="sideways")
    Traceback (most recent call last):
    ...
    citykit.errors.UnknownNameError: direction='sideways' is not a column of data (its columns are: 'measure', 'value', 'last_year', 'target', 'direction') and not a desired direction either. Name the column that holds 'up'/'down', or give one direction for every row: direction='up' or direction='down'.
    """
    needed = [value, target, compare, period]
    check_table(data, needed)
    dirs = _directions(data, direction)
    x = _numbers(data, value, "value")
    t = _numbers(data, target, "target")
    up = (dirs == "up").to_numpy()
    out = data.copy()
    has = x.notna() & t.notna()
    met = pd.Series(pd.NA, index=data.index, dtype="boolean")
    met[has] = np.where(up, x >= t, x <= t)[has.to_numpy()]
    if compare is not None:
        ref = _numbers(data, compare, "compare")
    elif period is not None:
        keys = [by] if isinstance(by, str) else list(by or [])
        require_columns(data, keys, argument="data")
        # periods in time order: text periods such as "01/01/2024" are read as dates
        when = period_sort_key(data[period])
        order = data.assign(_when=when.to_numpy()).sort_values([*keys, "_when"], kind="stable")
        if keys:
            prev = order.groupby(keys, dropna=False, observed=True)[value].shift(1)
        else:
            prev = order[value].shift(1)
        ref = pd.to_numeric(prev, errors="coerce").reindex(data.index).astype(float)
    else:
        ref = pd.Series(np.nan, index=data.index)
    comparable = x.notna() & ref.notna()
    improving = pd.Series(pd.NA, index=data.index, dtype="boolean")
    improving[comparable] = np.where(up, x >= ref, x <= ref)[comparable.to_numpy()]
    status = np.select(
        [
            x.isna().to_numpy(),
            t.isna().to_numpy(),
            met.fillna(False).to_numpy(dtype=bool),
            improving.fillna(False).to_numpy(dtype=bool),
        ],
        ["no data", "no target", "met", "improving"],
        default="missed",
    )
    out["met_target"] = met
    out["improving"] = improving
    out["status"] = status
    return out


def target_summary(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str] = "agency",
    met: str = "met_target",
    improving: str = "improving",
    total: bool = False,
) -> pd.DataFrame:
    """Mayor's-Management-Report-style summary: share of indicators meeting target, by agency.

    Parameters
    ----------
    data : DataFrame
        The output of :func:`target_status` (one row per indicator), with ``met_target`` and
        ``improving`` columns.
    by : str or list of str, keyword-only
        The column(s) to summarise by (agency, department ...). Rows with a missing agency are
        kept as their own group.
    met, improving : str, keyword-only
        Names of the status columns.
    total : bool, keyword-only
        Add a last row "All" over every indicator.

    Returns
    -------
    DataFrame
        One row per group with ``indicators``, ``with_target``, ``met``, ``not_met``,
        ``no_target``, ``share_met`` (met / with_target; missing when no indicator has a
        target), ``improving``, ``not_improving``, ``no_comparison`` and ``share_improving``
        (improving / indicators that can be compared). The NYC MMR's published "ImprovePct"
        divides by every indicator instead: ``improving / indicators``.

    Examples
    --------
    >>> import pandas as pd
    >>> status = pd.DataFrame({"agency": ["Parks", "Parks", "Parks", "Sanitation"],
    ...                        "met_target": [True, False, None, True],
    ...                        "improving": [True, True, False, None]})
    >>> target_summary(status)[["agency", "with_target", "met", "share_met", "improving"]]
           agency  with_target  met  share_met  improving
    0       Parks            2    1        0.5          2
    1  Sanitation            1    1        1.0          0
    """
    keys = [by] if isinstance(by, str) else list(by)
    check_table(data, [*keys, met, improving])
    frame = pd.DataFrame({k: data[k] for k in keys})
    for name, column in (("m", met), ("i", improving)):
        raw = data[column]
        try:
            flags = raw.astype("boolean")
        except (TypeError, ValueError):
            raise ColumnTypeError(
                f"column {column!r} must hold True/False (missing when unknown), as made by "
                "target_status(); it holds " + repr(raw.dropna().iloc[0])
            ) from None
        frame[name] = flags
    g = frame.groupby(keys, dropna=False, observed=True, sort=True)
    out = pd.DataFrame(
        {
            "indicators": g.size(),
            "met": g["m"].apply(lambda s: int((s == True).sum())),  # noqa: E712
            "not_met": g["m"].apply(lambda s: int((s == False).sum())),  # noqa: E712
            "improving": g["i"].apply(lambda s: int((s == True).sum())),  # noqa: E712
            "not_improving": g["i"].apply(lambda s: int((s == False).sum())),  # noqa: E712
        }
    )
    if total:
        sums = out.sum(numeric_only=True)
        index = ("All",) * len(keys) if len(keys) > 1 else "All"
        out.loc[index, :] = sums
    out = out.astype(int)
    out["with_target"] = out["met"] + out["not_met"]
    out["no_target"] = out["indicators"] - out["with_target"]
    out["share_met"] = out["met"] / out["with_target"].where(out["with_target"] > 0)
    compared = out["improving"] + out["not_improving"]
    out["no_comparison"] = out["indicators"] - compared
    out["share_improving"] = out["improving"] / compared.where(compared > 0)
    columns = [
        "indicators",
        "with_target",
        "met",
        "not_met",
        "no_target",
        "share_met",
        "improving",
        "not_improving",
        "no_comparison",
        "share_improving",
    ]
    return out[columns].reset_index()

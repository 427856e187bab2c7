"""Time to close a service request, whether it is open, and whether it closed on time.

The columns the service-request measures count with, derived once from a 311 export's open and
close date-times, service levels and statuses (:func:`add_time_to_close`).
"""

from __future__ import annotations

import pandas as pd

from citykit._dates import to_timestamp
from citykit.errors import ColumnTypeError
from citykit.performance._checks import check_table, to_datetime

__all__ = ["add_time_to_close"]


def add_time_to_close(
    data: pd.DataFrame,
    *,
    opened: str = "opened_at",
    closed: str = "closed_at",
    sla: str | None = "sla_days",
    status: str | None = "status",
    as_of=None,
) -> pd.DataFrame:
    """Add ``days_to_close``, ``is_open`` and ``closed_on_time`` to a table of service requests.

    ``days_to_close`` is (closed - opened) in days; it is missing for open requests and for
    records closed *before* they were opened (a data-entry error real exports carry), which
    would otherwise pull medians down. ``closed_on_time`` is True when a request closed within
    ``sla`` days, False when it closed late *or* is still open past its service level at
    ``as_of``, and missing while an open request is still within its service level, when the
    request was cancelled, or when its service level is missing.

    Parameters
    ----------
    data : DataFrame
        One row per request.
    opened, closed : str, keyword-only
        Columns of open and close date-times (``closed`` missing while open).
    sla : str or None, keyword-only
        Column of service-level targets in days; ``None`` skips ``closed_on_time``.
    status : str or None, keyword-only
        Column of statuses; rows with status "Cancelled" get no on-time value.
    as_of : date-like, optional
        When the export was taken (default: the latest date in the table).

    Returns
    -------
    DataFrame
        A copy of ``data`` with the three new columns.

    Examples
    --------
    >>> import pandas as pd
    >>> requests = pd.DataFrame({
    ...     "opened_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
    ...     "closed_at": pd.to_datetime(["2024-01-02", "2024-01-09", None]),
    ...     "sla_days": [2, 2, 2]})
    >>> add_time_to_close(requests, status=None, as_of="2024-01-10")[
    ...     ["days_to_close", "is_open", "closed_on_time"]]
       days_to_close  is_open  closed_on_time
    0            1.0    False            True
    1            8.0    False           False
    2            NaN     True           False
    """
    check_table(data, [opened, closed, sla, status])
    out = data.copy()
    # one date reader for both columns: a second format in closed_at is read, not made NaT
    start = to_datetime(out[opened], column=opened, argument="data")
    end = to_datetime(out[closed], column=closed, argument="data")
    if start.isna().all():
        raise ColumnTypeError(f"column {opened!r} holds no dates; convert it with pd.to_datetime.")
    days = (end - start).dt.total_seconds() / 86400.0
    days = days.where(days >= 0)
    out["days_to_close"] = days.astype(float)
    is_open = end.isna()
    cancelled = pd.Series(False, index=out.index)
    if status is not None:
        text = out[status].astype("string").str.strip().str.lower()
        cancelled = (text == "cancelled").fillna(False).astype(bool)
        is_open = is_open & ~cancelled
    out["is_open"] = is_open.astype(bool)
    if sla is not None:
        raw = out[sla]
        if isinstance(raw.dtype, pd.CategoricalDtype):
            raw = raw.astype(object)
        limit = pd.to_numeric(raw, errors="coerce").astype("float64")
        unread = raw.notna() & limit.isna()
        if unread.any():
            examples = ", ".join(map(repr, pd.unique(raw[unread].astype(object))[:3]))
            raise ColumnTypeError(
                f"column {sla!r} must hold numbers of days, but {int(unread.sum()):,} value(s) "
                f"are not numbers (e.g. {examples}). Blank them or convert the column with "
                f"pd.to_numeric(data[{sla!r}], errors='coerce')."
            )
        if as_of is not None:
            when = to_timestamp(as_of, argument="as_of")
        else:
            when = max(start.max(), end.max())
        age = (when - start).dt.total_seconds() / 86400.0
        on_time = pd.Series(pd.NA, index=out.index, dtype="boolean")
        # no service level, no verdict: missing, not "late" (a blank SLA is not a 0-day one)
        closed_ok = ~is_open & days.notna() & ~cancelled & limit.notna()
        on_time[closed_ok] = (days <= limit)[closed_ok]
        overdue = is_open & limit.notna() & (age > limit)
        on_time[overdue] = False
        out["closed_on_time"] = on_time
    return out

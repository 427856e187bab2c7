"""Counting an HMIS export's data-quality issues per provider."""

from __future__ import annotations

import pandas as pd

from citykit.contracting._common import as_list, safe_rate
from citykit.contracting.hmis._rows import _prepared
from citykit.errors import require_columns

__all__ = ["data_quality_flags"]


def data_quality_flags(data: pd.DataFrame, *, by: str | list[str] = "provider_id") -> pd.DataFrame:
    """Count data-quality issues per provider (or another grouping) and issue type.

    Parameters
    ----------
    data : pandas.DataFrame
        An enrollment table (raw or from :func:`prepare_enrollments`).
    by : str or list of str, keyword-only
        Grouping column(s).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``enrollments``, one count column per issue found, ``flagged`` and
        ``flagged_share``; ``likely_missing_exit`` counts shelter stays open for more than
        :data:`LIKELY_MISSING_EXIT_DAYS` days (kept, not flagged, since they may be real).
        Exits to "no exit interview / don't know" destinations are counted as
        ``exit_destination_unknown`` (valid codes, but they hide the outcome).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2", "e3"], "client_id": ["c1", "c2", "c3"],
    ...     "provider_id": ["P1", "P1", "P2"], "project_type": ["ES"] * 3,
    ...     "entry_date": ["2024-01-01", "2024-02-01", "2024-03-01"],
    ...     "exit_date": ["2024-01-20", "2024-01-15", "2024-03-09"],
    ...     "destination": [30, 435, 410]})
    >>> flags = data_quality_flags(raw)
    >>> flags[["provider_id", "enrollments", "flagged", "exit_destination_unknown"]]
      provider_id  enrollments  flagged  exit_destination_unknown
    0          P1            2        1                         1
    1          P2            1        0                         0
    """
    prepared = _prepared(data)
    keys = as_list(by)
    require_columns(prepared, keys, argument="enrollments")
    frame = prepared[keys].copy()
    issues = sorted(i for i in prepared["dq_issue"].unique() if i)
    for name in issues:
        frame[name] = (prepared["dq_issue"] == name).astype(int)
    frame["exit_destination_unknown"] = (
        prepared["exited"] & prepared["destination_fy2024"].isin([8, 9, 30, 37, 99]).fillna(False)
    ).astype(int)
    frame["likely_missing_exit"] = prepared["likely_missing_exit"].astype(int)
    frame["flagged"] = (prepared["dq_issue"] != "").astype(int)
    frame["enrollments"] = 1
    out = frame.groupby(keys, sort=True, observed=True).sum().reset_index()
    out["flagged_share"] = safe_rate(out["flagged"], out["enrollments"])
    order = keys + ["enrollments"] + issues
    order += ["exit_destination_unknown", "likely_missing_exit", "flagged"]
    return out[order + ["flagged_share"]]

"""Provider outcomes: exits to permanent housing, prevention success, length of stay, one table.

Always with the counts beside the rates, and the rows left out for a data-quality issue counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._dates import to_timestamp
from citykit._renamed import renamed_options
from citykit.contracting._common import as_list, safe_rate
from citykit.contracting.hmis._rows import (
    _clean_rows,
    _of_types,
    _period_column,
    _prepared,
    _window_mask,
    _with_excluded,
)
from citykit.contracting.hmis.destinations import (
    SHELTER_PROJECT_TYPES,
    SPM_7B1_EXCLUDED_DESTINATIONS,
)
from citykit.contracting.hmis.returns import returns_to_homelessness
from citykit.errors import ArgumentRangeError, require_columns

__all__ = [
    "exits_to_permanent_housing",
    "prevention_outcomes",
    "length_of_stay",
    "provider_outcomes",
]


@renamed_options(period="frequency")
def exits_to_permanent_housing(
    data: pd.DataFrame,
    *,
    by: str | list[str] | None = "provider_id",
    frequency: str | None = None,
    start: object = None,
    end: object = None,
    project_types: tuple[str, ...] | None = ("ES", "SH", "TH", "RRH"),
    exclude_destinations: tuple[int, ...] = SPM_7B1_EXCLUDED_DESTINATIONS,
) -> pd.DataFrame:
    """Count exits and exits to permanent housing, and their rate, per group (SPM Measure 7b.1).

    The universe is enrollments that ended (exit date) between ``start`` and ``end`` in the given
    project types (default ES, SH, TH and RRH as in SPM Measure 7b.1), less the exits to the
    destinations HUD excludes from the measure (:data:`SPM_7B1_EXCLUDED_DESTINATIONS`: hospital,
    foster care, long-term care, deceased), which are counted in ``excluded_destination``.
    Flagged rows (see :func:`prepare_enrollments`) are left out and counted in
    ``excluded_flagged``. Exits to "don't know / no exit interview" stay in the denominator (as
    in HUD reporting), so a provider that does not record destinations does not look better.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table (raw or prepared).
    by : str or list of str or None, keyword-only
        Grouping columns, e.g. ``["provider_id", "project_type"]``; None for the whole system.
    frequency : {"month", "quarter", "year"} or None, keyword-only
        Group also by the month, quarter or year of the exit date (a ``period`` column).
    start, end : date, optional, keyword-only
        Window of exit dates (inclusive).
    project_types : tuple of str or None, keyword-only
        Which project types count; None for all.
    exclude_destinations : tuple of int, keyword-only
        FY2024 codes removed from the universe (legacy codes are matched through the crosswalk).
        Default: HUD's Measure 7b.1 exclusions; ``()`` keeps every exit.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``exits``, ``permanent_exits``, ``rate``, ``excluded_flagged``,
        ``excluded_destination``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2", "e3", "e4"], "client_id": ["c1", "c2", "c3", "c4"],
    ...     "provider_id": ["P1", "P1", "P1", "P2"], "project_type": ["ES"] * 4,
    ...     "entry_date": ["2024-01-01", "2024-01-02", "2024-02-01", "2024-03-01"],
    ...     "exit_date": ["2024-01-20", "2024-02-15", "2024-01-15", "2024-03-09"],
    ...     "destination": [410, 101, 435, 20],
    ...     "data_standards_version": ["FY2024"] * 3 + ["FY2022"]})
    >>> exits_to_permanent_housing(raw).drop(columns="excluded_destination")
      provider_id  exits  permanent_exits  rate  excluded_flagged
    0          P1      2                1   0.5                 1
    1          P2      1                1   1.0                 0

    An exit of a client who died (24) leaves the measure, as HUD specifies:

    >>> died = raw.assign(destination=[410, 101, 435, 24])
    >>> exits_to_permanent_housing(died)[["provider_id", "exits", "excluded_destination"]]
      provider_id  exits  excluded_destination
    0          P1      2                     0
    1          P2      0                     1
    """
    prepared = _prepared(data)
    keys = as_list(by)
    require_columns(prepared, keys, argument="enrollments")
    rows = prepared["exited"].to_numpy(dtype=bool, copy=True)
    rows &= _of_types(prepared, project_types)
    rows &= _window_mask(prepared["exit_date"], start, end)
    excluded = prepared["destination_fy2024"].isin(list(exclude_destinations)).fillna(False)
    excluded = excluded.to_numpy(dtype=bool) & _clean_rows(prepared)
    valid = _clean_rows(prepared)[rows] & ~excluded[rows]
    permanent = prepared["permanent_exit"].fillna(False).to_numpy(dtype=bool)[rows]
    frame = prepared.loc[rows, list(dict.fromkeys([*keys, "exit_date"]))].assign(
        _valid=valid.astype(int),
        _perm=(valid & permanent).astype(int),
        _flag=(~_clean_rows(prepared)[rows]).astype(int),
        _dest=excluded[rows].astype(int),
    )
    period_col = _period_column(frame["exit_date"], frequency)
    if period_col is not None:
        frame = frame.assign(period=period_col)
        keys = keys + ["period"]
    counts = ["_valid", "_perm", "_flag", "_dest"]
    if keys:
        out = frame.groupby(keys, sort=True, observed=True)[counts].sum()
        out = out.reset_index()
    else:
        out = frame[counts].sum().to_frame().T
    out = out.rename(
        columns={
            "_valid": "exits",
            "_perm": "permanent_exits",
            "_flag": "excluded_flagged",
            "_dest": "excluded_destination",
        }
    )
    out["rate"] = safe_rate(out["permanent_exits"], out["exits"])
    return out[
        keys + ["exits", "permanent_exits", "rate", "excluded_flagged", "excluded_destination"]
    ]


@renamed_options(period="frequency")
def prevention_outcomes(
    data: pd.DataFrame,
    *,
    months: int = 12,
    as_of: object = None,
    by: str | list[str] | None = "provider_id",
    frequency: str | None = None,
) -> pd.DataFrame:
    """Prevention success: share of prevention clients with no shelter entry within N months.

    Universe: prevention (PREV) enrollments that ended at least ``months`` months before
    ``as_of`` (so everyone has a full follow-up). Failure: an entry into ES, SH or TH by the same
    client on or after the prevention entry date and no later than ``months`` months after the
    prevention exit. Flagged rows are left out.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table.
    months : int, keyword-only
        Follow-up in months (calendar months after the exit date).
    as_of : date, optional, keyword-only
        End of the data; defaults to the latest date in the table.
    by : str or list of str or None, keyword-only
        Grouping columns.
    frequency : {"month", "quarter", "year"} or None, keyword-only
        Group also by the month, quarter or year of the prevention exit (a ``period`` column).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``prevention_exits``, ``entered_shelter``, ``stayed_housed``,
        ``success_rate`` and ``excluded``: prevention exits left out for a data-quality issue
        (see :func:`data_quality_flags`), so that they are seen.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["p1", "p2", "s2"], "client_id": ["a", "b", "b"],
    ...     "provider_id": ["P9", "P9", "P1"], "project_type": ["PREV", "PREV", "ES"],
    ...     "entry_date": ["2023-01-01", "2023-01-01", "2023-06-01"],
    ...     "exit_date": ["2023-03-01", "2023-03-01", "2023-07-01"],
    ...     "destination": [410, 410, 101]})
    >>> out = prevention_outcomes(raw, months=6, as_of="2024-12-31")
    >>> out[["provider_id", "prevention_exits", "entered_shelter", "success_rate", "excluded"]]
      provider_id  prevention_exits  entered_shelter  success_rate  excluded
    0          P9                 2                1           0.5         0
    """
    if not isinstance(months, (int, np.integer)) or months < 1:
        raise ArgumentRangeError(f"months must be a whole number >= 1; got {months!r}.")
    prepared = _prepared(data)
    clean = prepared[prepared["dq_issue"] == ""]
    stamp = (
        to_timestamp(as_of, argument="as_of")
        if as_of is not None
        else max(clean["entry_date"].max(), clean["exit_date"].max())
    )
    offset = pd.DateOffset(months=int(months))
    prev = clean[(clean["project_type"] == "PREV") & clean["exited"]]
    prev = prev[prev["exit_date"] + offset <= stamp]
    keys = as_list(by)
    require_columns(prev, keys, argument="enrollments")
    # prevention exits (or exits of no known project type) with a data-quality issue
    set_aside = prepared.loc[
        ~_clean_rows(prepared)
        & prepared["exited"].to_numpy(dtype=bool)
        & _of_types(prepared, ("PREV",))
        & (prepared["exit_date"] + offset <= stamp).to_numpy(dtype=bool),
        list(dict.fromkeys([*keys, "exit_date"])),
    ]
    if frequency is not None:
        prev = prev.assign(period=_period_column(prev["exit_date"], frequency))
        set_aside = set_aside.assign(period=_period_column(set_aside["exit_date"], frequency))
        keys = keys + ["period"]
    shelter = clean[clean["project_type"].isin(list(SHELTER_PROJECT_TYPES))][
        ["client_id", "entry_date"]
    ].rename(columns={"entry_date": "_shelter_entry"})
    pairs = prev[["enrollment_id", "client_id", "entry_date", "exit_date"]].merge(
        shelter, on="client_id", how="inner"
    )
    hit = (pairs["_shelter_entry"] >= pairs["entry_date"]) & (
        pairs["_shelter_entry"] <= pairs["exit_date"] + offset
    )
    failed = set(pairs.loc[hit, "enrollment_id"])
    frame = prev[keys].copy() if keys else pd.DataFrame(index=prev.index)
    frame["prevention_exits"] = 1
    frame["entered_shelter"] = prev["enrollment_id"].isin(failed).astype(int)
    if keys:
        out = frame.groupby(keys, sort=True, observed=True).sum().reset_index()
    else:
        out = frame.sum().to_frame().T
    out["stayed_housed"] = out["prevention_exits"] - out["entered_shelter"]
    out["success_rate"] = safe_rate(out["stayed_housed"], out["prevention_exits"])
    counts = ("prevention_exits", "entered_shelter", "stayed_housed")
    return _with_excluded(out, set_aside, keys, counts)


@renamed_options(period="frequency")
def length_of_stay(
    data: pd.DataFrame,
    *,
    by: str | list[str] | None = "provider_id",
    frequency: str | None = None,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Length of stay (days from entry to exit) of enrollments that exited, per group.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table.
    by : str or list of str or None, keyword-only
        Grouping columns, e.g. ``["provider_id", "project_type"]``.
    frequency : {"month", "quarter", "year"} or None, keyword-only
        Group also by the month, quarter or year of the exit date (a ``period`` column).
    start, end : date, optional, keyword-only
        Window of exit dates.

    Returns
    -------
    pandas.DataFrame
        Group columns, ``exits``, ``mean_days``, ``median_days``, ``p90_days``, and
        ``excluded``: exits left out for a data-quality issue (see
        :func:`data_quality_flags`), so that they are seen, not silently dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2", "e3"], "client_id": ["a", "b", "c"],
    ...     "provider_id": ["P1"] * 3, "project_type": ["ES"] * 3,
    ...     "entry_date": ["2024-01-01", "2024-01-01", "2024-01-01"],
    ...     "exit_date": ["2024-01-11", "2024-01-21", "2024-03-01"], "destination": [410, 101, 17]})
    >>> length_of_stay(raw)
      provider_id  exits  mean_days  median_days  p90_days  excluded
    0          P1      3       30.0         20.0      52.0         0
    """
    prepared = _prepared(data)
    keys = as_list(by)
    require_columns(prepared, keys, argument="enrollments")
    exits = prepared["exited"].to_numpy(dtype=bool) & _window_mask(
        prepared["exit_date"], start, end
    )
    clean = _clean_rows(prepared)
    columns = list(dict.fromkeys([*keys, "exit_date", "length_of_stay_days"]))
    frame = prepared.loc[exits & clean, columns]
    # exits left out for a data-quality issue are counted, per group, in ``excluded``
    set_aside = prepared.loc[exits & ~clean, columns]
    if frequency is not None:
        frame = frame.assign(period=_period_column(frame["exit_date"], frequency))
        set_aside = set_aside.assign(period=_period_column(set_aside["exit_date"], frequency))
        keys = keys + ["period"]
    days = frame["length_of_stay_days"].astype(float)
    if keys:
        grouped = days.groupby([frame[k] for k in keys], sort=True, observed=True)
        out = pd.DataFrame(
            {
                "exits": grouped.size(),
                "mean_days": grouped.mean(),
                "median_days": grouped.median(),
                "p90_days": grouped.quantile(0.9),
            }
        ).reset_index()
    else:
        out = pd.DataFrame(
            {
                "exits": [len(days)],
                "mean_days": [days.mean()],
                "median_days": [days.median()],
                "p90_days": [days.quantile(0.9)],
            }
        )
    return _with_excluded(out, set_aside, keys)


def provider_outcomes(
    data: pd.DataFrame,
    *,
    by: str | list[str] = "provider_id",
    start: object,
    end: object,
    returns_lookback_days: int = 365,
    as_of: object = None,
) -> pd.DataFrame:
    """One table of the main outcomes per provider (or provider and project type).

    Combines :func:`exits_to_permanent_housing` (exits in ``[start, end]``),
    :func:`returns_to_homelessness` (12-month returns of permanent exits made
    ``returns_lookback_days`` before the window), :func:`length_of_stay` and the count of flagged
    rows. Counts sit beside every rate.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table.
    by : str or list of str, keyword-only
        Grouping columns.
    start, end : date, keyword-only
        The reporting window.
    returns_lookback_days : int, keyword-only
        Follow-up for returns (365: a one-year look-back suited to monthly management).
    as_of : date, optional, keyword-only
        The export date (see :func:`return_episodes`).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``exits``, ``permanent_exits``, ``ph_rate``, ``returns_base``,
        ``returns_12m``, ``return_rate_12m``, ``median_stay_days``, ``flagged_rows``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2"], "client_id": ["a", "b"], "provider_id": ["P1", "P1"],
    ...     "project_type": ["ES", "ES"], "entry_date": ["2024-01-01", "2024-02-01"],
    ...     "exit_date": ["2024-01-11", "2024-01-21"], "destination": [410, 101]})
    >>> out = provider_outcomes(raw, start="2024-01-01", end="2024-12-31", as_of="2024-12-31")
    >>> out[["provider_id", "exits", "ph_rate", "flagged_rows"]]
      provider_id  exits  ph_rate  flagged_rows
    0          P1      1      1.0             1
    """
    prepared = _prepared(data)
    keys = as_list(by)
    require_columns(prepared, keys, argument="enrollments")
    ph = exits_to_permanent_housing(prepared, by=keys, start=start, end=end, project_types=None)
    ph = ph.rename(columns={"rate": "ph_rate"}).drop(
        columns=["excluded_flagged", "excluded_destination"]
    )
    ret = returns_to_homelessness(
        prepared,
        start=start,
        end=end,
        by=keys,
        lookback_days=returns_lookback_days,
        horizons={"12m": 365},
        as_of=as_of,
    ).rename(columns={"permanent_exits": "returns_base", "rate_12m": "return_rate_12m"})
    los = length_of_stay(prepared, by=keys, start=start, end=end)[keys + ["median_days"]]
    los = los.rename(columns={"median_days": "median_stay_days"})
    flagged = prepared.assign(_f=(~_clean_rows(prepared)).astype(int))
    flagged = flagged.groupby(keys, sort=True, observed=True)["_f"].sum().reset_index()
    flagged = flagged.rename(columns={"_f": "flagged_rows"})
    out = flagged[keys].merge(ph, on=keys, how="left").merge(ret, on=keys, how="left")
    out = out.merge(los, on=keys, how="left").merge(flagged, on=keys, how="left")
    for column in ("exits", "permanent_exits", "returns_base", "returns_12m", "flagged_rows"):
        out[column] = out[column].fillna(0).astype(int)
    return out[
        keys
        + [
            "exits",
            "permanent_exits",
            "ph_rate",
            "returns_base",
            "returns_12m",
            "return_rate_12m",
            "median_stay_days",
            "flagged_rows",
        ]
    ]

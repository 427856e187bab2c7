"""Returns to homelessness after an exit to permanent housing (HUD SPM Measure 2 rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._dates import to_timestamp
from citykit._renamed import renamed_options
from citykit.contracting._common import arrow_text, as_list, safe_rate
from citykit.contracting.hmis._rows import (
    _clean_rows,
    _of_types,
    _period_column,
    _prepared,
    _with_excluded,
)
from citykit.contracting.hmis.destinations import (
    _TRANSFER_TYPES,
    INDEX_EXIT_PROJECT_TYPES,
    RETURN_PROJECT_TYPES,
)
from citykit.errors import ArgumentRangeError, CityKitError, require_columns

__all__ = ["return_episodes", "returns_to_homelessness"]


@renamed_options(report_start="start", report_end="end")
def return_episodes(
    data: pd.DataFrame,
    *,
    start: object,
    end: object,
    lookback_days: int = 730,
    transfer_days: int = 14,
    exit_project_types: tuple[str, ...] = INDEX_EXIT_PROJECT_TYPES,
    as_of: object = None,
) -> pd.DataFrame:
    """List each person's index permanent exit and their first return to homelessness, if any.

    Rules (HUD SPM Measure 2; docs/methods.md, "HUD system performance"; the choices made here):

    * Index exit: the **earliest** exit to a permanent destination per client from an SO, ES,
      SH, TH or PH (RRH, PSH) project whose exit date falls in
      ``[start - lookback_days, end - lookback_days]``.
    * Return: the first later enrollment of the same client in ES, SH, SO (entry on or after the
      exit date), or in TH/RRH/PSH only if it starts **more than** ``transfer_days`` days after
      the exit (a move-in within 14 days is a transfer, not a return). Prevention (PREV)
      enrollments are never returns. Returns are looked for up to ``lookback_days`` after the exit.
    * Flagged rows (exit before entry, unknown codes ...) are never index exits or returns.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table (raw or prepared).
    start, end : date, keyword-only
        The first and last day of the reporting window (both included); index exits are taken
        ``lookback_days`` earlier.
    lookback_days : int, keyword-only
        730 (two years) in the SPM; 365 gives a one-year follow-up for monthly management.
    transfer_days : int, keyword-only
        Entries into TH/PH within this many days of the exit are transfers (14 in the SPM).
    exit_project_types : tuple of str, keyword-only
        Project types whose permanent exits form the universe.
    as_of : date, optional, keyword-only
        The export date (default: the latest date in the table). An ``end`` more than a
        month after it is refused, since returns after the export cannot be seen.

    Returns
    -------
    pandas.DataFrame
        One row per client: ``client_id``, ``provider_id``, ``project_type`` (of the exit),
        ``exit_date``, ``return_date``, ``return_project_type``, ``days_to_return`` and
        ``return_window`` ("0-180 days", "181-365 days", "366-730 days" or "no return").

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["a1", "a2", "b1", "b2", "c1"], "client_id": ["a", "a", "b", "b", "c"],
    ...     "provider_id": ["P1"] * 5, "project_type": ["RRH", "ES", "RRH", "PSH", "ES"],
    ...     "entry_date": ["2022-01-01", "2022-05-01", "2022-01-01", "2022-03-10", "2022-01-05"],
    ...     "exit_date": ["2022-03-01", None, "2022-03-01", None, "2022-02-01"],
    ...     "destination": [435, None, 410, None, 410]})
    >>> ep = return_episodes(raw, start="2024-01-01", end="2024-12-31",
    ...                      as_of="2024-12-31")
    >>> ep[["client_id", "days_to_return", "return_window"]]
      client_id  days_to_return return_window
    0         a              61    0-180 days
    1         b            <NA>     no return
    2         c            <NA>     no return
    """
    for name, value in (("lookback_days", lookback_days), ("transfer_days", transfer_days)):
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise ArgumentRangeError(f"{name} must be a whole number of days >= 0; got {value!r}.")
    first = to_timestamp(start, argument="start")
    last = to_timestamp(end, argument="end")
    if last < first:
        raise CityKitError(f"end ({last.date()}) is before start ({first.date()}); swap them.")
    prepared = _prepared(data)
    clean = _clean_rows(prepared)
    data_end = (
        to_timestamp(as_of, argument="as_of")
        if as_of is not None
        else max(prepared.loc[clean, "entry_date"].max(), prepared.loc[clean, "exit_date"].max())
    )
    if pd.notna(data_end) and last > data_end + pd.Timedelta(days=31):
        raise CityKitError(
            f"end ({last.date()}) is more than a month after the end of the data "
            f"({data_end.date()}): returns after the data ends cannot be seen, so they would be "
            f"undercounted. Use an end the data covers, or pass as_of= the export date."
        )
    lag = pd.Timedelta(days=int(lookback_days))
    exits = prepared.loc[
        clean
        & prepared["permanent_exit"].fillna(False).to_numpy(dtype=bool)
        & prepared["project_type"].isin(list(exit_project_types)).to_numpy()
        & (prepared["exit_date"] >= first - lag).to_numpy()
        & (prepared["exit_date"] <= last - lag).to_numpy(),
        ["client_id", "enrollment_id", "provider_id", "project_type", "exit_date"],
    ]
    index = _earliest_exits(exits)
    # Returns enter between the first index exit and lookback_days after the last one.
    later = prepared.loc[
        clean
        & prepared["project_type"].isin(list(RETURN_PROJECT_TYPES)).to_numpy()
        & (prepared["entry_date"] >= first - lag).to_numpy()
        & (prepared["entry_date"] < last + pd.Timedelta(days=1)).to_numpy(),
        ["client_id", "enrollment_id", "project_type", "entry_date"],
    ]
    row, days = _first_returns(
        index, later, lookback_days=int(lookback_days), transfer_days=int(transfer_days)
    )
    out = index.drop(columns="enrollment_id").reset_index(drop=True)
    out["return_date"] = _take(later["entry_date"], row)
    out["return_project_type"] = _take(later["project_type"], row)
    out["days_to_return"] = pd.arrays.IntegerArray(days, row < 0)
    filled = out["days_to_return"].astype(float).fillna(np.inf).to_numpy()
    bins = np.select(
        [np.isinf(filled), filled <= 180, filled <= 365],
        ["no return", "0-180 days", "181-365 days"],
        default="366-730 days",
    )
    out["return_window"] = bins
    return out.reset_index(drop=True)


def _stable_order(values: pd.Series) -> np.ndarray:
    """Positions that sort ``values`` stably, missing values last (as ``sort_values``)."""
    text = arrow_text(values)
    if text is not None:  # Arrow's sort is stable too, and orders text as Python does
        import pyarrow.compute as pc

        return pc.sort_indices(text).to_numpy().astype(np.intp)
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        keys = values.to_numpy(dtype=object).tolist()
        missing = pd.isna(values).to_numpy()
        present = np.flatnonzero(~missing).tolist()
        present.sort(key=keys.__getitem__)  # Python's own sort is about twice as fast on text
        return np.array(present + np.flatnonzero(missing).tolist(), dtype=np.intp)
    return values.reset_index(drop=True).sort_values(kind="stable").index.to_numpy()


def _earliest_exits(exits: pd.DataFrame) -> pd.DataFrame:
    """Return each client's earliest exit (ties: smallest enrollment id), sorted by client.

    The same rows as ``exits.sort_values(["client_id", "exit_date", "enrollment_id"],
    kind="mergesort").drop_duplicates("client_id")``, several times faster: the client ids are
    sorted in the table's own order (mostly sorted already), the earliest date is found per run of
    equal ids, and only clients with two exits on that date compare enrollment ids.
    """
    if exits.empty:
        return exits
    try:
        frame = exits.iloc[_stable_order(exits["client_id"])]
    except TypeError:  # values that cannot be compared with each other (mixed types)
        ordered = exits.sort_values(["client_id", "exit_date", "enrollment_id"], kind="mergesort")
        return ordered.drop_duplicates("client_id", keep="first")
    clients = frame["client_id"].to_numpy(dtype=object)
    missing = pd.isna(clients)
    starts = np.r_[True, (clients[1:] != clients[:-1]) & ~(missing[1:] & missing[:-1])]
    group = np.cumsum(starts) - 1
    day = pd.factorize(frame["exit_date"], sort=True)[0]
    earliest = np.flatnonzero(day == np.minimum.reduceat(day, np.flatnonzero(starts))[group])
    tied = np.bincount(group[earliest])[group[earliest]] > 1
    pick = np.empty(group[-1] + 1, dtype=np.intp)
    pick[group[earliest[~tied]]] = earliest[~tied]
    if tied.any():
        ties = pd.DataFrame(
            {
                "group": group[earliest[tied]],
                "id": frame["enrollment_id"].to_numpy(dtype=object)[earliest[tied]],
                "row": earliest[tied],
            }
        )
        ties = ties.sort_values(["group", "id"], kind="mergesort").drop_duplicates("group")
        pick[ties["group"].to_numpy()] = ties["row"].to_numpy()
    return frame.iloc[pick]


def _take(series: pd.Series, positions: np.ndarray) -> pd.Series:
    """Values of ``series`` at ``positions`` (missing where -1), keeping its dtype when it can."""
    return pd.Series(series.array.take(positions, allow_fill=True), dtype=series.dtype)


def _positions_in(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """Where each of ``values`` sits in ``keys`` (unique), -1 where it is not there.

    The same as ``pd.Index(keys).get_indexer(values)``; Arrow-backed text is looked up inside
    Arrow (a hash lookup without making a Python string per row).
    """
    key_text, value_text = arrow_text(keys), arrow_text(values)
    if key_text is not None and value_text is not None:
        import pyarrow.compute as pc

        found = pc.index_in(value_text, value_set=key_text)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return pd.Index(keys).get_indexer(values)


def _same_text(values: pd.Series, rows: np.ndarray, others: pd.Series, at: np.ndarray):
    """``values[rows] == others[at]`` element by element (missing never equal)."""
    left, right = arrow_text(values), arrow_text(others)
    if left is not None and right is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        equal = pc.equal(left.take(pa.array(rows)), right.take(pa.array(at)))
        return equal.to_numpy(zero_copy_only=False).astype(bool)
    ids = values.to_numpy(dtype=object)[rows]
    return (ids == others.to_numpy(dtype=object)[at]) & pd.notna(ids)


def _first_returns(
    index: pd.DataFrame, later: pd.DataFrame, *, lookback_days: int, transfer_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Find each index exit's first return among the enrollments ``later``.

    Returns, for each row of ``index``, the row of ``later`` holding the return (-1: none) and
    the days from the exit to it (0 when none). Same-day returns go to the smallest enrollment id.
    """
    owner = _positions_in(index["client_id"], later["client_id"])
    rows = np.flatnonzero(owner >= 0)
    owner = owner[rows]
    exit_dates = index["exit_date"].array.take(owner)
    days = np.asarray((later["entry_date"].array.take(rows) - exit_dates).days, dtype="int64")
    same = _same_text(later["enrollment_id"], rows, index["enrollment_id"], owner)
    transfer = later["project_type"].isin(list(_TRANSFER_TYPES)).to_numpy()[rows]
    ok = ~same & (days >= 0) & (days <= lookback_days) & (~transfer | (days > transfer_days))
    owner, days, rows = owner[ok], days[ok], rows[ok]
    # the earliest return of each owner: sorted by (owner, days) as numbers; only owners with
    # two returns on that day compare enrollment ids (as sort_values(["owner", "days", "id"]))
    order = np.lexsort((days, owner))
    owner, days, rows = owner[order], days[order], rows[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else owner
    pick = starts.copy()
    tie = np.r_[(owner[1:] == owner[:-1]) & (days[1:] == days[:-1]), False]
    if len(starts) and tie[starts].any():
        group = np.cumsum(np.r_[True, owner[1:] != owner[:-1]]) - 1
        earliest = days == days[starts][group]
        tied = earliest & tie[starts][group]
        candidates = pd.DataFrame(
            {
                "group": group[tied],
                "id": later["enrollment_id"].to_numpy(dtype=object)[rows[tied]],
                "at": np.flatnonzero(tied),
            }
        )
        candidates = candidates.sort_values(["group", "id"], kind="mergesort")
        candidates = candidates.drop_duplicates("group")
        pick[candidates["group"].to_numpy()] = candidates["at"].to_numpy()
    row = np.full(len(index), -1, dtype="int64")
    row[owner[pick]] = rows[pick]
    out_days = np.zeros(len(index), dtype="int64")
    out_days[owner[pick]] = days[pick]
    return row, out_days


@renamed_options(report_start="start", report_end="end", period="frequency")
def returns_to_homelessness(
    data: pd.DataFrame,
    *,
    start: object,
    end: object,
    by: str | list[str] | None = "provider_id",
    frequency: str | None = None,
    lookback_days: int = 730,
    transfer_days: int = 14,
    horizons: dict[str, int] | None = None,
    as_of: object = None,
) -> pd.DataFrame:
    """Share of people exiting to permanent housing who return to homelessness, per group.

    Counts come from :func:`return_episodes` (SPM Measure 2 rules; see its notes). The
    denominator is the number of index permanent exits; ``returns_<label>`` counts returns within
    ``horizon`` days (cumulative: "12 months" includes the first 6), only for horizons not longer
    than ``lookback_days`` (longer ones cannot be observed for the whole universe).

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table.
    start, end : date, keyword-only
        The first and last day of the reporting window, both included (index exits come from
        ``lookback_days`` earlier).
    by : str or list of str or None, keyword-only
        Grouping columns taken from the exit (e.g. ``"provider_id"``, ``"project_type"``).
    frequency : {"month", "quarter", "year"} or None, keyword-only
        Group also by the month, quarter or year of the index exit (a ``period`` column).
    lookback_days, transfer_days : int, keyword-only
        See :func:`return_episodes`.
    horizons : dict, optional, keyword-only
        Label -> days; default ``{"6m": 180, "12m": 365, "24m": 730}``.
    as_of : date, optional, keyword-only
        The export date (see :func:`return_episodes`).

    Returns
    -------
    pandas.DataFrame
        Group columns, ``permanent_exits``, for each horizon ``returns_<label>`` and
        ``rate_<label>``, and ``excluded``: exits in the look-back window left out for a
        data-quality issue (see :func:`data_quality_flags`), so that they are seen.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["a1", "a2", "b1", "c1"], "client_id": ["a", "a", "b", "c"],
    ...     "provider_id": ["P1"] * 4, "project_type": ["RRH", "ES", "RRH", "ES"],
    ...     "entry_date": ["2022-01-01", "2022-05-01", "2022-01-01", "2022-01-05"],
    ...     "exit_date": ["2022-03-01", None, "2022-03-01", "2022-02-01"],
    ...     "destination": [435, None, 410, 410]})
    >>> out = returns_to_homelessness(raw, start="2024-01-01", end="2024-12-31",
    ...                               as_of="2024-12-31")
    >>> out[["provider_id", "permanent_exits", "returns_6m", "rate_6m", "returns_24m"]]
      provider_id  permanent_exits  returns_6m   rate_6m  returns_24m
    0          P1                3           1  0.333333            1
    """
    horizons = dict(horizons or {"6m": 180, "12m": 365, "24m": 730})
    prepared = _prepared(data)
    episodes = return_episodes(
        prepared,
        start=start,
        end=end,
        lookback_days=lookback_days,
        transfer_days=transfer_days,
        as_of=as_of,
    )
    keys = as_list(by)
    require_columns(episodes, keys, argument="enrollments")
    # exits that could have been index exits but have a data-quality issue: counted per group
    lag = pd.Timedelta(days=int(lookback_days))
    first = to_timestamp(start, argument="start")
    last = to_timestamp(end, argument="end")
    set_aside = prepared.loc[
        ~_clean_rows(prepared)
        & prepared["exited"].to_numpy(dtype=bool)
        & _of_types(prepared, INDEX_EXIT_PROJECT_TYPES)
        & (prepared["exit_date"] >= first - lag).to_numpy(dtype=bool)
        & (prepared["exit_date"] <= last - lag).to_numpy(dtype=bool),
        list(dict.fromkeys([*keys, "exit_date"])),
    ]
    if frequency is not None:
        episodes = episodes.assign(period=_period_column(episodes["exit_date"], frequency))
        set_aside = set_aside.assign(period=_period_column(set_aside["exit_date"], frequency))
        keys = keys + ["period"]
    frame = episodes[keys].copy() if keys else pd.DataFrame(index=episodes.index)
    frame["permanent_exits"] = 1
    usable = {k: v for k, v in horizons.items() if v <= lookback_days}
    for label, days in usable.items():
        frame[f"returns_{label}"] = (episodes["days_to_return"].fillna(10**9) <= days).astype(int)
    if keys:
        out = frame.groupby(keys, sort=True, observed=True).sum().reset_index()
    else:
        out = frame.sum().to_frame().T
    for label in usable:
        out[f"rate_{label}"] = safe_rate(out[f"returns_{label}"], out["permanent_exits"])
    ordered = keys + ["permanent_exits"]
    for label in usable:
        ordered += [f"returns_{label}", f"rate_{label}"]
    returns = tuple(f"returns_{label}" for label in usable)
    return _with_excluded(out[ordered], set_aside, keys, ("permanent_exits", *returns))

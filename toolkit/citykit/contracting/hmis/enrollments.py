"""Preparing an HMIS enrollment export: standard names, harmonized destinations, quality flags.

:func:`prepare_enrollments` adds the harmonized destination and a ``dq_issue`` column. Rows with
an issue (exit before entry, unknown destination code, an exit with no destination ...) are kept
and flagged; the outcome functions leave them out of rates and report how many were left out, so
that a provider's data problems are visible rather than silently changing its numbers. Which rows
each measure then counts is the job of :mod:`~citykit.contracting.hmis._rows`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._dates import to_timestamp
from citykit.contracting._common import (
    arrow_text,
    check_table,
    label_missing,
    plain_columns,
    to_dates,
)
from citykit.contracting.hmis.destinations import (
    _CLASS_IS_PERMANENT,
    _CLASS_NAMES,
    _FY2024_CODES,
    _LEGACY_AS_FY2024,
    _LEGACY_CODES,
    DESTINATIONS_FY2024,
    DESTINATIONS_LEGACY,
    LIKELY_MISSING_EXIT_DAYS,
    PROJECT_TYPES,
    _is_legacy_version,
)

__all__ = ["prepare_enrollments"]

_DEFAULT_COLUMNS = {
    "enrollment": "enrollment_id",
    "client": "client_id",
    "provider": "provider_id",
    "project_type": "project_type",
    "entry": "entry_date",
    "exit": "exit_date",
    "destination": "destination",
    "version": "data_standards_version",
}


def _legacy_rows(versions: pd.Series | None, codes: np.ndarray) -> np.ndarray:
    """Which rows use the pre-FY2024 code list: by their version, else by the code itself."""
    if versions is None:  # legacy codes are < 100 and not shared with FY2024
        only_legacy = [c for c in DESTINATIONS_LEGACY if c not in DESTINATIONS_FY2024]
        return np.isin(codes, only_legacy)
    legacy_versions = [v for v in versions.dropna().unique() if _is_legacy_version(v)]
    return versions.isin(legacy_versions).to_numpy(dtype=bool)


def _repeated(values: pd.Series) -> np.ndarray:
    """Return ``values.duplicated(keep="first")`` as an array; sorted ids need no hashing."""
    text = arrow_text(values)
    if text is not None and len(text) > 1:  # compared inside Arrow, no Python strings made
        import pyarrow.compute as pc

        before, after = text.slice(0, len(text) - 1), text.slice(1)
        if not pc.any(pc.less(after, before)).as_py():  # sorted: repeats sit next to each other
            repeated = np.zeros(len(text), dtype=bool)
            repeated[1:] = pc.equal(after, before).to_numpy(zero_copy_only=False)
            return repeated
        return values.duplicated(keep="first").to_numpy()
    if values.is_monotonic_increasing:  # repeats sit next to each other
        array = values.to_numpy(dtype=object)
        repeated = np.zeros(len(array), dtype=bool)
        repeated[1:] = array[1:] == array[:-1]
        return repeated
    return values.duplicated(keep="first").to_numpy()


def _positions(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where each of ``values`` sits in ``keys`` (whole numbers >= 0); -1 when it is not there."""
    table = np.full(int(keys.max()) + 1, -1)
    table[keys.astype(int)] = np.arange(len(keys))
    whole = (values >= 0) & (values < len(table)) & (values == np.floor(values))
    return np.where(whole, table[np.where(whole, values, 0).astype(int)], -1)


def _harmonize(codes: np.ndarray, legacy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each code's FY2024 equivalent (NaN when unknown) and its row in ``_CLASS_NAMES``."""
    at = _positions(_LEGACY_CODES, codes)
    crossed = np.where(at >= 0, _LEGACY_AS_FY2024[at], np.nan)
    fy2024 = np.where(legacy, crossed, codes)
    position = _positions(_FY2024_CODES, fy2024)
    known = position >= 0
    n = len(_FY2024_CODES)
    position = np.where(known, position, np.where(np.isnan(codes), n, n + 1))
    return np.where(known, fy2024, np.nan), position


def _labels(names: np.ndarray, which: np.ndarray, index: pd.Index) -> pd.Series:
    """``pd.Series(names[which], index=index).astype(str)``, taking from the few names as text.

    The same values and dtype; only the handful of names is converted to text, not every row.
    """
    return pd.Series(pd.Series(names, dtype=object).astype(str).array.take(which), index=index)


def _columns(overrides: dict) -> dict:
    out = dict(_DEFAULT_COLUMNS)
    out.update({k: v for k, v in overrides.items() if v is not None})
    return out


def prepare_enrollments(
    data: pd.DataFrame,
    *,
    as_of: object = None,
    enrollment: str = "enrollment_id",
    client: str = "client_id",
    provider: str = "provider_id",
    project_type: str = "project_type",
    entry: str = "entry_date",
    exit: str = "exit_date",
    destination: str = "destination",
    version: str = "data_standards_version",
) -> pd.DataFrame:
    """Return a copy of an HMIS enrollment table with harmonized destinations and quality flags.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per enrollment. The version column is optional: without it the standard of each
        code is read from the code itself.
    as_of : date, optional, keyword-only
        The export date; entries after it are flagged. Defaults to the latest date in the table.
    enrollment, client, provider, project_type, entry, exit, destination, version : str
        Column names in ``data`` (e.g. ``client="PersonalID"`` for a HUD CSV export). The result
        uses the standard names (``enrollment_id``, ``client_id``, ``provider_id``,
        ``project_type``, ``entry_date``, ``exit_date``, ``destination``,
        ``data_standards_version``), which every other function of this module expects: prepare
        your own export once with this function, then pass the result on.

    Returns
    -------
    pandas.DataFrame
        The input columns (renamed to the standard names) plus ``destination_fy2024`` (Int64),
        ``destination_class``, ``exited`` (bool), ``permanent_exit`` (boolean, missing while
        enrolled), ``length_of_stay_days``, ``likely_missing_exit`` (a shelter stay still open
        more than :data:`LIKELY_MISSING_EXIT_DAYS` days at ``as_of``; kept, not flagged) and
        ``dq_issue`` (empty string when the row is clean; otherwise one of "exit before entry", "missing entry date", "missing client id",
        "entry after export date",
        "unknown destination code", "exit without destination", "destination without exit",
        "duplicate enrollment id", "unknown project type").

    Raises
    ------
    MissingColumnError
        If a required column is missing (the message lists the table's columns).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2", "e3", "e4"], "client_id": ["c1", "c2", "c3", "c4"],
    ...     "provider_id": ["P1"] * 4, "project_type": ["ES"] * 4,
    ...     "entry_date": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-05"],
    ...     "exit_date": ["2024-01-20", "2024-01-15", "2024-03-09", None],
    ...     "destination": [410, 435, 777, None]})
    >>> out = prepare_enrollments(raw)
    >>> out[["enrollment_id", "destination_class", "permanent_exit", "dq_issue"]]
      enrollment_id destination_class  permanent_exit                 dq_issue
    0            e1         permanent            True
    1            e2         permanent            True        exit before entry
    2            e3      unknown code            <NA>  unknown destination code
    3            e4           missing            <NA>
    """
    cols = _columns(
        {
            "enrollment": enrollment,
            "client": client,
            "provider": provider,
            "project_type": project_type,
            "entry": entry,
            "exit": exit,
            "destination": destination,
            "version": version,
        }
    )
    needed = [cols[k] for k in ("enrollment", "client", "provider", "project_type", "entry")]
    needed += [cols["exit"], cols["destination"]]
    check_table(data, needed, argument="enrollments")
    out = plain_columns(data)  # Arrow-backed columns as pandas' own dtypes, same values
    # enrollments without a provider are counted under "(missing)", never dropped by grouping
    out[cols["provider"]] = label_missing(
        out[cols["provider"]], column=cols["provider"], argument="enrollments"
    )
    entry_dates = to_dates(out, cols["entry"], argument="enrollments")
    exit_dates = to_dates(out, cols["exit"], argument="enrollments")
    out[cols["entry"]] = entry_dates
    out[cols["exit"]] = exit_dates
    stamp = (
        to_timestamp(as_of, argument="as_of")
        if as_of is not None
        else max(entry_dates.max(), exit_dates.max())
    )

    codes = pd.to_numeric(out[cols["destination"]], errors="coerce")
    numbers = codes.to_numpy(dtype=float, na_value=np.nan)
    legacy = _legacy_rows(out[cols["version"]] if cols["version"] in out.columns else None, numbers)
    fy2024, position = _harmonize(numbers, legacy)
    known = position < len(_FY2024_CODES)
    out["destination_fy2024"] = pd.Series(fy2024, index=out.index).astype("Int64")
    out["destination_class"] = _labels(_CLASS_NAMES, position, out.index)
    exited = exit_dates.notna()
    out["exited"] = exited
    permanent = pd.array(_CLASS_IS_PERMANENT[position], dtype="boolean")
    permanent[~(exited.to_numpy() & known)] = pd.NA
    out["permanent_exit"] = permanent
    out["length_of_stay_days"] = (exit_dates - entry_dates).dt.days.astype("Int64")
    open_days = (stamp - entry_dates).dt.days
    out["likely_missing_exit"] = (
        ~exited
        & out[cols["project_type"]].isin(["ES", "SH"])
        & (open_days > LIKELY_MISSING_EXIT_DAYS).fillna(False)
    )
    exited = exited.to_numpy()
    has_code = ~np.isnan(numbers)
    # In order of precedence: a row gets the first issue that applies.
    issues = {
        "missing entry date": entry_dates.isna().to_numpy(),
        # a person without an id cannot be followed from one enrollment to the next
        "missing client id": out[cols["client"]].isna().to_numpy(dtype=bool),
        "exit before entry": exited & (exit_dates < entry_dates).to_numpy(),
        "entry after export date": (entry_dates > stamp).to_numpy(),
        "duplicate enrollment id": _repeated(out[cols["enrollment"]]),
        "unknown project type": ~out[cols["project_type"]].isin(list(PROJECT_TYPES)).to_numpy(),
        "unknown destination code": exited & has_code & ~known,
        "exit without destination": exited & ~has_code,
        "destination without exit": ~exited & has_code,
    }
    which = np.select(list(issues.values()), np.arange(1, len(issues) + 1), default=0)
    out["dq_issue"] = _labels(np.array(["", *issues], dtype=object), which, out.index)
    rename = {cols[k]: _DEFAULT_COLUMNS[k] for k in cols if cols[k] != _DEFAULT_COLUMNS[k]}
    return out.rename(columns={k: v for k, v in rename.items() if k in out.columns})

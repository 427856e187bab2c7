"""HMIS destinations and provider outcomes with HUD definitions.

HMIS (Homeless Management Information System) exports hold one row per *enrollment*: a client's
stay in one project (shelter, transitional housing, rapid re-housing ...) from an entry date to an
exit date, with the *destination* the client went to. This module turns such an export into the
outcomes a city tracks across providers:

* exits to permanent housing (HUD System Performance Measure 7b style),
* returns to homelessness within 6, 12 and 24 months of a permanent exit (Measure 2 rules),
* prevention success (no shelter entry within N months of prevention services),
* length of stay,

by provider, project type and month, always with the counts beside the rates.

Destination codes
-----------------
FY2024 HMIS data standards number destinations by class: 1xx homeless, 2xx institutional, 3xx
temporary, **4xx permanent**, 1-99 other (don't know, no exit interview ...). Exports made under
the older standards (FY2022 and before) use two-digit codes; :data:`LEGACY_TO_FY2024` maps them
onto FY2024 codes (rentals with a subsidy all become 435 "rental by client, with ongoing housing
subsidy", the subsidy type moving to a separate field). A row's standard is read from a
``data_standards_version`` column when there is one, otherwise from the code itself (FY2024 codes
are >= 100; the codes 8, 9, 17, 24, 30, 37, 99 mean the same in both).

Data quality
------------
:func:`prepare_enrollments` adds the harmonized destination and a ``dq_issue`` column. Rows with
an issue (exit before entry, unknown destination code, an exit with no destination ...) are kept
and flagged; the outcome functions leave them out of rates and report how many were left out, so
that a provider's data problems are visible rather than silently changing its numbers.

Examples
--------
>>> classify_destination(410)
'permanent'
>>> classify_destination(31, version="FY2022")
'permanent'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._dates import to_timestamp
from citykit.contracting._common import (
    as_list,
    check_table,
    label_missing,
    plain_columns,
    safe_rate,
    to_dates,
)
from citykit.errors import ArgumentRangeError, CityKitError, require_columns, require_keyword_choice

__all__ = [
    "DESTINATIONS_FY2024",
    "DESTINATIONS_LEGACY",
    "LEGACY_TO_FY2024",
    "PROJECT_TYPES",
    "RETURN_PROJECT_TYPES",
    "SHELTER_PROJECT_TYPES",
    "LIKELY_MISSING_EXIT_DAYS",
    "SPM_7B1_EXCLUDED_DESTINATIONS",
    "destination_codes",
    "classify_destination",
    "prepare_enrollments",
    "data_quality_flags",
    "exits_to_permanent_housing",
    "return_episodes",
    "returns_to_homelessness",
    "prevention_outcomes",
    "length_of_stay",
    "client_exits",
    "provider_outcomes",
]

# --- code lists ----------------------------------------------------------------------------------

#: FY2024 HMIS destinations (HMIS CSV Format Specifications FY2024, Appendix B list 3.12.1):
#: code -> (label, class). Classes: homeless, institutional, temporary, permanent, other.
DESTINATIONS_FY2024: dict[int, tuple[str, str]] = {
    101: ("Emergency shelter, incl. hotel/motel paid with an ES voucher", "homeless"),
    116: ("Place not meant for habitation", "homeless"),
    118: ("Safe Haven", "homeless"),
    204: ("Psychiatric hospital or other psychiatric facility", "institutional"),
    205: ("Substance use treatment facility or detox center", "institutional"),
    206: ("Hospital or other residential non-psychiatric medical facility", "institutional"),
    207: ("Jail, prison or juvenile detention facility", "institutional"),
    215: ("Foster care home or foster care group home", "institutional"),
    225: ("Long-term care facility or nursing home", "institutional"),
    302: ("Transitional housing for homeless persons", "temporary"),
    312: ("Staying or living with family, temporary tenure", "temporary"),
    313: ("Staying or living with friends, temporary tenure", "temporary"),
    314: ("Hotel or motel paid for without an ES voucher", "temporary"),
    327: ("Moved from one HOPWA project to HOPWA TH", "temporary"),
    329: ("Residential project or halfway house with no homeless criteria", "temporary"),
    332: ("Host Home (non-crisis)", "temporary"),
    410: ("Rental by client, no ongoing housing subsidy", "permanent"),
    411: ("Owned by client, no ongoing housing subsidy", "permanent"),
    421: ("Owned by client, with ongoing housing subsidy", "permanent"),
    422: ("Staying or living with family, permanent tenure", "permanent"),
    423: ("Staying or living with friends, permanent tenure", "permanent"),
    426: ("Moved from one HOPWA project to HOPWA PH", "permanent"),
    435: ("Rental by client, with ongoing housing subsidy", "permanent"),
    8: ("Client doesn't know", "other"),
    9: ("Client prefers not to answer", "other"),
    17: ("Other", "other"),
    24: ("Deceased", "other"),
    30: ("No exit interview completed", "other"),
    37: ("Worker unable to determine", "other"),
    99: ("Data not collected", "other"),
}

#: Pre-FY2024 (FY2020/FY2022) destinations: code -> (label, class). Permanent codes are those of
#: SPM v3.1: 3, 10, 11, 19, 20, 21, 22, 23, 26, 28, 31, 33, 34.
DESTINATIONS_LEGACY: dict[int, tuple[str, str]] = {
    1: ("Emergency shelter, incl. hotel/motel paid with an ES voucher", "homeless"),
    2: ("Transitional housing for homeless persons", "temporary"),
    3: ("Permanent housing (other than RRH) for formerly homeless persons", "permanent"),
    4: ("Psychiatric hospital or other psychiatric facility", "institutional"),
    5: ("Substance abuse treatment facility or detox center", "institutional"),
    6: ("Hospital or other residential non-psychiatric medical facility", "institutional"),
    7: ("Jail, prison or juvenile detention facility", "institutional"),
    8: ("Client doesn't know", "other"),
    9: ("Client refused", "other"),
    10: ("Rental by client, no ongoing housing subsidy", "permanent"),
    11: ("Owned by client, no ongoing housing subsidy", "permanent"),
    12: ("Staying or living with family, temporary tenure", "temporary"),
    13: ("Staying or living with friends, temporary tenure", "temporary"),
    14: ("Hotel or motel paid for without an ES voucher", "temporary"),
    15: ("Foster care home or foster care group home", "institutional"),
    16: ("Place not meant for habitation", "homeless"),
    17: ("Other", "other"),
    18: ("Safe Haven", "homeless"),
    19: ("Rental by client, with VASH housing subsidy", "permanent"),
    20: ("Rental by client, with other ongoing housing subsidy", "permanent"),
    21: ("Owned by client, with ongoing housing subsidy", "permanent"),
    22: ("Staying or living with family, permanent tenure", "permanent"),
    23: ("Staying or living with friends, permanent tenure", "permanent"),
    24: ("Deceased", "other"),
    25: ("Long-term care facility or nursing home", "institutional"),
    26: ("Moved from one HOPWA funded project to HOPWA PH", "permanent"),
    27: ("Moved from one HOPWA funded project to HOPWA TH", "temporary"),
    28: ("Rental by client, with GPD TIP housing subsidy", "permanent"),
    29: ("Residential project or halfway house with no homeless criteria", "temporary"),
    30: ("No exit interview completed", "other"),
    31: ("Rental by client, with RRH or equivalent subsidy", "permanent"),
    32: ("Host Home (non-crisis)", "temporary"),
    33: ("Rental by client, with HCV voucher (tenant or project based)", "permanent"),
    34: ("Rental by client in a public housing unit", "permanent"),
    37: ("Worker unable to determine", "other"),
    99: ("Data not collected", "other"),
}

#: Crosswalk legacy code -> (FY2024 code, FY2024 RentalSubsidyType or None). Subsidized rentals
#: (3, 19, 20, 28, 31, 33, 34) all become 435 with the subsidy recorded separately
#: (419 GPD TIP, 420 VASH, 428 RRH, 431 HCV, 433 public housing, 434 other, 440 other PH for
#: formerly homeless persons); every other code keeps its meaning under the class-prefixed number.
LEGACY_TO_FY2024: dict[int, tuple[int, int | None]] = {
    1: (101, None),
    2: (302, None),
    3: (435, 440),
    4: (204, None),
    5: (205, None),
    6: (206, None),
    7: (207, None),
    8: (8, None),
    9: (9, None),
    10: (410, None),
    11: (411, None),
    12: (312, None),
    13: (313, None),
    14: (314, None),
    15: (215, None),
    16: (116, None),
    17: (17, None),
    18: (118, None),
    19: (435, 420),
    20: (435, 434),
    21: (421, None),
    22: (422, None),
    23: (423, None),
    24: (24, None),
    25: (225, None),
    26: (426, None),
    27: (327, None),
    28: (435, 419),
    29: (329, None),
    30: (30, None),
    31: (435, 428),
    32: (332, None),
    33: (435, 431),
    34: (435, 433),
    37: (37, None),
    99: (99, None),
}

#: Destinations HUD leaves out of System Performance Measure 7b.1 (and 7b.2) altogether, because
#: an exit to them is beyond the provider's control (FY2024 codes; the legacy codes 6, 15, 25
#: and 24 map onto them): hospital or other residential non-psychiatric medical facility (206),
#: foster care home or group home (215), long-term care facility or nursing home (225), deceased
#: (24). HUD SPM Programming Specifications, Measure 7b.1: "Destinations indicated with an X
#: (values 15, 6, 25, 24) cause leavers with those destinations to be completely excluded from
#: the entire measure" (docs/methods.md, "HUD system performance").
SPM_7B1_EXCLUDED_DESTINATIONS: tuple[int, ...] = (206, 215, 225, 24)

#: HUD project type codes (HMIS data element 2.02.6) for the project types used here.
PROJECT_TYPES: dict[str, int] = {
    "ES": 0,
    "TH": 2,
    "PSH": 3,
    "SO": 4,
    "SH": 8,
    "PREV": 12,
    "RRH": 13,
}

#: Project types whose permanent exits are index exits of SPM Measure 2.
INDEX_EXIT_PROJECT_TYPES = ("SO", "ES", "SH", "TH", "RRH", "PSH")
#: Project types whose entry counts as a return to homelessness (SPM Measure 2).
RETURN_PROJECT_TYPES = ("ES", "SH", "SO", "TH", "RRH", "PSH")
#: Of those, the housing project types whose entry counts only after the transfer window.
_TRANSFER_TYPES = ("TH", "RRH", "PSH")
#: An emergency-shelter or Safe Haven stay still open after this many days most likely has an
#: exit that was never recorded (flagged by :func:`data_quality_flags`, not removed).
LIKELY_MISSING_EXIT_DAYS = 180
#: Project types that count as "entering shelter" for prevention success.
SHELTER_PROJECT_TYPES = ("ES", "SH", "TH")

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


def _is_legacy_version(version: object) -> bool:
    """True for a data-standards version before FY2024 ('FY2022', '2020', ...)."""
    text = str(version).upper().replace("FY", "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())[:4]
    return bool(digits) and int(digits) < 2024


def destination_codes(*, version: str = "FY2024") -> pd.DataFrame:
    """Return the destination code list of one HMIS data-standards version as a table.

    Parameters
    ----------
    version : {"FY2024", "legacy"}, keyword-only
        ``"FY2024"`` for the three-digit codes in use since October 2023, ``"legacy"`` for the
        two-digit codes of FY2022 and before (with their FY2024 equivalent).

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``label``, ``destination_class`` (and for legacy ``code_fy2024``,
        ``rental_subsidy_type``).

    Examples
    --------
    >>> codes = destination_codes()
    >>> sorted(codes.loc[codes["destination_class"] == "permanent", "code"])
    [410, 411, 421, 422, 423, 426, 435]
    >>> legacy = destination_codes(version="legacy")
    >>> legacy.loc[legacy["code"] == 31, ["code_fy2024", "rental_subsidy_type"]].to_numpy().tolist()
    [[435, 428]]
    """
    require_keyword_choice(version, ["FY2024", "legacy"], argument="version")
    if version == "FY2024":
        rows = [(c, lab, cls) for c, (lab, cls) in DESTINATIONS_FY2024.items()]
        return pd.DataFrame(rows, columns=["code", "label", "destination_class"])
    rows = [
        (c, lab, cls, LEGACY_TO_FY2024[c][0], LEGACY_TO_FY2024[c][1])
        for c, (lab, cls) in DESTINATIONS_LEGACY.items()
    ]
    out = pd.DataFrame(
        rows, columns=["code", "label", "destination_class", "code_fy2024", "rental_subsidy_type"]
    )
    out["rental_subsidy_type"] = out["rental_subsidy_type"].astype("Int64")
    return out


def classify_destination(code: object, *, version: str = "FY2024") -> str:
    """Return the class of one destination code: permanent, temporary, institutional, homeless ...

    Parameters
    ----------
    code : int
        The HMIS destination code.
    version : str, keyword-only
        The data-standards version of the export ("FY2024", "FY2022", "2020" ...). Versions before
        FY2024 use the legacy two-digit list.

    Returns
    -------
    str
        ``"permanent"``, ``"temporary"``, ``"institutional"``, ``"homeless"``, ``"other"``, or
        ``"unknown code"`` when the code is in neither list, ``"missing"`` when it is empty.

    Examples
    --------
    >>> [classify_destination(c) for c in (410, 435, 314, 24)]
    ['permanent', 'permanent', 'temporary', 'other']
    >>> classify_destination(31, version="FY2022")
    'permanent'
    >>> classify_destination(31)
    'unknown code'
    """
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return "missing"
    try:
        number = int(float(code))
    except (TypeError, ValueError):
        return "unknown code"
    table = DESTINATIONS_LEGACY if _is_legacy_version(version) else DESTINATIONS_FY2024
    entry = table.get(number)
    return entry[1] if entry else "unknown code"


#: Destination code lookups used by :func:`prepare_enrollments`: FY2024 codes with the class of
#: each (then "missing" and "unknown code"), and the FY2024 code of each legacy code.
_FY2024_CODES = np.array(sorted(DESTINATIONS_FY2024), dtype=float)
_CLASS_NAMES = np.array(
    [DESTINATIONS_FY2024[int(c)][1] for c in _FY2024_CODES] + ["missing", "unknown code"],
    dtype=object,
)
_CLASS_IS_PERMANENT = _CLASS_NAMES == "permanent"
_LEGACY_CODES = np.array(sorted(LEGACY_TO_FY2024), dtype=float)
_LEGACY_AS_FY2024 = np.array([LEGACY_TO_FY2024[int(c)][0] for c in _LEGACY_CODES], dtype=float)


def _legacy_rows(versions: pd.Series | None, codes: np.ndarray) -> np.ndarray:
    """Which rows use the pre-FY2024 code list: by their version, else by the code itself."""
    if versions is None:  # legacy codes are < 100 and not shared with FY2024
        only_legacy = [c for c in DESTINATIONS_LEGACY if c not in DESTINATIONS_FY2024]
        return np.isin(codes, only_legacy)
    legacy_versions = [v for v in versions.dropna().unique() if _is_legacy_version(v)]
    return versions.isin(legacy_versions).to_numpy(dtype=bool)


def _repeated(values: pd.Series) -> np.ndarray:
    """Return ``values.duplicated(keep="first")`` as an array; sorted ids need no hashing."""
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
    out["destination_class"] = pd.Series(_CLASS_NAMES[position], index=out.index).astype(str)
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
    texts = np.array(["", *issues], dtype=object)
    out["dq_issue"] = pd.Series(texts[which], index=out.index).astype(str)
    rename = {cols[k]: _DEFAULT_COLUMNS[k] for k in cols if cols[k] != _DEFAULT_COLUMNS[k]}
    return out.rename(columns={k: v for k, v in rename.items() if k in out.columns})


def _clean_rows(prepared: pd.DataFrame) -> np.ndarray:
    """Which rows of a prepared table have no data-quality issue (``dq_issue == ""``)."""
    return prepared["dq_issue"].to_numpy(dtype=object) == ""


def _prepared(data: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """Prepare unless the table already went through :func:`prepare_enrollments`."""
    if "dq_issue" in data.columns and "permanent_exit" in data.columns:
        return data
    return prepare_enrollments(data, as_of=as_of)


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


def _period_column(dates: pd.Series, period: str | None) -> pd.Series | None:
    if period is None:
        return None
    require_keyword_choice(period, ["month", "quarter", "year"], argument="period")
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[period]
    return dates.dt.to_period(freq).astype(str)


def _window_mask(dates: pd.Series, start: object, end: object) -> np.ndarray:
    """Which ``dates`` fall in ``[start, end]`` (either end may be None: open)."""
    mask = np.ones(len(dates), dtype=bool)
    if start is not None:
        mask &= (dates >= to_timestamp(start, argument="start")).to_numpy(dtype=bool)
    if end is not None:
        mask &= (dates <= to_timestamp(end, argument="end")).to_numpy(dtype=bool)
    return mask


def _of_types(prepared: pd.DataFrame, project_types: tuple[str, ...] | None) -> np.ndarray:
    """Rows in ``project_types`` (None: all), and rows whose project type is missing or unknown.

    A row without a known project type is flagged ("unknown project type" or an earlier issue);
    it may belong to the universe, so it is kept to be counted with the exits left out rather
    than dropped without a word.
    """
    types = prepared["project_type"]
    if project_types is None:
        return np.ones(len(prepared), dtype=bool)
    known = types.isin(list(PROJECT_TYPES)).to_numpy(dtype=bool)
    return types.isin(list(project_types)).to_numpy(dtype=bool) | ~known


def _window(frame: pd.DataFrame, column: str, start: object, end: object) -> pd.DataFrame:
    return frame[_window_mask(frame[column], start, end)]


def exits_to_permanent_housing(
    data: pd.DataFrame,
    *,
    by: str | list[str] | None = "provider_id",
    period: str | None = None,
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
    period : {"month", "quarter", "year"} or None, keyword-only
        Add a period of the exit date to the grouping.
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
    period_col = _period_column(frame["exit_date"], period)
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


def return_episodes(
    data: pd.DataFrame,
    *,
    report_start: object,
    report_end: object,
    lookback_days: int = 730,
    transfer_days: int = 14,
    exit_project_types: tuple[str, ...] = INDEX_EXIT_PROJECT_TYPES,
    as_of: object = None,
) -> pd.DataFrame:
    """List each person's index permanent exit and their first return to homelessness, if any.

    Rules (HUD SPM Measure 2; docs/methods.md, "HUD system performance"; the choices made here):

    * Index exit: the **earliest** exit to a permanent destination per client from an SO, ES,
      SH, TH or PH (RRH, PSH) project whose exit date falls in
      ``[report_start - lookback_days, report_end - lookback_days]``.
    * Return: the first later enrollment of the same client in ES, SH, SO (entry on or after the
      exit date), or in TH/RRH/PSH only if it starts **more than** ``transfer_days`` days after
      the exit (a move-in within 14 days is a transfer, not a return). Prevention (PREV)
      enrollments are never returns. Returns are looked for up to ``lookback_days`` after the exit.
    * Flagged rows (exit before entry, unknown codes ...) are never index exits or returns.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table (raw or prepared).
    report_start, report_end : date, keyword-only
        The reporting window; index exits are taken ``lookback_days`` earlier.
    lookback_days : int, keyword-only
        730 (two years) in the SPM; 365 gives a one-year follow-up for monthly management.
    transfer_days : int, keyword-only
        Entries into TH/PH within this many days of the exit are transfers (14 in the SPM).
    exit_project_types : tuple of str, keyword-only
        Project types whose permanent exits form the universe.
    as_of : date, optional, keyword-only
        The export date (default: the latest date in the table). A ``report_end`` more than a
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
    >>> ep = return_episodes(raw, report_start="2024-01-01", report_end="2024-12-31",
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
    start = to_timestamp(report_start, argument="report_start")
    end = to_timestamp(report_end, argument="report_end")
    if end < start:
        raise CityKitError(
            f"report_end ({end.date()}) is before report_start ({start.date()}); swap them."
        )
    prepared = _prepared(data)
    clean = _clean_rows(prepared)
    data_end = (
        to_timestamp(as_of, argument="as_of")
        if as_of is not None
        else max(prepared.loc[clean, "entry_date"].max(), prepared.loc[clean, "exit_date"].max())
    )
    if pd.notna(data_end) and end > data_end + pd.Timedelta(days=31):
        raise CityKitError(
            f"report_end ({end.date()}) is more than a month after the end of the data "
            f"({data_end.date()}): returns after the data ends cannot be seen, so they would be "
            f"undercounted. Use a report_end the data covers, or pass as_of= the export date."
        )
    lag = pd.Timedelta(days=int(lookback_days))
    exits = prepared.loc[
        clean
        & prepared["permanent_exit"].fillna(False).to_numpy(dtype=bool)
        & prepared["project_type"].isin(list(exit_project_types)).to_numpy()
        & (prepared["exit_date"] >= start - lag).to_numpy()
        & (prepared["exit_date"] <= end - lag).to_numpy(),
        ["client_id", "enrollment_id", "provider_id", "project_type", "exit_date"],
    ]
    index = _earliest_exits(exits)
    # Returns enter between the first index exit and lookback_days after the last one.
    later = prepared.loc[
        clean
        & prepared["project_type"].isin(list(RETURN_PROJECT_TYPES)).to_numpy()
        & (prepared["entry_date"] >= start - lag).to_numpy()
        & (prepared["entry_date"] < end + pd.Timedelta(days=1)).to_numpy(),
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


def _first_returns(
    index: pd.DataFrame, later: pd.DataFrame, *, lookback_days: int, transfer_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Find each index exit's first return among the enrollments ``later``.

    Returns, for each row of ``index``, the row of ``later`` holding the return (-1: none) and
    the days from the exit to it (0 when none). Same-day returns go to the smallest enrollment id.
    """
    owner = pd.Index(index["client_id"]).get_indexer(later["client_id"])
    rows = np.flatnonzero(owner >= 0)
    owner = owner[rows]
    exit_dates = index["exit_date"].array.take(owner)
    days = np.asarray((later["entry_date"].array.take(rows) - exit_dates).days, dtype="int64")
    ids = later["enrollment_id"].to_numpy(dtype=object)[rows]
    exit_ids = index["enrollment_id"].to_numpy(dtype=object)[owner]
    same = (ids == exit_ids) & pd.notna(ids)
    transfer = later["project_type"].isin(list(_TRANSFER_TYPES)).to_numpy()[rows]
    ok = ~same & (days >= 0) & (days <= lookback_days) & (~transfer | (days > transfer_days))
    found = pd.DataFrame({"owner": owner[ok], "days": days[ok], "id": ids[ok], "row": rows[ok]})
    found = found.sort_values(["owner", "days", "id"], kind="mergesort").drop_duplicates("owner")
    row = np.full(len(index), -1, dtype="int64")
    row[found["owner"].to_numpy()] = found["row"].to_numpy()
    out_days = np.zeros(len(index), dtype="int64")
    out_days[found["owner"].to_numpy()] = found["days"].to_numpy()
    return row, out_days


def returns_to_homelessness(
    data: pd.DataFrame,
    *,
    report_start: object,
    report_end: object,
    by: str | list[str] | None = "provider_id",
    period: str | None = None,
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
    report_start, report_end : date, keyword-only
        Reporting window (index exits come from ``lookback_days`` earlier).
    by : str or list of str or None, keyword-only
        Grouping columns taken from the exit (e.g. ``"provider_id"``, ``"project_type"``).
    period : {"month", "quarter", "year"} or None, keyword-only
        Add the period of the index exit to the grouping.
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
    >>> out = returns_to_homelessness(raw, report_start="2024-01-01", report_end="2024-12-31",
    ...                               as_of="2024-12-31")
    >>> out[["provider_id", "permanent_exits", "returns_6m", "rate_6m", "returns_24m"]]
      provider_id  permanent_exits  returns_6m   rate_6m  returns_24m
    0          P1                3           1  0.333333            1
    """
    horizons = dict(horizons or {"6m": 180, "12m": 365, "24m": 730})
    prepared = _prepared(data)
    episodes = return_episodes(
        prepared,
        report_start=report_start,
        report_end=report_end,
        lookback_days=lookback_days,
        transfer_days=transfer_days,
        as_of=as_of,
    )
    keys = as_list(by)
    require_columns(episodes, keys, argument="enrollments")
    # exits that could have been index exits but have a data-quality issue: counted per group
    lag = pd.Timedelta(days=int(lookback_days))
    start = to_timestamp(report_start, argument="report_start")
    end = to_timestamp(report_end, argument="report_end")
    set_aside = prepared.loc[
        ~_clean_rows(prepared)
        & prepared["exited"].to_numpy(dtype=bool)
        & _of_types(prepared, INDEX_EXIT_PROJECT_TYPES)
        & (prepared["exit_date"] >= start - lag).to_numpy(dtype=bool)
        & (prepared["exit_date"] <= end - lag).to_numpy(dtype=bool),
        list(dict.fromkeys([*keys, "exit_date"])),
    ]
    if period is not None:
        episodes = episodes.assign(period=_period_column(episodes["exit_date"], period))
        set_aside = set_aside.assign(period=_period_column(set_aside["exit_date"], period))
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


def prevention_outcomes(
    data: pd.DataFrame,
    *,
    months: int = 12,
    as_of: object = None,
    by: str | list[str] | None = "provider_id",
    period: str | None = None,
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
    period : {"month", "quarter", "year"} or None, keyword-only
        Add the period of the prevention exit to the grouping.

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
    if period is not None:
        prev = prev.assign(period=_period_column(prev["exit_date"], period))
        set_aside = set_aside.assign(period=_period_column(set_aside["exit_date"], period))
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


def length_of_stay(
    data: pd.DataFrame,
    *,
    by: str | list[str] | None = "provider_id",
    period: str | None = None,
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
    period : {"month", "quarter", "year"} or None, keyword-only
        Add a period of the exit date to the grouping.
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
    if period is not None:
        frame = frame.assign(period=_period_column(frame["exit_date"], period))
        set_aside = set_aside.assign(period=_period_column(set_aside["exit_date"], period))
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


def _with_excluded(
    out: pd.DataFrame,
    set_aside: pd.DataFrame,
    keys: list[str],
    counts: tuple[str, ...] = ("exits",),
) -> pd.DataFrame:
    """``out`` with an ``excluded`` count per group (groups with only excluded exits added).

    In an added group the ``counts`` columns are 0 (and rates, which divide by 0, missing).
    """
    if not keys:
        return out.assign(excluded=len(set_aside))
    if set_aside.empty:
        return out.assign(excluded=0)
    sizes = set_aside.groupby(keys, sort=True, observed=True).size().rename("excluded")
    merged = out.merge(sizes.reset_index(), on=keys, how="outer", sort=True)
    for column in (*counts, "excluded"):
        merged[column] = merged[column].fillna(0).astype("int64")
    return merged.reset_index(drop=True)


def client_exits(
    data: pd.DataFrame,
    *,
    clients: pd.DataFrame | None = None,
    start: object = None,
    end: object = None,
    project_types: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """One row per clean exit, with a 0/1 ``exit_ph`` column and the client's risk factors.

    This is the table risk adjustment and pay-for-performance work on: each exit is a "client"
    whose outcome (exit to permanent housing or not) is known. Flagged rows are left out.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table (raw or prepared).
    clients : pandas.DataFrame, optional, keyword-only
        One row per ``client_id`` with risk factors; joined on ``client_id``. When it has
        ``monthly_income_usd``, a boolean ``has_income`` is added.
    start, end : date, optional, keyword-only
        Window of exit dates.
    project_types : tuple of str or None, keyword-only
        Keep only these project types (None: all).

    Returns
    -------
    pandas.DataFrame
        The prepared enrollment columns of each exit, ``exit_ph`` (0/1),
        ``excluded_exits`` (the same number on every row: how many exits in the same window
        and project types are left out of the table for a data-quality issue;
        :func:`data_quality_flags` counts them per provider) and the client columns. ``has_income`` is missing where
        the income is.

    Raises
    ------
    CityKitError
        If ``clients`` has several rows for one ``client_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2"], "client_id": ["a", "b"], "provider_id": ["P1", "P1"],
    ...     "project_type": ["ES", "ES"], "entry_date": ["2024-01-01", "2024-02-01"],
    ...     "exit_date": ["2024-01-11", "2024-03-01"], "destination": [410, 101]})
    >>> people = pd.DataFrame({"client_id": ["a", "b"], "veteran": [True, False]})
    >>> client_exits(raw, clients=people)[["client_id", "exit_ph", "veteran"]]
      client_id  exit_ph  veteran
    0         a        1     True
    1         b        0    False
    """
    prepared = _prepared(data)
    frame = prepared[prepared["exited"] & (prepared["dq_issue"] == "")]
    if project_types is not None:
        frame = frame[frame["project_type"].isin(list(project_types))]
    frame = _window(frame, "exit_date", start, end)
    frame = frame.assign(exit_ph=frame["permanent_exit"].fillna(False).astype(int))
    # exits left out for a data-quality issue: counted on every row, so that none is invisible
    # (a provider whose exits are all flagged has no row to carry them)
    set_aside = (
        ~_clean_rows(prepared)
        & prepared["exited"].to_numpy(dtype=bool)
        & _of_types(prepared, project_types)
        & _window_mask(prepared["exit_date"], start, end)
    )
    frame = frame.assign(excluded_exits=int(set_aside.sum()))
    if clients is not None:
        require_columns(clients, ["client_id"], argument="clients")
        if clients["client_id"].duplicated().any():
            raise CityKitError(
                "clients has several rows for the same client_id; keep one row per person "
                "(e.g. clients.drop_duplicates('client_id'))."
            )
        clash = [c for c in clients.columns if c in frame.columns and c != "client_id"]
        extra = clients.drop(columns=clash)
        if "monthly_income_usd" in extra and "has_income" not in extra:
            income = extra["monthly_income_usd"]
            numbers = pd.to_numeric(
                income.astype(object).where(income.notna(), None), errors="coerce"
            )
            unread = income.notna() & numbers.isna()
            if unread.any():
                raise CityKitError(
                    f"clients column 'monthly_income_usd' must hold amounts, but "
                    f"{int(unread.sum()):,} value(s) are not numbers (e.g. "
                    f"{income[unread].iloc[0]!r}). Convert it first, e.g. "
                    "pd.to_numeric(clients['monthly_income_usd'], errors='coerce')."
                )
            if np.isinf(numbers.to_numpy(dtype=float)).any():
                raise CityKitError(
                    "clients column 'monthly_income_usd' holds infinite values; fix them first."
                )
            has_income = numbers > 0
            if numbers.isna().any():  # an unknown income is neither income nor no income
                has_income = has_income.astype("boolean").mask(numbers.isna())
            extra = extra.assign(monthly_income_usd=numbers, has_income=has_income)
        known = frame["client_id"].isin(extra["client_id"]).to_numpy(dtype=bool)
        if len(frame) and not known.any():
            raise CityKitError(
                f"none of the {len(frame):,} exits' client_id values is in clients (e.g. "
                f"{frame['client_id'].iloc[0]!r} in the enrollments, "
                f"{extra['client_id'].iloc[0] if len(extra) else None!r} in clients), so every "
                "client attribute would be missing. Check that both tables come from the same "
                "export and write ids the same way (prefixes, leading zeros, text or numbers)."
            )
        frame = frame.merge(extra, on="client_id", how="left", validate="many_to_one")
        if not known.all():
            shown = ", ".join(map(repr, frame.loc[~known, "client_id"].unique()[:3]))
            frame.attrs["notes"] = [
                f"{int((~known).sum()):,} of {len(frame):,} exits have a client_id that is not "
                f"in clients (e.g. {shown}); their client attributes are missing."
            ]
    return frame.reset_index(drop=True)


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
        report_start=start,
        report_end=end,
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

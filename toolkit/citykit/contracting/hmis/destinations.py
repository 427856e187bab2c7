"""HMIS destination and project-type code lists, and the class of each destination code.

FY2024 HMIS data standards number destinations by class: 1xx homeless, 2xx institutional, 3xx
temporary, **4xx permanent**, 1-99 other (don't know, no exit interview ...). Exports made under
the older standards (FY2022 and before) use two-digit codes; :data:`LEGACY_TO_FY2024` maps them
onto FY2024 codes (rentals with a subsidy all become 435 "rental by client, with ongoing housing
subsidy", the subsidy type moving to a separate field).

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

from citykit.errors import require_keyword_choice

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
]

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

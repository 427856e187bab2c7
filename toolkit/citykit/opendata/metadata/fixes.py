"""Mechanical fixes of a catalog table: the changes that need no judgement, each one listed.

The rules of a value's fix (an ISO 8601 date for ``05/01/2024``, ``R/P1D`` for ``"daily"``, a
media type for a well-known format) live here; validation uses them to suggest the fix in its
report.

Examples
--------
>>> PERIODICITY_WORDS["monthly"]
'R/P1M'
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import ColumnTypeError, require_columns
from citykit.opendata.metadata.records import TABLE_COLUMNS, _is_blank, _require_rows

__all__ = ["PERIODICITY_WORDS", "fix_metadata_table", "MetadataFixes"]

#: Words people write for a frequency, and the ISO 8601 value DCAT-US expects.
PERIODICITY_WORDS = {
    "hourly": "R/PT1H",
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "biweekly": "R/P2W",
    "semimonthly": "R/P0.5M",
    "monthly": "R/P1M",
    "bimonthly": "R/P2M",
    "quarterly": "R/P3M",
    "semiannually": "R/P6M",
    "semiannual": "R/P6M",
    "annually": "R/P1Y",
    "annual": "R/P1Y",
    "yearly": "R/P1Y",
    "biennially": "R/P2Y",
    "decennially": "R/P10Y",
    "continuously": "R/PT1S",
    "continuous": "R/PT1S",
    "as needed": "irregular",
    "as-needed": "irregular",
    "irregularly": "irregular",
    "irregular": "irregular",
}
_MEDIA_BY_FORMAT = {
    "csv": "text/csv",
    "json": "application/json",
    "geojson": "application/geo+json",
    "xml": "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "shapefile": "application/zip",
    "kml": "application/vnd.google-earth.kml+xml",
    "html": "text/html",
    "txt": "text/plain",
}


def _iso_suggestion(value: str) -> str | None:
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
        try:
            return pd.Timestamp(pd.to_datetime(text, format="%m/%d/%Y")).strftime("%Y-%m-%d")
        except (ValueError, TypeError):
            return None
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y/%m/%d", "%B %Y"):
        try:
            stamp = pd.to_datetime(text, format=fmt)
        except (ValueError, TypeError):
            continue
        return stamp.strftime("%Y-%m" if fmt == "%B %Y" else "%Y-%m-%d")
    return None


@dataclass(frozen=True)
class MetadataFixes:
    """A catalog table with the mechanical fixes applied, and the list of what changed.

    Attributes
    ----------
    table : DataFrame
        The fixed copy of the table (the input is not changed).
    changes : DataFrame
        One row per changed cell: ``row`` (index label), ``identifier``, ``column``, ``old``,
        ``new`` and ``reason``.
    """

    table: pd.DataFrame = dataclass_field(repr=False)
    changes: pd.DataFrame = dataclass_field(repr=False)

    def __repr__(self) -> str:
        if self.changes.empty:
            return "MetadataFixes(nothing to fix mechanically)"
        counts = self.changes.groupby("column").size()
        parts = ", ".join(f"{column}: {n}" for column, n in counts.items())
        return f"MetadataFixes({len(self.changes)} cells fixed; {parts})"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>{self.changes.to_html(index=False)}"


@renamed_options(table="data")
def fix_metadata_table(
    data: pd.DataFrame, *, columns: dict[str, str] | None = None
) -> MetadataFixes:
    """Apply the fixes that need no judgement to a flattened catalog table.

    * dates typed as ``05/01/2024`` (month/day/year) or ``May 1, 2024`` in ``modified`` and
      ``issued`` become ISO 8601 (``2024-05-01``);
    * frequency words in ``accrual_periodicity`` (``daily``, ``Monthly`` ...) become ISO 8601
      repeating durations (``R/P1D``, ``R/P1M`` ...), see :data:`PERIODICITY_WORDS`;
    * ``access_level`` in the wrong case (``Public``) becomes lower case;
    * a missing ``media_type`` next to a download URL is filled from a well-known ``format``
      (CSV -> text/csv, GeoJSON -> application/geo+json ...).

    Everything that needs a person (a missing contact e-mail, description or keyword, an access
    level such as ``"open"``) is left for :func:`validate_records` to report.

    Parameters
    ----------
    data : DataFrame
        One row per dataset (a flattened catalog table), columns as in :data:`TABLE_COLUMNS`.
    columns : dict, optional
        ``{dcat_us_field: column}`` overrides, as in :func:`records_from_table`.

    Returns
    -------
    MetadataFixes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"identifier": ["a"], "title": ["Permits"], "modified": ["05/01/2024"],
    ...                   "accrual_periodicity": ["Daily"]})
    >>> fixes = fix_metadata_table(t)
    >>> fixes.table[["modified", "accrual_periodicity"]].values.tolist()
    [['2024-05-01', 'R/P1D']]
    >>> fixes.changes["reason"].tolist()
    ['ISO 8601 date', 'ISO 8601 repeating duration']
    """
    mapping = dict(TABLE_COLUMNS)
    if columns is not None:
        if not isinstance(columns, dict):
            raise ColumnTypeError("columns must be a dict like {'title': 'Dataset name'}.")
        mapping.update(columns)
    require_columns(data, [mapping["identifier"]], argument="data")
    _require_rows(data, argument="data")
    fixed = data.copy()
    for column in fixed.columns:  # categorical (and Arrow) text columns take new values too
        if isinstance(fixed[column].dtype, (pd.CategoricalDtype, pd.ArrowDtype)):
            fixed[column] = fixed[column].astype(object).where(fixed[column].notna(), None)
    changes = []

    def record(label, column, old, new, reason):
        changes.append(
            {
                "row": label,
                "identifier": str(data.loc[label, mapping["identifier"]]),
                "column": column,
                "old": str(old),
                "new": str(new),
                "reason": reason,
            }
        )

    for field_name in ("modified", "issued"):
        column = mapping[field_name]
        if column not in fixed.columns:
            continue
        for label, value in fixed[column].items():
            if isinstance(value, str) and not _is_blank(value):
                iso = _iso_suggestion(value)
                if iso:
                    fixed.loc[label, column] = iso
                    record(label, column, value, iso, "ISO 8601 date")
    column = mapping["accrualPeriodicity"]
    if column in fixed.columns:
        for label, value in fixed[column].items():
            word = value.strip().lower() if isinstance(value, str) else None
            if word in PERIODICITY_WORDS and value != PERIODICITY_WORDS[word]:
                fixed.loc[label, column] = PERIODICITY_WORDS[word]
                record(label, column, value, PERIODICITY_WORDS[word], "ISO 8601 repeating duration")
    column = mapping["accessLevel"]
    if column in fixed.columns:
        for label, value in fixed[column].items():
            if isinstance(value, str) and value != value.strip().lower():
                if value.strip().lower() in ("public", "restricted public", "non-public"):
                    fixed.loc[label, column] = value.strip().lower()
                    record(
                        label, column, value, value.strip().lower(), "access levels are lower case"
                    )
    media, fmt, url = mapping["mediaType"], mapping["format"], mapping["downloadURL"]
    if {fmt, url} <= set(fixed.columns):
        if media not in fixed.columns:
            fixed[media] = ""
        for label in fixed.index:
            if _is_blank(fixed.loc[label, url]) or not _is_blank(fixed.loc[label, media]):
                continue
            known = _MEDIA_BY_FORMAT.get(str(fixed.loc[label, fmt]).strip().lower())
            if known:
                fixed.loc[label, media] = known
                record(label, media, "", known, f"media type of {fixed.loc[label, fmt]}")
    frame = pd.DataFrame(changes, columns=["row", "identifier", "column", "old", "new", "reason"])
    return MetadataFixes(table=fixed, changes=frame)

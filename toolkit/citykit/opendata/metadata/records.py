"""DCAT-US 1.1 records and data.json catalogs, built from plain values or a catalog table.

Values are carried over as they are, so that :mod:`~citykit.opendata.metadata.validation` shows
what needs fixing; only the encoding DCAT-US asks for is applied.

Examples
--------
>>> build_catalog([dataset_record(title="Permits", description="All permits.",
...     keyword="permits", modified="2024-05-01", publisher="City", contact_name="Team",
...     contact_email="team@city.example.gov", identifier="permits")])["dataset"][0]["keyword"]
['permits']
"""

from __future__ import annotations

import copy
import math

import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import (
    ColumnTypeError,
    EmptyDataError,
    require_columns,
    require_keyword_choice,
)
from citykit.opendata.metadata.schemas import CONFORMS_TO

__all__ = ["TABLE_COLUMNS", "dataset_record", "records_from_table", "build_catalog", "as_records"]

#: Default column of a flattened catalog table for each DCAT-US field (see
#: :func:`records_from_table`). Lists (keyword, theme, language, references) are written in one
#: cell separated by semicolons; ``contact_email`` is a plain address (``mailto:`` is added).
TABLE_COLUMNS: dict[str, str] = {
    "identifier": "identifier",
    "title": "title",
    "description": "description",
    "keyword": "keyword",
    "theme": "theme",
    "modified": "modified",
    "issued": "issued",
    "publisher": "publisher",
    "contact_name": "contact_name",
    "contact_email": "contact_email",
    "accessLevel": "access_level",
    "rights": "rights",
    "license": "license",
    "spatial": "spatial",
    "temporal": "temporal",
    "accrualPeriodicity": "accrual_periodicity",
    "landingPage": "landing_page",
    "downloadURL": "download_url",
    "accessURL": "access_url",
    "mediaType": "media_type",
    "format": "format",
    "describedBy": "described_by",
    "language": "language",
    "references": "references",
    "bureauCode": "bureau_code",
    "programCode": "program_code",
}
_LIST_FIELDS = {"keyword", "theme", "language", "references", "bureauCode", "programCode"}
_DIST_FIELDS = ("downloadURL", "accessURL", "mediaType", "format")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() == ""


def _split_list(value: object) -> list[str]:
    if _is_blank(value):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if not _is_blank(v)]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _mailto(email: str) -> str:
    email = str(email).strip()
    return email if email.lower().startswith("mailto:") else f"mailto:{email}"


def dataset_record(
    *,
    title: str,
    description: str,
    keyword: list[str] | str,
    modified: str,
    publisher: str,
    contact_name: str,
    contact_email: str,
    identifier: str,
    access_level: str = "public",
    **optional: object,
) -> dict:
    """Build one DCAT-US 1.1 dataset record from plain values.

    Parameters
    ----------
    title, description, modified, identifier : str
        Required fields (``modified`` in ISO 8601, e.g. ``"2024-05-01"`` or ``"R/P1D"``).
    keyword : list of str or str
        Keywords; a string is split at semicolons.
    publisher : str
        Name of the publishing organization.
    contact_name, contact_email : str
        Who answers questions; the e-mail gets the ``mailto:`` prefix DCAT-US needs.
    access_level : str
        ``"public"``, ``"restricted public"`` or ``"non-public"``.
    **optional
        Any other DCAT-US field by its DCAT-US name (``license``, ``temporal``,
        ``accrualPeriodicity``, ``distribution`` ...) or a distribution shortcut
        (``downloadURL``, ``accessURL``, ``mediaType``, ``format``).

    Returns
    -------
    dict
        The record, ready for :func:`build_catalog` or :func:`validate_records`.

    Examples
    --------
    >>> r = dataset_record(title="Potholes", description="Pothole repairs.", keyword="streets;311",
    ...     modified="2024-05-01", publisher="City of Riverton", contact_name="Data Team",
    ...     contact_email="data@riverton.example.gov", identifier="potholes",
    ...     downloadURL="https://data.riverton.example.gov/potholes.csv", mediaType="text/csv")
    >>> r["keyword"], r["contactPoint"]["hasEmail"], r["distribution"][0]["mediaType"]
    (['streets', '311'], 'mailto:data@riverton.example.gov', 'text/csv')
    """
    record: dict = {
        "@type": "dcat:Dataset",
        "title": title,
        "description": description,
        "keyword": _split_list(keyword),
        "modified": modified,
        "publisher": {"@type": "org:Organization", "name": publisher},
        "contactPoint": {"@type": "vcard:Contact", "fn": contact_name},
        "identifier": identifier,
        "accessLevel": access_level,
    }
    if not _is_blank(contact_email):
        record["contactPoint"]["hasEmail"] = _mailto(contact_email)
    distribution = {k: optional.pop(k) for k in _DIST_FIELDS if k in optional}
    distribution = {k: v for k, v in distribution.items() if not _is_blank(v)}
    for key, value in optional.items():
        if _is_blank(value):
            continue
        record[key] = _split_list(value) if key in _LIST_FIELDS else value
    if distribution:
        record.setdefault("distribution", []).append({"@type": "dcat:Distribution", **distribution})
    return record


@renamed_options(table="data")
def records_from_table(data: pd.DataFrame, *, columns: dict[str, str] | None = None) -> list[dict]:
    """Turn a flattened catalog table (one row per dataset) into DCAT-US 1.1 records.

    Values are carried over as they are (a ``"daily"`` stays ``"daily"``) so that validation
    shows what needs fixing; only the encoding DCAT-US asks for is applied: semicolon-separated
    cells become lists, an e-mail gets ``mailto:``, the publisher and contact become objects and
    download/access URL, media type and format become one distribution. Empty cells are left out.

    Parameters
    ----------
    data : DataFrame
        A flattened catalog table, one row per dataset. It must have ``title`` and
        ``identifier`` columns (or the columns ``columns`` names for them); any other DCAT-US
        column it lacks is treated as empty.
    columns : dict, optional
        ``{dcat_us_field: column}`` overrides of :data:`TABLE_COLUMNS`, e.g.
        ``{"title": "Dataset name"}``.

    Returns
    -------
    list of dict
        One record per row, in the table's order.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"identifier": ["a"], "title": ["Permits"], "description": ["All."],
    ...     "keyword": ["permits; housing"], "modified": ["daily"], "publisher": ["City"],
    ...     "contact_name": ["Team"], "contact_email": [""], "access_level": ["public"]})
    >>> record = records_from_table(rows)[0]
    >>> record["keyword"], record["modified"], "hasEmail" in record["contactPoint"]
    (['permits', 'housing'], 'daily', False)
    """
    mapping = dict(TABLE_COLUMNS)
    if columns is not None:
        if not isinstance(columns, dict):
            raise ColumnTypeError(
                f"columns must be a dict like {{'title': 'Dataset name'}}, "
                f"but a {type(columns).__name__} was given."
            )
        unknown = [k for k in columns if k not in mapping]
        if unknown:
            require_keyword_choice(unknown[0], list(mapping), argument="columns key")
        mapping.update(columns)
    require_columns(data, [mapping["identifier"], mapping["title"]], argument="data")
    _require_rows(data, argument="data")
    present = {field: col for field, col in mapping.items() if col in data.columns}
    records = []
    for row in data[list(dict.fromkeys(present.values()))].to_dict("records"):
        cell = {field: row[col] for field, col in present.items()}
        record: dict = {"@type": "dcat:Dataset"}
        for field in ("title", "description", "identifier"):
            if not _is_blank(cell.get(field)):
                record[field] = str(cell[field])
        for field in ("keyword", "theme", "language", "references", "bureauCode", "programCode"):
            if not _is_blank(cell.get(field)):
                record[field] = _split_list(cell[field])
        for field in ("modified", "issued", "accessLevel", "rights", "license", "spatial"):
            if not _is_blank(cell.get(field)):
                record[field] = str(cell[field]).strip()
        for field in ("temporal", "accrualPeriodicity", "landingPage", "describedBy"):
            if not _is_blank(cell.get(field)):
                record[field] = str(cell[field]).strip()
        if not _is_blank(cell.get("publisher")):
            record["publisher"] = {"@type": "org:Organization", "name": str(cell["publisher"])}
        if not _is_blank(cell.get("contact_name")) or not _is_blank(cell.get("contact_email")):
            contact: dict = {"@type": "vcard:Contact"}
            if not _is_blank(cell.get("contact_name")):
                contact["fn"] = str(cell["contact_name"])
            if not _is_blank(cell.get("contact_email")):
                contact["hasEmail"] = _mailto(cell["contact_email"])
            record["contactPoint"] = contact
        dist = {f: str(cell[f]).strip() for f in _DIST_FIELDS if not _is_blank(cell.get(f))}
        if dist.get("downloadURL") or dist.get("accessURL"):
            record["distribution"] = [{"@type": "dcat:Distribution", **dist}]
        records.append(record)
    return records


def _require_rows(table: pd.DataFrame, *, argument: str = "table") -> None:
    """Raise EmptyDataError when a catalog table has no rows."""
    if len(table) == 0:
        raise EmptyDataError(
            f"{argument} has no rows: a catalog needs at least one dataset. Check the filter "
            "that produced it."
        )


def build_catalog(records: pd.DataFrame | list[dict], *, catalog_id: str | None = None) -> dict:
    """Wrap dataset records in a DCAT-US 1.1 ``data.json`` catalog.

    Parameters
    ----------
    records : DataFrame or list of dict
        A flattened catalog table (converted with :func:`records_from_table`) or records.
    catalog_id : str, optional
        URL where the data.json will live (its ``@id``).

    Returns
    -------
    dict
        ``{"@context", "@type", "conformsTo", "describedBy", "dataset"}``; write it with
        ``json.dump(catalog, file, indent=2)``.

    Examples
    --------
    >>> catalog = build_catalog([{"title": "x"}])
    >>> catalog["conformsTo"], len(catalog["dataset"])
    ('https://project-open-data.cio.gov/v1.1/schema', 1)
    """
    records = as_records(records)
    catalog: dict = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
    }
    if catalog_id:
        catalog["@id"] = catalog_id
    catalog["dataset"] = copy.deepcopy(records)
    return catalog


def as_records(records: object, *, argument: str = "records") -> list:
    """Return a list of records from a table, a list of records, or a data.json catalog.

    Examples
    --------
    >>> as_records({"conformsTo": "x", "dataset": [{"title": "a"}]})
    [{'title': 'a'}]
    >>> as_records("data.json")
    Traceback (most recent call last):
    ...
    citykit.errors.ColumnTypeError: records must be a list of dataset records, ...json.load(...).
    """
    if isinstance(records, pd.DataFrame):
        return records_from_table(records)
    if isinstance(records, dict):
        if "dataset" in records:
            records = records["dataset"]
        else:
            records = [records]
    if not isinstance(records, (list, tuple)):
        hint = ""
        if isinstance(records, str) and records.strip().lower().endswith(".csv"):
            hint = f" Load the table first: pd.read_csv({records!r})."
        elif isinstance(records, str):
            hint = " Load the file first: json.load(open('data.json'))."
        elif isinstance(records, pd.Series):
            hint = " You passed a Series (one column or one row); pass the whole table."
        raise ColumnTypeError(
            f"{argument} must be a list of dataset records, a data.json catalog (dict with "
            f"'dataset') or a catalog table, but a {type(records).__name__} was given.{hint}"
        )
    if len(records) == 0:
        raise EmptyDataError(f"{argument} is empty: there are no dataset records to check.")
    return list(records)

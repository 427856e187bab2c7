"""DCAT-US 1.1 (Project Open Data) metadata: build records and data.json catalogs, and check them.

A city's open-data catalog is published as a ``data.json`` file that follows the DCAT-US 1.1
schema (Project Open Data Metadata Schema v1.1). This module

* turns a spreadsheet-like table of datasets into DCAT-US records (:func:`records_from_table`)
  and a ``data.json`` catalog (:func:`build_catalog`), or builds one record
  (:func:`dataset_record`);
* checks records against the schema with ``jsonschema`` (:func:`validate_records`,
  :func:`validate_catalog`, :func:`record_validity`) and reports every problem as a row of a
  table: which record, which field, what is wrong, and how to fix it.

Profiles
--------
``"complete"`` (default)
    A record a city can be proud of: every field the DCAT-US 1.1 guide marks "Always" required,
    except the two that only apply to US federal agencies (``bureauCode``, ``programCode``). It is
    GSA's non-federal schema plus ``keyword``, ``modified`` and a contact e-mail
    (``contactPoint.hasEmail``), the fields a user looks for first. This is a local profile, not
    an official schema.
``"non-federal"``
    GSA's official non-federal schema, exactly (GSA/project-open-data-dashboard,
    ``schema/non-federal-v1.1/dataset-non-federal.json`` with its ``vcard-non-federal.json``):
    it requires only ``title``, ``description``, ``publisher``, ``contactPoint`` (a name),
    ``identifier`` and ``accessLevel``. Use it to check what data.gov's harvest of a non-federal
    catalog accepts.
``"federal"``
    The official v1.1 dataset schema unchanged (federal agencies).

The schemas ship with the package (``citykit/resources/dcat-us-1.1-*.json``, JSON Schema
draft-04; the non-federal ones are GSA's files byte for byte). See docs/methods.md, "Open data
metadata". Besides patterns, types, enumerations and required fields, the URL fields
(``"format": "uri"``) are checked to be complete URLs (``check_urls=True``, the default; JSON
Schema validators skip formats unless asked, so ``check_urls=False`` matches one that does not).
Nothing is fetched from the network.

Examples
--------
>>> record = dataset_record(
...     title="311 Service Requests", description="Every 311 request since 2015.",
...     keyword=["311"], modified="2024-05-01", publisher="City of Riverton",
...     contact_name="Open Data Team", contact_email="opendata@riverton.example.gov",
...     identifier="riverton-311")
>>> validate_records([record]).empty
True
>>> broken = dict(record, modified="05/01/2024")
>>> problems = validate_records([broken])
>>> problems[["field", "rule", "value"]].to_dict("records")
[{'field': 'modified', 'rule': 'anyOf', 'value': '05/01/2024'}]
>>> problems.loc[0, "fix"]
"write it as '2024-05-01' (ISO 8601: year-month-day)"
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from importlib import resources

import pandas as pd

from citykit.errors import (
    ColumnTypeError,
    EmptyDataError,
    require_columns,
    require_keyword_choice,
)

__all__ = [
    "PROFILES",
    "CONFORMS_TO",
    "PERIODICITY_WORDS",
    "TABLE_COLUMNS",
    "load_schema",
    "dataset_record",
    "records_from_table",
    "build_catalog",
    "validate_records",
    "validate_catalog",
    "record_validity",
    "as_records",
    "fix_metadata_table",
    "MetadataFixes",
]

#: The validation profiles, from the city's own "complete" to GSA's non-federal and federal schemas.
PROFILES = ("complete", "non-federal", "federal")
#: The value of ``conformsTo`` in a DCAT-US 1.1 catalog.
CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
_BASE = "https://project-open-data.cio.gov/v1.1/schema/"
_SCHEMA_FILES = {
    "catalog": "dcat-us-1.1-catalog.json",
    "dataset": "dcat-us-1.1-dataset.json",
    "dataset-non-federal": "dcat-us-1.1-dataset-non-federal.json",
    "distribution": "dcat-us-1.1-distribution.json",
    "organization": "dcat-us-1.1-organization.json",
    "vcard": "dcat-us-1.1-vcard.json",
    "vcard-non-federal": "dcat-us-1.1-vcard-non-federal.json",
}
#: The profile's schema name in :func:`load_schema`.
_PROFILE_SCHEMAS = {
    "complete": "dataset-complete",
    "non-federal": "dataset-non-federal",
    "federal": "dataset",
}

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


# --- schemas -----------------------------------------------------------------------------------
def load_schema(name: str = "dataset-complete") -> dict:
    """Return one of the packaged DCAT-US 1.1 JSON Schemas as a dict (a fresh copy).

    Parameters
    ----------
    name : str
        ``"dataset-complete"`` (the city's complete profile), ``"dataset-non-federal"`` (GSA's
        non-federal schema), ``"dataset"`` (the official federal schema), ``"catalog"``,
        ``"distribution"``, ``"organization"``, ``"vcard"`` or ``"vcard-non-federal"``.

    Returns
    -------
    dict
        The JSON Schema (draft-04).

    Examples
    --------
    >>> "bureauCode" in load_schema("dataset")["required"]
    True
    >>> load_schema("dataset-non-federal")["required"]
    ['title', 'description', 'publisher', 'contactPoint', 'identifier', 'accessLevel']
    >>> sorted(set(load_schema("dataset-complete")["required"])
    ...        - set(load_schema("dataset-non-federal")["required"]))
    ['keyword', 'modified']
    """
    require_keyword_choice(name, [*_SCHEMA_FILES, "dataset-complete"], argument="name")
    return copy.deepcopy(_schemas()[name])


def _complete_schema(non_federal: dict) -> dict:
    """GSA's non-federal schema plus keyword, modified and a contact e-mail (the local profile)."""
    schema = copy.deepcopy(non_federal)
    schema["id"] = "urn:citykit:dcat-us-1.1:dataset-complete"
    schema["title"] = "DCAT-US 1.1 dataset, complete (a local profile for cities)"
    schema["description"] = (
        "GSA's non-federal dataset schema plus the fields the DCAT-US 1.1 guide marks 'Always' "
        "required for everyone: keyword, modified and the contact's e-mail (hasEmail)."
    )
    schema["required"] = [
        "title",
        "description",
        "keyword",
        "modified",
        "publisher",
        "contactPoint",
        "identifier",
        "accessLevel",
    ]

    def absolute(node):
        if isinstance(node, dict):
            return {
                key: (_BASE + value if key == "$ref" and "://" not in value else absolute(value))
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [absolute(value) for value in node]
        return node

    schema = absolute(schema)
    schema["properties"]["contactPoint"] = {"$ref": _BASE + "vcard.json"}
    return schema


@cache
def _schemas() -> dict[str, dict]:
    folder = resources.files("citykit") / "resources"
    schemas = {
        name: json.loads((folder / file).read_text(encoding="utf-8"))
        for name, file in _SCHEMA_FILES.items()
    }
    schemas["dataset-complete"] = _complete_schema(schemas["dataset-non-federal"])
    return schemas


@cache
def _validator(name: str, check_urls: bool = True):
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = _schemas()
    parts = ("distribution", "organization", "vcard", "vcard-non-federal", "dataset", "catalog")
    registry = Registry().with_resources(
        (
            _BASE + f"{part}.json",
            Resource.from_contents(schemas[part], default_specification=DRAFT4),
        )
        for part in parts
    )
    checker = FormatChecker(formats=["uri"]) if check_urls else None
    return Draft4Validator(schemas[name], registry=registry, format_checker=checker)


def _check_flag(value: object, argument: str) -> None:
    if not isinstance(value, bool):
        raise ColumnTypeError(f"{argument} must be True or False, but {value!r} was given.")


def _profile_schema(profile: str) -> str:
    require_keyword_choice(profile, PROFILES, argument="profile")
    return _PROFILE_SCHEMAS[profile]


# --- building records --------------------------------------------------------------------------
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


def records_from_table(table: pd.DataFrame, *, columns: dict[str, str] | None = None) -> list[dict]:
    """Turn a flattened catalog table (one row per dataset) into DCAT-US 1.1 records.

    Values are carried over as they are (a ``"daily"`` stays ``"daily"``) so that validation
    shows what needs fixing; only the encoding DCAT-US asks for is applied: semicolon-separated
    cells become lists, an e-mail gets ``mailto:``, the publisher and contact become objects and
    download/access URL, media type and format become one distribution. Empty cells are left out.

    Parameters
    ----------
    table : DataFrame
        One row per dataset. It must have ``title`` and ``identifier`` columns (or the columns
        ``columns`` names for them); any other DCAT-US column it lacks is treated as empty.
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
    require_columns(table, [mapping["identifier"], mapping["title"]], argument="table")
    _require_rows(table)
    present = {field: col for field, col in mapping.items() if col in table.columns}
    records = []
    for row in table[list(dict.fromkeys(present.values()))].to_dict("records"):
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


# --- validation --------------------------------------------------------------------------------
_PROBLEM_COLUMNS = ["record", "identifier", "title", "field", "rule", "value", "problem", "fix"]
_REQUIRED_FIX = {
    "title": "add a plain-English title",
    "description": "add a description that says what the data is and where it comes from",
    "keyword": "add at least one keyword, e.g. ['permits', 'housing']",
    "modified": "add the date of the last change in ISO 8601, e.g. '2024-05-01' (or 'R/P1D')",
    "publisher": "add the publishing department, e.g. {'name': 'City of Riverton Public Works'}",
    "publisher.name": "add the publishing department's name",
    "contactPoint": "add a contact: {'fn': 'Data Team', 'hasEmail': 'mailto:data@city.gov'}",
    "contactPoint.fn": "add the contact's name (a person or a team)",
    "contactPoint.hasEmail": "add the contact's e-mail as 'mailto:name@city.gov'",
    "identifier": "add a unique identifier (e.g. the portal's dataset id)",
    "accessLevel": "add accessLevel: 'public', 'restricted public' or 'non-public'",
    "bureauCode": "federal agencies only: cities use profile='complete' or 'non-federal'",
    "programCode": "federal agencies only: cities use profile='complete' or 'non-federal'",
}


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


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


def _describe(field: str, rule: str, value: object, error) -> tuple[str, str]:
    """Plain-language problem and fix for one schema error."""
    leaf = field.split(".")[-1].split("[")[0]
    shown = repr(value) if not isinstance(value, (dict, list)) else ""
    if rule == "required":
        return "missing (required)", _REQUIRED_FIX.get(field, f"add {field}")
    if _is_url_error(rule, error):
        if leaf == "license":
            return (
                f"{shown} is not a URL",
                "give the licence's web address, e.g. "
                "'https://creativecommons.org/publicdomain/zero/1.0/' (CC0)",
            )
        return (
            f"{shown} is not a full URL",
            "write the complete web address, starting with https:// (no spaces)",
        )
    if leaf == "modified":
        fix = "use ISO 8601, e.g. '2024-05-01', '2024-05-01T14:30:00' or 'R/P1D'"
        if isinstance(value, str):
            iso = _iso_suggestion(value)
            if iso:
                fix = f"write it as '{iso}' (ISO 8601: year-month-day)"
            elif value.strip().lower() in PERIODICITY_WORDS:
                fix = f"write it as '{PERIODICITY_WORDS[value.strip().lower()]}' (ISO 8601)"
        return f"{shown} is not an ISO 8601 date, date-time or repeating interval", fix
    if leaf == "issued":
        fix = "use ISO 8601, e.g. '2024-05-01'"
        iso = _iso_suggestion(value) if isinstance(value, str) else None
        if iso:
            fix = f"write it as '{iso}' (ISO 8601: year-month-day)"
        return f"{shown} is not an ISO 8601 date", fix
    if leaf == "accrualPeriodicity":
        word = str(value).strip().lower()
        if word in PERIODICITY_WORDS:
            fix = f"write {value!r} as '{PERIODICITY_WORDS[word]}' (ISO 8601 repeating duration)"
        else:
            fix = (
                "use an ISO 8601 repeating duration (R/P1D daily, R/P1M monthly, "
                "R/P1Y yearly) or 'irregular'"
            )
        return f"{shown} is not an ISO 8601 repeating duration", fix
    if leaf == "temporal":
        return (
            f"{shown} is not an ISO 8601 interval",
            "write the start and end dates separated by '/', e.g. '2023-01-01/2024-12-31'",
        )
    if leaf == "accessLevel":
        from citykit.errors import did_you_mean

        hint = did_you_mean(value, ["public", "restricted public", "non-public"]).strip()
        return (
            f"{shown} is not an allowed access level",
            "use 'public', 'restricted public' or 'non-public'" + (f". {hint}" if hint else ""),
        )
    if leaf == "hasEmail":
        text = str(value)
        if "@" in text and not text.lower().startswith("mailto:"):
            return f"{shown} lacks the 'mailto:' prefix", f"write it as 'mailto:{text.strip()}'"
        return (
            f"{shown} is not an e-mail address",
            "use 'mailto:' and a full address, e.g. 'mailto:data@city.gov'",
        )
    if leaf == "mediaType" or (leaf.startswith("distribution") and rule == "anyOf"):
        return (
            "a download URL needs a media type, and it must be an IANA type",
            "add mediaType such as 'text/csv', 'application/json' or 'application/zip'",
        )
    if leaf in ("keyword", "theme") and rule == "minItems":
        return "is an empty list", f"add at least one {leaf}"
    if leaf in ("bureauCode", "programCode") and rule == "pattern":
        example = "015:11" if leaf == "bureauCode" else "015:001"
        return (
            f"{shown} is not in the federal code format",
            f"write it like '{example}' (federal only)",
        )
    if rule == "type":
        expected = error.validator_value
        if expected == "array" and isinstance(value, str):
            return "is text, but a list is expected", f"write it as a list, e.g. [{value!r}]"
        return f"has the wrong type (expected {expected})", f"give {field} as {expected}"
    if rule == "minLength":
        return "is empty", f"fill in {field} or leave it out if it is optional"
    if rule == "maxLength":
        return "is too long (at most 255 characters)", f"shorten {field}"
    if rule == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"{shown} is not an allowed value", f"use one of {allowed}"
    return error.message, f"see the DCAT-US 1.1 schema guide for {field}"


def _is_url_error(rule: str, error) -> bool:
    if rule == "format":
        return True
    if rule == "anyOf" and error is not None and error.context:
        return any(e.validator == "format" for e in error.context)
    return False


def _record_errors(record: object, validator) -> list[tuple[str, str, object, object]]:
    """Return (field, rule, value, error) for each schema error of one record."""
    out = []
    if not isinstance(record, dict):
        return [("(record)", "type", record, None)]
    for error in sorted(validator.iter_errors(record), key=lambda e: list(map(str, e.path))):
        rule = error.validator
        parts = list(error.absolute_path)
        value = error.instance
        if rule == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            missing_name = next(
                (m for m in missing if f"'{m}'" in error.message), missing[0] if missing else "?"
            )
            parts = [*parts, missing_name]
            value = None
        elif rule == "anyOf" and error.context:
            # point at the most specific failing part (e.g. distribution[0].mediaType)
            deepest = max(error.context, key=lambda e: len(e.absolute_path))
            if len(deepest.absolute_path) > len(error.absolute_path):
                parts = list(deepest.absolute_path)
                if deepest.validator == "required":
                    missing = [n for n in deepest.validator_value if n not in deepest.instance]
                    parts = [*parts, *missing[:1]]
        out.append((_path(parts), rule, value, error))
    return out


def validate_records(
    records: object, *, profile: str = "complete", check_urls: bool = True
) -> pd.DataFrame:
    """Check dataset records against DCAT-US 1.1; return one row per problem.

    Parameters
    ----------
    records : list of dict, dict or DataFrame
        Dataset records, a data.json catalog, or a flattened catalog table.
    profile : {"complete", "non-federal", "federal"}
        ``"complete"`` (default): GSA's non-federal schema plus keyword, modified and a contact
        e-mail, a local profile for complete city records; ``"non-federal"``: GSA's official
        non-federal schema exactly; ``"federal"``: the official federal schema (with
        ``bureauCode``/``programCode``). See the module's "Profiles".
    check_urls : bool
        Check that the fields the schema marks ``"format": "uri"`` (landingPage, license,
        downloadURL, accessURL ...) are complete URLs. JSON Schema validators skip formats
        unless asked; ``False`` reproduces a validator that skips them. Nothing is fetched.

    Returns
    -------
    DataFrame
        Columns ``record`` (position, from 0), ``identifier``, ``title``, ``field`` (a path
        such as ``contactPoint.hasEmail`` or ``distribution[0].mediaType``), ``rule`` (the JSON
        Schema rule that failed: required, pattern, anyOf, enum ...), ``value``, ``problem`` and
        ``fix``. Empty when every record is valid.

    Examples
    --------
    >>> problems = validate_records([{"title": "Potholes", "accessLevel": "Public"}])
    >>> problems["field"].tolist()[:3]
    ['accessLevel', 'contactPoint', 'description']
    >>> print(problems.loc[0, "fix"])
    use 'public', 'restricted public' or 'non-public'. Did you mean 'public'? ...
    """
    items = as_records(records)
    _check_flag(check_urls, "check_urls")
    validator = _validator(_profile_schema(profile), bool(check_urls))
    rows = []
    for position, record in enumerate(items):
        ident = record.get("identifier") if isinstance(record, dict) else None
        title = record.get("title") if isinstance(record, dict) else None
        for field, rule, value, error in _record_errors(record, validator):
            if error is None:
                problem, fix = (
                    f"is a {type(record).__name__}, not a record",
                    "each dataset must be a JSON object",
                )
            else:
                problem, fix = _describe(field, rule, value, error)
            shown = "" if value is None or isinstance(value, (dict, list)) else str(value)
            rows.append(
                {
                    "record": position,
                    "identifier": None if ident is None else str(ident),
                    "title": None if title is None else str(title),
                    "field": field,
                    "rule": rule,
                    "value": shown,
                    "problem": problem,
                    "fix": fix,
                }
            )
    frame = pd.DataFrame(rows, columns=_PROBLEM_COLUMNS).astype({"record": "int64"})
    return frame.sort_values(["record", "field"], kind="stable", ignore_index=True)


def record_validity(
    records: object, *, profile: str = "complete", check_urls: bool = True
) -> pd.DataFrame:
    """Return one row per record: is it valid DCAT-US 1.1, and how many problems does it have.

    Examples
    --------
    >>> record_validity([{"title": "x"}])[["record", "valid", "problems"]].to_dict("records")
    [{'record': 0, 'valid': False, 'problems': 7}]
    """
    items = as_records(records)
    problems = validate_records(items, profile=profile, check_urls=check_urls)
    counts = problems.groupby("record").size()
    frame = pd.DataFrame(
        {
            "record": range(len(items)),
            "identifier": [r.get("identifier") if isinstance(r, dict) else None for r in items],
            "title": [r.get("title") if isinstance(r, dict) else None for r in items],
        }
    )
    frame["problems"] = frame["record"].map(counts).fillna(0).astype("int64")
    frame["valid"] = frame["problems"] == 0
    return frame[["record", "identifier", "title", "valid", "problems"]]


def validate_catalog(
    catalog: object, *, profile: str = "complete", check_urls: bool = True
) -> pd.DataFrame:
    """Check a whole data.json catalog: its envelope and every dataset record.

    Catalog-level problems (no ``conformsTo``, a bare list as in Project Open Data v1.0 ...)
    have ``record`` = -1.

    Examples
    --------
    >>> validate_catalog([{"title": "x"}]).loc[0, "problem"]
    'is a bare list of records (Project Open Data v1.0 style)'

    """
    rows = []
    if isinstance(catalog, (list, tuple)):
        rows.append(
            {
                "record": -1,
                "field": "(catalog)",
                "rule": "type",
                "value": "",
                "problem": "is a bare list of records (Project Open Data v1.0 style)",
                "fix": "wrap the records: build_catalog(records) adds conformsTo and dataset",
            }
        )
    elif isinstance(catalog, dict):
        envelope_validator = _validator("catalog", bool(check_urls))
        for field, rule, value, error in _record_errors(catalog, envelope_validator):
            if rule == "required" and field == "conformsTo":
                problem, fix = "missing (required)", f"add conformsTo: '{CONFORMS_TO}'"
            elif rule == "required" and field == "dataset":
                problem, fix = "missing (required)", "add the list of dataset records"
            elif field == "conformsTo":
                problem, fix = f"{value!r} is not the v1.1 schema", f"use '{CONFORMS_TO}'"
            else:
                problem, fix = _describe(field, rule, value, error)
            rows.append(
                {
                    "record": -1,
                    "field": field,
                    "rule": rule,
                    "value": "" if isinstance(value, (dict, list)) or value is None else str(value),
                    "problem": problem,
                    "fix": fix,
                }
            )
    else:
        as_records(catalog, argument="catalog")  # raises the helpful type error
    envelope = pd.DataFrame(rows, columns=_PROBLEM_COLUMNS).astype({"record": "int64"})
    if isinstance(catalog, dict) and not isinstance(catalog.get("dataset"), list):
        return envelope
    try:
        items = as_records(catalog, argument="catalog")
    except EmptyDataError:
        return envelope
    records = validate_records(items, profile=profile, check_urls=check_urls)
    if envelope.empty:
        return records
    return pd.concat([envelope, records], ignore_index=True).astype({"record": "int64"})


# --- mechanical fixes --------------------------------------------------------------------------
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


def fix_metadata_table(
    table: pd.DataFrame, *, columns: dict[str, str] | None = None
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
    table : DataFrame
        One row per dataset, columns as in :data:`TABLE_COLUMNS`.
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
    require_columns(table, [mapping["identifier"]], argument="table")
    _require_rows(table)
    fixed = table.copy()
    for column in fixed.columns:  # categorical (and Arrow) text columns take new values too
        if isinstance(fixed[column].dtype, (pd.CategoricalDtype, pd.ArrowDtype)):
            fixed[column] = fixed[column].astype(object).where(fixed[column].notna(), None)
    changes = []

    def record(label, column, old, new, reason):
        changes.append(
            {
                "row": label,
                "identifier": str(table.loc[label, mapping["identifier"]]),
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

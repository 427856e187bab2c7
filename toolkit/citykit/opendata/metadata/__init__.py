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

from citykit.opendata.metadata.fixes import PERIODICITY_WORDS, MetadataFixes, fix_metadata_table
from citykit.opendata.metadata.records import (
    TABLE_COLUMNS,
    as_records,
    build_catalog,
    dataset_record,
    records_from_table,
)
from citykit.opendata.metadata.schemas import CONFORMS_TO, PROFILES, load_schema
from citykit.opendata.metadata.validation import (
    record_validity,
    validate_catalog,
    validate_records,
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

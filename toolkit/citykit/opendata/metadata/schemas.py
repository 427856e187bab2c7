"""The DCAT-US 1.1 JSON Schemas shipped with citykit, and a validator for each profile.

The files are in ``citykit/resources/dcat-us-1.1-*.json`` (JSON Schema draft-04); the
``"complete"`` profile is built here from GSA's non-federal schema (see
:mod:`citykit.opendata.metadata`, "Profiles"). Nothing is fetched from the network.

Examples
--------
>>> load_schema("dataset-non-federal")["required"][:2]
['title', 'description']
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources

from citykit.errors import require_keyword_choice

__all__ = ["PROFILES", "CONFORMS_TO", "load_schema"]

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


def _profile_schema(profile: str) -> str:
    require_keyword_choice(profile, PROFILES, argument="profile")
    return _PROFILE_SCHEMAS[profile]

"""Check DCAT-US 1.1 records and catalogs; every problem is one row: where, what, and the fix.

Examples
--------
>>> validate_records([{"title": "x"}])["field"].tolist()[:2]
['accessLevel', 'contactPoint']
"""

from __future__ import annotations

import pandas as pd

from citykit.errors import ColumnTypeError, EmptyDataError
from citykit.opendata.metadata.fixes import PERIODICITY_WORDS, _iso_suggestion
from citykit.opendata.metadata.records import as_records
from citykit.opendata.metadata.schemas import CONFORMS_TO, _profile_schema, _validator

__all__ = ["validate_records", "validate_catalog", "record_validity"]

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


def _check_flag(value: object, argument: str) -> None:
    if not isinstance(value, bool):
        raise ColumnTypeError(f"{argument} must be True or False, but {value!r} was given.")


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

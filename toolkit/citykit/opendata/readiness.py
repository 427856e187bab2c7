"""Is a table ready to publish? Frictionless Table Schema checks, data dictionary, datapackage.json.

Before a table goes on the portal it should match a published *Table Schema* (Frictionless
Data): every column has a type (integer, date ...), required columns are filled, identifiers are
unique, categories come from a fixed list and numbers stay in range. :func:`check_table` runs
the ``frictionless`` validator and returns one row per problem cell, with the row number a
person sees in a spreadsheet (the header is row 1). :func:`data_dictionary` documents the
columns (as a table or Markdown), and :func:`build_datapackage` / :func:`check_package` write
and check the ``datapackage.json`` that travels with the files.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"id": [1, 2, 2], "status": ["open", "closed", "shut"]})
>>> schema = {"fields": [
...     {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
...     {"name": "status", "type": "string", "constraints": {"enum": ["open", "closed"]}}]}
>>> check_table(table, schema=schema)[["row", "field", "type"]].values.tolist()
[[4, 'status', 'constraint-error'], [4, 'id', 'unique-error']]
"""

from __future__ import annotations

import copy
import functools
import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import (
    CityKitError,
    ColumnTypeError,
    SchemaMismatchError,
    require_columns,
    require_non_empty,
)

__all__ = [
    "NAME_PATTERN",
    "infer_schema",
    "check_table",
    "publish_readiness",
    "ReadinessReport",
    "data_dictionary",
    "dictionary_markdown",
    "build_datapackage",
    "check_package",
    "write_datapackage",
]

#: Data Package (v1) pattern for package and resource names: lower case, no spaces.
NAME_PATTERN = r"^([-a-z0-9._/])+$"

_FIXES = {
    "type-error": "make the value a valid {ftype} (or leave the cell empty if it is unknown)",
    "constraint-error": "bring the value within the rule {rule}",
    "unique-error": "remove or renumber the duplicate: '{field}' must be unique",
    "primary-key": "make the primary key unique: each row needs its own {field}",
    "missing-cell": "fill the missing cell (the row is shorter than the header)",
    "extra-cell": "remove the extra cell or add a column for it",
    "blank-row": "remove the empty row",
    "missing-label": "add the column to the table or remove it from the schema",
    "extra-label": "add the column to the schema or remove it from the table",
    "incorrect-label": "rename the column to match the schema (names and order matter)",
    "duplicate-label": "give every column its own name",
}
_PROBLEM_COLUMNS = ["row", "field_number", "field", "type", "cell", "problem", "fix"]


def _schema_descriptor(schema: object) -> dict:
    if hasattr(schema, "to_descriptor"):
        return schema.to_descriptor()
    if not isinstance(schema, dict):
        raise ColumnTypeError(
            "schema must be a Table Schema dict like {'fields': [{'name': 'id', 'type': "
            f"'integer'}}]}}, but a {type(schema).__name__} was given."
        )
    if not isinstance(schema.get("fields"), list) or not schema["fields"]:
        raise SchemaMismatchError(
            "schema has no 'fields' list: a Table Schema needs {'fields': [{'name': ..., "
            "'type': ...}, ...]} with one entry per column (infer_schema(table) makes one)."
        )
    for position, item in enumerate(schema["fields"]):
        if not isinstance(item, dict) or "name" not in item:
            raise SchemaMismatchError(
                f"schema field number {position + 1} has no 'name': every field needs one, "
                "e.g. {'name': 'opened', 'type': 'date'}."
            )
    return copy.deepcopy(schema)


def _cell_text(value: object) -> str:
    """How a cell is written to CSV: empty for missing, ISO for dates, 4 not 4.0."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    return str(value)


def _text_rows(data: pd.DataFrame) -> list[list[str]]:
    values = data.astype(object).to_numpy()
    return [[str(c) for c in data.columns]] + [[_cell_text(v) for v in row] for row in values]


def infer_schema(data: pd.DataFrame, *, primary_key: str | list[str] | None = None) -> dict:
    """Propose a Table Schema from a table's pandas types (a starting point to edit).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": [1, 2], "opened": pd.to_datetime(["2024-01-02", "2024-01-03"]),
    ...                   "cost": [1.5, None], "team": ["a", "b"]})
    >>> [(f["name"], f["type"]) for f in infer_schema(t, primary_key="id")["fields"]]
    [('id', 'integer'), ('opened', 'date'), ('cost', 'number'), ('team', 'string')]
    """
    require_columns(data, [], argument="data")
    fields = []
    for column in data.columns:
        series = data[column]
        if pd.api.types.is_bool_dtype(series):
            kind = "boolean"
        elif pd.api.types.is_integer_dtype(series):
            kind = "integer"
        elif pd.api.types.is_float_dtype(series):
            whole = series.dropna()
            kind = "integer" if len(whole) and (whole == np.round(whole)).all() else "number"
        elif pd.api.types.is_datetime64_any_dtype(series):
            stamps = series.dropna()
            kind = "date" if (stamps == stamps.dt.normalize()).all() else "datetime"
        else:
            kind = "string"
        item: dict = {"name": str(column), "type": kind}
        if series.notna().all() and len(series):
            item["constraints"] = {"required": True}
        fields.append(item)
    schema: dict = {"fields": fields}
    if primary_key is not None:
        keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
        require_columns(data, keys, argument="data")
        schema["primaryKey"] = keys
    return schema


def check_table(data: pd.DataFrame, *, schema: dict) -> pd.DataFrame:
    """Validate a table against a Frictionless Table Schema; return one row per problem.

    Types, ``required``, ``unique``, ``enum``, ``minimum``/``maximum``, ``pattern`` and the
    primary key are checked by ``frictionless``. Cells are read as the CSV text a person would
    publish (empty = missing, dates as ``YYYY-MM-DD``).

    Parameters
    ----------
    data : DataFrame
        The table to publish.
    schema : dict
        Table Schema descriptor (``{"fields": [...], "primaryKey": ...}``).

    Returns
    -------
    DataFrame
        ``row`` (spreadsheet row: the header is row 1), ``field_number``, ``field``, ``type``
        (frictionless error type such as ``type-error``), ``cell``, ``problem``, ``fix``.
        Empty when the table is ready.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"opened": ["2024-01-03", "2024-13-01"]})
    >>> check_table(t, schema={"fields": [{"name": "opened", "type": "date"}]}).loc[0, "fix"]
    'make the value a valid date (or leave the cell empty if it is unknown)'
    """
    require_columns(data, [], argument="data")
    require_non_empty(data, argument="data")
    descriptor = _schema_descriptor(schema)
    from frictionless import FrictionlessException, Resource, Schema

    try:
        frictionless_schema = Schema.from_descriptor(descriptor)
    except FrictionlessException as exc:
        notes = "; ".join(e.note for e in exc.reasons) or exc.error.note
        raise SchemaMismatchError(
            f"schema is not a valid Table Schema: {notes}. Check field types (string, integer, "
            "number, boolean, date, datetime ...) and constraint names."
        ) from None
    resource = Resource(data=_text_rows(data), schema=frictionless_schema)
    report = resource.validate()
    by_name = {f["name"]: f for f in descriptor["fields"]}
    rows = []
    for error in report.flatten(["rowNumber", "fieldNumber", "fieldName", "type", "cell", "note"]):
        row_number, field_number, name, kind, cell, note = error
        spec = by_name.get(name, {})
        rule = note.replace('constraint "', "").replace('" is "', " = ").rstrip('"') if note else ""
        fix = _FIXES.get(kind, "see the frictionless error note").format(
            ftype=spec.get("type", "value"),
            rule=rule,
            field=name or ", ".join(descriptor.get("primaryKey", []) or ["key"]),
        )
        rows.append(
            {
                "row": row_number,
                "field_number": field_number,
                "field": name,
                "type": kind,
                "cell": cell,
                "problem": note,
                "fix": fix,
            }
        )
    frame = pd.DataFrame(rows, columns=_PROBLEM_COLUMNS)
    return frame.astype({"row": "Int64", "field_number": "Int64"})


@dataclass(frozen=True)
class ReadinessReport:
    """Whether a table is ready to publish, and what to fix first.

    Attributes
    ----------
    ready : bool
        True when the table has no problem.
    rows : int
        Number of data rows checked.
    problems : DataFrame
        :func:`check_table` output.
    by_field : DataFrame
        Number of problems per field and error type.
    """

    ready: bool
    rows: int
    problems: pd.DataFrame = field(repr=False)
    by_field: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        if self.ready:
            return f"ReadinessReport(ready: {self.rows} rows match the schema)"
        worst = self.by_field.iloc[0]
        return (
            f"ReadinessReport(not ready: {len(self.problems)} problems in {self.rows} rows; "
            f"most in {worst['field']!r} ({worst['type']}, {worst['problems']}))"
        )

    def _repr_html_(self) -> str:
        if self.ready:
            return f"<p><strong>Ready</strong>: {self.rows} rows match the schema.</p>"
        return (
            f"<p><strong>Not ready</strong>: {len(self.problems)} problems in {self.rows} rows."
            f"</p>{self.by_field.to_html(index=False)}"
        )


def publish_readiness(data: pd.DataFrame, *, schema: dict) -> ReadinessReport:
    """Summarise :func:`check_table`: ready or not, and problems per field.

    Examples
    --------
    >>> import pandas as pd
    >>> publish_readiness(pd.DataFrame({"n": [1, -2]}),
    ...     schema={"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 0}}]})
    ReadinessReport(not ready: 1 problems in 2 rows; most in 'n' (constraint-error, 1))
    """
    problems = check_table(data, schema=schema)
    by_field = (
        problems.assign(field=problems["field"].fillna("(row)"))
        .groupby(["field", "type"], sort=False)
        .size()
        .rename("problems")
        .reset_index()
        .sort_values("problems", ascending=False, kind="stable", ignore_index=True)
    )
    return ReadinessReport(
        ready=problems.empty, rows=len(data), problems=problems, by_field=by_field
    )


def data_dictionary(
    data: pd.DataFrame,
    *,
    schema: dict | None = None,
    descriptions: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Document every column: type, rules, description, an example and how complete it is.

    Parameters
    ----------
    data : DataFrame
        The table.
    schema : dict, optional
        Table Schema; inferred with :func:`infer_schema` when not given.
    descriptions : dict, optional
        ``{column: description}``; overrides the schema's descriptions.

    Returns
    -------
    DataFrame
        ``field, type, required, unique, rules, unit, description, example, missing, distinct``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"days": [3, None, 5]})
    >>> d = data_dictionary(table, descriptions={"days": "Days open"})
    >>> d[["field", "type", "description", "missing"]].values.tolist()
    [['days', 'integer', 'Days open', 1]]
    """
    require_columns(data, [], argument="data")
    descriptor = _schema_descriptor(schema) if schema is not None else infer_schema(data)
    descriptions = descriptions or {}
    if not isinstance(descriptions, dict):
        raise ColumnTypeError("descriptions must be a dict {column: text}.")
    names = [f["name"] for f in descriptor["fields"]]
    require_columns(data, names, argument="data")
    unknown = [c for c in descriptions if c not in names]
    if unknown:
        require_columns(data.iloc[:, 0:0].reindex(columns=names), unknown, argument="schema")
    primary = descriptor.get("primaryKey") or []
    primary = [primary] if isinstance(primary, str) else primary
    rows = []
    for spec in descriptor["fields"]:
        name = spec["name"]
        constraints = spec.get("constraints", {})
        rules = []
        if "enum" in constraints:
            rules.append("one of " + ", ".join(map(str, constraints["enum"])))
        for key, word in (("minimum", ">="), ("maximum", "<=")):
            if key in constraints:
                rules.append(f"{word} {constraints[key]}")
        if "pattern" in constraints:
            rules.append(f"matches {constraints['pattern']}")
        series = data[name]
        present = series.dropna()
        present = present[present.astype(str) != ""]
        rows.append(
            {
                "field": name,
                "type": spec.get("type", "any"),
                "required": bool(constraints.get("required", False) or name in primary),
                "unique": bool(constraints.get("unique", False) or primary == [name]),
                "rules": "; ".join(rules),
                "unit": spec.get("unit", ""),
                "description": descriptions.get(name, spec.get("description", "")),
                "example": _cell_text(present.iloc[0]) if len(present) else "",
                "missing": int(len(series) - len(present)),
                "distinct": int(present.astype(str).nunique()),
            }
        )
    return pd.DataFrame(rows)


def dictionary_markdown(dictionary: pd.DataFrame, *, title: str = "Data dictionary") -> str:
    """Render a :func:`data_dictionary` table as Markdown (for a README or the portal).

    Examples
    --------
    >>> import pandas as pd
    >>> print(dictionary_markdown(data_dictionary(pd.DataFrame({"id": [1]}))))
    ## Data dictionary
    <BLANKLINE>
    | field | type | required | unique | rules | unit | description | example |
    |---|---|---|---|---|---|---|---|
    | id | integer | yes | no |  |  |  | 1 |
    """
    columns = ["field", "type", "required", "unique", "rules", "unit", "description", "example"]
    require_columns(dictionary, columns, argument="dictionary")
    lines = [f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in dictionary[columns].itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, (bool, np.bool_)):
                value = "yes" if value else "no"
            cells.append(str(value).replace("|", "\\|").replace("\n", " "))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _check_name(name: object, what: str) -> None:
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        suggestion = re.sub(r"[^-a-z0-9._/]+", "-", str(name).strip().lower()).strip("-")
        raise CityKitError(
            f"{what} {name!r} is not a valid Data Package name: use lower-case letters, digits, "
            f"'-', '_', '.' or '/', no spaces. Try {suggestion!r}."
        )


def build_datapackage(
    tables: dict[str, pd.DataFrame],
    *,
    name: str,
    title: str = "",
    description: str = "",
    schemas: dict[str, dict] | None = None,
    license_url: str = "https://creativecommons.org/publicdomain/zero/1.0/",
) -> dict:
    """Build a ``datapackage.json`` descriptor for tables published as ``<name>.csv``.

    Parameters
    ----------
    tables : dict
        ``{resource_name: DataFrame}``; names must be lower case without spaces.
    name : str
        Package name (lower case, no spaces, e.g. ``"riverton-permits"``).
    title, description : str
        Human-readable title and description.
    schemas : dict, optional
        ``{resource_name: Table Schema}``; inferred with :func:`infer_schema` when missing.
    license_url : str
        Licence of the package (CC0 by default).

    Returns
    -------
    dict
        The descriptor; write it with ``json.dump`` next to the CSV files.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {"permits": pd.DataFrame({"id": [1]})}
    >>> package = build_datapackage(tables, name="riverton-permits")
    >>> package["resources"][0]["path"], check_package(package).empty
    ('permits.csv', True)
    >>> build_datapackage({"permits": pd.DataFrame({"id": [1]})}, name="Riverton Permits")
    Traceback (most recent call last):
    ...
    citykit.errors.CityKitError: package name 'Riverton Permits' is not a valid ...
    """
    if not isinstance(tables, dict) or not tables:
        raise ColumnTypeError(
            "tables must be a non-empty dict {resource_name: DataFrame}, e.g. {'permits': permits}."
        )
    _check_name(name, "package name")
    schemas = schemas or {}
    resources = []
    for resource_name, frame in tables.items():
        _check_name(resource_name, "resource name")
        require_columns(frame, [], argument=f"tables[{resource_name!r}]")
        schema = schemas.get(resource_name)
        schema = _schema_descriptor(schema) if schema is not None else infer_schema(frame)
        resources.append(
            {
                "name": resource_name,
                "path": f"{resource_name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    package: dict = {"name": name}
    if title:
        package["title"] = title
    if description:
        package["description"] = description
    package["licenses"] = [{"name": "license", "path": license_url}]
    package["resources"] = resources
    return package


def check_package(descriptor: dict) -> pd.DataFrame:
    """Check a datapackage.json descriptor with ``frictionless``; one row per problem.

    Returns
    -------
    DataFrame
        ``level`` (package or resource), ``type`` (``package-error``/``resource-error``),
        ``problem`` and ``fix``. Empty when the descriptor is valid.

    Examples
    --------
    >>> bad = {"name": "city-311", "resources": [{"name": "Requests Table", "path": "r.csv"}]}
    >>> check_package(bad)[["level", "type"]].values.tolist()
    [['resource', 'resource-error']]
    """
    if not isinstance(descriptor, dict):
        raise ColumnTypeError(
            f"descriptor must be a dict (json.load of datapackage.json), not a "
            f"{type(descriptor).__name__}."
        )
    from frictionless import FrictionlessException, Package

    rows = []
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        # the Data Package v1 schema needs at least one resource; frictionless 5 does not check
        rows.append(
            {
                "level": "package",
                "type": "package-error",
                "problem": "the package lists no resources",
                "fix": "add one resource per file: {'name': 'requests', 'path': 'requests.csv'}",
            }
        )
    try:
        Package.from_descriptor(copy.deepcopy(descriptor))
    except FrictionlessException as exc:
        reasons = exc.reasons or [exc.error]
        for reason in reasons:
            level = "resource" if reason.type.startswith("resource") else "package"
            note = reason.note
            if "does not match" in note and "'name'" in note:
                bad = note.split("'")[1] if note.count("'") >= 2 else "name"
                good = re.sub(r"[^-a-z0-9._/]+", "-", bad.strip().lower()).strip("-")
                fix = f"use a lower-case name without spaces, e.g. {good!r}"
            else:
                fix = "see the Data Package specification for this property"
            if reason.type == "package-error" and note == "descriptor is not valid":
                name = descriptor.get("name")
                if isinstance(name, str) and not re.fullmatch(NAME_PATTERN, name):
                    note = f"package name {name!r} does not match {NAME_PATTERN}"
                    fix = "use a lower-case name without spaces, e.g. 'city-311'"
            rows.append({"level": level, "type": reason.type, "problem": note, "fix": fix})
    return pd.DataFrame(rows, columns=["level", "type", "problem", "fix"])


def _positional_folder(func):
    """Let ``func(tables, folder, ...)`` (the old positional folder) work for one more release.

    ``folder`` is where the package goes, not an input, so it became keyword-only; a call that
    still passes it by position gets a FutureWarning naming the new form.
    """

    @functools.wraps(func)
    def wrapper(tables, *args, **kwargs):
        if args:
            if len(args) > 1 or "folder" in kwargs:
                raise CityKitError(
                    f"{func.__name__}() takes the tables by position and everything else by "
                    f"name: {func.__name__}(tables, folder='out', name='my-package')"
                )
            kwargs["folder"] = args[0]
            warnings.warn(
                f"{func.__name__}(tables, folder) is now {func.__name__}(tables, folder=...); "
                "the positional form stops working in the next release",
                FutureWarning,
                stacklevel=2,
            )
        return func(tables, **kwargs)

    return wrapper


@_positional_folder
def write_datapackage(
    tables: dict[str, pd.DataFrame],
    *,
    folder: str,
    name: str,
    title: str = "",
    description: str = "",
    schemas: dict[str, dict] | None = None,
) -> list[str]:
    """Write each table as ``<resource>.csv`` plus ``datapackage.json`` into ``folder``.

    Cells are written the way :func:`check_table` reads them (empty for missing, ISO dates,
    whole numbers without ``.0``), so a table that passes :func:`check_table` passes
    ``frictionless validate`` on the written package.

    Parameters
    ----------
    tables : dict
        ``{resource_name: DataFrame}``.
    folder : str or path
        Where to write (created if needed). Keyword-only: it says where the package goes, it is
        not an input (``write_datapackage(tables, folder)`` still works for one release, with a
        FutureWarning).
    name, title, description, schemas
        As in :func:`build_datapackage`.

    Returns
    -------
    list of str
        The paths written, the descriptor last.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_datapackage({"permits": pd.DataFrame({"id": [1, 2]})}, folder=folder,
    ...                               name="riverton-permits")
    ...     [pathlib.Path(p).name for p in paths]
    ['permits.csv', 'datapackage.json']
    """
    import csv
    import json
    from pathlib import Path

    package = build_datapackage(
        tables, name=name, title=title, description=description, schemas=schemas
    )
    try:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
    except (TypeError, OSError) as exc:
        raise ColumnTypeError(
            f"folder must be a folder path you can write to, but {folder!r} failed ({exc})."
        ) from None
    written = []
    for resource in package["resources"]:
        rows = _text_rows(tables[resource["name"]])
        path = out / resource["path"]
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
        written.append(str(path))
    descriptor = out / "datapackage.json"
    descriptor.write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    written.append(str(descriptor))
    return written

"""Is a table ready to publish? Frictionless Table Schema checks and the data dictionary.

Before a table goes on the portal it should match a published *Table Schema* (Frictionless
Data): every column has a type (integer, date ...), required columns are filled, identifiers are
unique, categories come from a fixed list and numbers stay in range. :func:`check_table` runs
the ``frictionless`` validator and returns one row per problem cell, with the row number a
person sees in a spreadsheet (the header is row 1). :func:`data_dictionary` documents the
columns (as a table or Markdown); :mod:`~citykit.opendata.datapackage` builds, checks and
writes the ``datapackage.json`` that travels with the files.

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
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import (
    ColumnTypeError,
    SchemaMismatchError,
    require_columns,
    require_non_empty,
)

__all__ = [
    "infer_schema",
    "check_table",
    "publish_readiness",
    "ReadinessReport",
    "data_dictionary",
    "dictionary_markdown",
]


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


def _column_text(series: pd.Series) -> list[str]:
    """``_cell_text`` of every cell of a column, a whole column at a time where the type allows."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # each category's text once; a missing cell (code -1) takes the last entry, ""
        texts = np.array([_cell_text(c) for c in dtype.categories] + [""], dtype=object)
        return texts[series.cat.codes.to_numpy()].tolist()
    if pd.api.types.is_bool_dtype(dtype) and not series.hasnans:
        return np.where(series.to_numpy(dtype=bool), "true", "false").tolist()
    if pd.api.types.is_integer_dtype(dtype):
        missing = series.isna().to_numpy()
        text = series.to_numpy(dtype=np.int64 if dtype.kind == "i" else np.uint64, na_value=0)
        return np.where(missing, "", text.astype(str)).tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=np.float64)
        whole = np.isfinite(values) & (values == np.floor(values)) & (np.abs(values) < 2.0**53)
        out = np.full(len(values), "", dtype=object)  # missing cells stay empty
        out[whole] = values[whole].astype(np.int64).astype(str)
        rest = ~whole & ~np.isnan(values)
        out[rest] = [_cell_text(v) for v in values[rest].tolist()]
        return out.tolist()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        missing = series.isna().to_numpy()
        day = (series == series.dt.normalize()).to_numpy() & ~missing
        out = np.full(len(series), "", dtype=object)
        out[day] = series[day].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        rest = ~day & ~missing
        out[rest] = [v.isoformat() for v in series[rest]]
        return out.tolist()
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        missing = series.isna().to_numpy()
        return np.where(missing, "", series.to_numpy(dtype=object, na_value="")).tolist()
    return [_cell_text(v) for v in series.astype(object).tolist()]


def _text_rows(data: pd.DataFrame) -> list[list[str]]:
    """The table as CSV text, header first (``_cell_text`` of each cell)."""
    columns = [_column_text(data.iloc[:, i]) for i in range(data.shape[1])]
    header = [str(c) for c in data.columns]
    return [header] + [list(row) for row in zip(*columns, strict=True)] if columns else [header]


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

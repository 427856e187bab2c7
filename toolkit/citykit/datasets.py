"""List, load and describe the sample city's tables (or your own city's, in the same shape).

Every table's columns, types, units and descriptions come from ``datasets/datapackage.json``, a
Frictionless data package written by :mod:`citykit.synth`. :func:`load` applies those types:
dates become datetimes, columns with a fixed set of values become categoricals, integer columns
with gaps stay integers (``Int64``).

To run a lesson on your own city's export, put CSV files named like ours (``service_requests.csv``
...) in a folder and pass ``data_dir=``; the columns are checked against our schema and any
difference is listed in one message. :func:`read_city_file` reads an export as it comes (encoding,
separator, ``.xlsx``) and :func:`conform` maps its columns, values and date formats to ours, with a
report of what it mapped, defaulted and dropped.

Examples
--------
>>> from citykit import datasets
>>> "service_requests" in datasets.list_datasets()
True
>>> requests = datasets.load("service_requests")
>>> requests["opened_at"].dtype
dtype('<M8[ns]')
>>> datasets.describe("service_requests").loc["sla_days", "unit"]
'days'
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from citykit import _files, _read
from citykit import conform as _conform
from citykit._files import read_city_file
from citykit.errors import CityKitError, SchemaMismatchError, UnknownNameError, did_you_mean
from citykit.paths import course_root

__all__ = [
    "list_datasets",
    "load",
    "describe",
    "data_dir",
    "schema",
    "read_city_file",
    "conform",
    "check_values",
]

_PACKAGE = "datapackage.json"


def data_dir() -> Path:
    """Return the folder of the sample city's tables.

    Looked for in this order: the folder named by the environment variable
    ``$CITYKIT_DATA_DIR``; the copy installed inside the package (``citykit/sample_city``, when
    citykit was installed from a wheel); the ``datasets/`` folder of the course repository that
    holds this package (a clone, with citykit installed in editable mode or ``toolkit/`` on
    ``sys.path``).

    Examples
    --------
    >>> (data_dir() / "datapackage.json").is_file()
    True
    """
    env = os.environ.get("CITYKIT_DATA_DIR")
    if env:
        if not (Path(env) / _PACKAGE).is_file():
            found = "does not exist" if not Path(env).exists() else f"holds no {_PACKAGE}"
            raise CityKitError(
                f"The environment variable CITYKIT_DATA_DIR names the folder {env!r}, which "
                f"{found}. Point it at a folder that holds the tables and their {_PACKAGE} "
                "(e.g. one written by `citykit datasets build --out FOLDER`), or unset it to "
                "use the sample city."
            )
        return Path(env)
    packaged = _packaged_data()
    if packaged is not None:
        return packaged
    # a source checkout: the course repository that holds this package (asked for explicitly)
    root = course_root(Path(__file__), default=None)
    if root is not None and (root / "datasets" / _PACKAGE).is_file():
        return root / "datasets"
    raise CityKitError(
        "The sample city's tables were not found: citykit was installed without them (no "
        "citykit/sample_city folder) and no datasets/ folder of the course repository is next to "
        "it. Install citykit from a wheel built by the course repository (the wheel carries the "
        "sample city), run `citykit datasets build` in the course repository, or set the "
        "environment variable CITYKIT_DATA_DIR to a folder that holds datapackage.json."
    )


def _packaged_data() -> Path | None:
    """The sample city installed inside the package (a wheel), or ``None`` (a source checkout)."""
    folder = Path(__file__).resolve().parent / "sample_city"
    return folder if (folder / _PACKAGE).is_file() else None


@lru_cache(maxsize=8)
def _read_package(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _package(folder: Path) -> dict:
    path = folder / _PACKAGE
    return _read_package(str(path), path.stat().st_mtime)


def _resources(folder: Path) -> dict[str, dict]:
    return {r["name"]: r for r in _package(folder)["resources"]}


def list_datasets() -> list[str]:
    """Return the names of the sample city's tables, in catalogue order.

    Examples
    --------
    >>> list_datasets()[0]
    'service_requests'
    """
    return list(_resources(data_dir()))


def schema(name: str) -> dict:
    """Return the Frictionless resource descriptor (title, description, schema) of ``name``."""
    resources = _resources(data_dir())
    if not isinstance(name, str):
        raise UnknownNameError(
            f"name must be a dataset name (text), but a {type(name).__name__} was given. "
            "See citykit.datasets.list_datasets() for the names."
        )
    if name not in resources:
        raise UnknownNameError(
            f"{name!r} is not one of the sample city's datasets.{did_you_mean(name, resources)} "
            f"The datasets are: {', '.join(resources)}."
        )
    return resources[name]


def describe(name: str) -> pd.DataFrame:
    """Return the data dictionary of ``name``: one row per column.

    Columns of the result: ``type``, ``unit``, ``required``, ``allowed_values`` and
    ``description``, indexed by column name.

    Examples
    --------
    >>> describe("service_requests").loc["status", "allowed_values"]
    'Closed, Open, Cancelled'
    """
    rows = []
    for field in schema(name)["schema"]["fields"]:
        constraints = field.get("constraints", {})
        rows.append(
            {
                "column": field["name"],
                "type": field["type"],
                "unit": field.get("unit", ""),
                "required": bool(constraints.get("required", False)),
                "allowed_values": ", ".join(constraints.get("enum", [])),
                "description": field.get("description", ""),
            }
        )
    return pd.DataFrame(rows).set_index("column")


def _convert(column: pd.Series, field: dict, *, use_enum: bool) -> tuple[pd.Series, int, str]:
    """Convert text to the field's type; return (values, number of bad values, first bad value)."""
    text = column.astype("string").str.strip()
    present = text.notna() & (text != "")
    kind = field["type"]
    if kind in ("integer", "year"):
        number = pd.to_numeric(text.where(present), errors="coerce")
        bad = present & (number.isna() | (number % 1 != 0))
        values = number.where(~bad).astype("Int64")
    elif kind == "number":
        cleaned = text.where(present).str.replace(",", "", regex=False)
        number = pd.to_numeric(cleaned, errors="coerce")
        bad = present & number.isna()
        values = number.astype("float64")
    elif kind in ("date", "datetime"):
        fmt = "%Y-%m-%d" if kind == "date" else "ISO8601"
        values = pd.to_datetime(text.where(present), format=fmt, errors="coerce")
        bad = present & values.isna()
        values = values.astype("datetime64[ns]")
    elif kind == "boolean":
        lowered = text.str.lower()
        mapping = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
        values = lowered.map(mapping).astype("boolean")
        bad = present & values.isna()
    else:
        values = text.where(present).astype("str")
        values = values.where(present, np.nan)
        enum = field.get("constraints", {}).get("enum")
        if enum and use_enum:
            dtype = pd.CategoricalDtype(enum, ordered=bool(field.get("categoriesOrdered")))
            bad = present & ~text.isin(enum)
            values = values.where(~bad, np.nan).astype(dtype)  # the bad ones are reported
        elif enum:
            values = values.astype("category")
            bad = pd.Series(False, index=text.index)
        else:
            bad = pd.Series(False, index=text.index)
    n_bad = int(bad.sum())
    first = str(text[bad].iloc[0]) if n_bad else ""
    return values, n_bad, first


def _load_fast(path: Path, fields: list[dict], *, use_enum: bool) -> pd.DataFrame | None:
    """Read a well-formed file with typed parsing (:mod:`citykit._read`), or return ``None``.

    ``None`` sends the caller to the slow, diagnostic path, which explains every mismatch.
    """
    return _read.read_typed(path, fields, use_enum=use_enum)


def load(name: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load one table with the types its data dictionary gives.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`, e.g. ``"service_requests"``.
    data_dir : str or Path, optional, keyword-only
        A folder with your own ``<name>.csv`` to load instead of the sample city's. If that folder
        has its own ``datapackage.json``, its schema is used; otherwise ours, with the allowed
        values of categorical columns taken from your data.

    Returns
    -------
    pandas.DataFrame
        A new table of your own, so you may change it freely. The file is read once per
        Python session (and again when it changes): later calls hand out a fresh copy of the
        table read first (tables over 64 MiB in memory are read again each time).

    Raises
    ------
    citykit.errors.UnknownNameError
        If ``name`` is not a dataset (the message suggests the closest name).
    citykit.errors.SchemaMismatchError
        If the CSV's columns or values do not match the schema; the message lists the missing
        and extra columns and the columns whose values are of the wrong type.

    Examples
    --------
    >>> requests = load("service_requests")
    >>> requests["department"].dtype.name
    'category'
    """
    descriptor = schema(name)
    folder = Path(data_dir) if data_dir is not None else globals()["data_dir"]()
    own_schema = (  # a city's package that describes this table (not just another one)
        data_dir is not None and (folder / _PACKAGE).is_file() and name in _resources(folder)
    )
    if own_schema:
        descriptor = _resources(folder)[name]
    path = folder / descriptor.get("path", f"{name}.csv")
    if not path.is_file():
        found = sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []
        where = f" The folder holds: {', '.join(found)}." if found else ""
        raise CityKitError(
            f"No file {path.name!r} in data_dir {str(folder)!r}.{where} Name your export "
            f"{path.name!r} (or pass the folder that holds it)."
        )
    if data_dir is not None:  # a city's own file: empty, a workbook, not UTF-8 or commas?
        _files.check_csv(path)
    fields = descriptor["schema"]["fields"]
    use_enum = data_dir is None or own_schema
    fast = _read.cached(
        path, fields, use_enum=use_enum, read=lambda: _load_fast(path, fields, use_enum=use_enum)
    )
    if fast is not None:
        return _course_values(fast, name, path) if not use_enum else fast
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    raw.columns = [str(c).strip() for c in raw.columns]
    expected = [f["name"] for f in fields]
    missing = [c for c in expected if c not in raw.columns]
    extra = [c for c in raw.columns if c not in expected]
    converted: dict[str, pd.Series] = {}
    wrong = []
    for field in fields:
        if field["name"] not in raw.columns:
            continue
        values, n_bad, first = _convert(raw[field["name"]], field, use_enum=use_enum)
        if n_bad:
            allowed = field.get("constraints", {}).get("enum")
            expect = (
                f"one of {', '.join(allowed)}"
                if allowed and field["type"] == "string"
                else field["type"]
            )
            fits = ""
            if field["type"] in ("date", "datetime"):
                expect = f"{field['type']}s in ISO 8601 (2024-01-31T08:30:00)"
                fmt = _conform.fitting_date_format(raw[field["name"]])
                if fmt:
                    fits = f"; they fit dates={{{field['name']!r}: {fmt!r}}} in datasets.conform"
            wrong.append(
                f"{field['name']!r} ({n_bad} values are not {expect}, e.g. {first!r}{fits})"
            )
        converted[field["name"]] = values
    if missing or wrong:
        parts = [f"{path.name} does not match the schema of {name!r}."]
        if missing:
            named = []
            for column in missing:  # each suggestion beside the column it would replace
                hint = did_you_mean(column, extra).strip()
                named.append(f"{column!r}" + (f" ({hint})" if hint else ""))
            parts.append(f"Missing columns: {', '.join(named)}.")
        if extra:
            parts.append(f"Extra columns (kept as text): {', '.join(map(repr, extra))}.")
        if wrong:
            parts.append(f"Wrong types: {'; '.join(wrong)}.")
        parts.append(
            f"Rename or convert the columns to match citykit.datasets.describe({name!r}), "
            "which lists every column with its type and allowed values; "
            "citykit.datasets.conform does it in a few lines and reports what it changed."
        )
        raise SchemaMismatchError(" ".join(parts))
    table = pd.DataFrame(converted, index=raw.index)
    for column in extra:
        table[column] = raw[column]
    return _course_values(table, name, path) if not use_enum else table


def _course_values(table: pd.DataFrame, name: str, path: Path) -> pd.DataFrame:
    """``table``, if a city's own file uses the course's words where the lessons count them.

    A city's departments and districts keep their names, but a status such as "Assigned" would
    make the lessons count no open request: it is an error, with the fix.
    """
    found = _conform.values_outside(table, schema(name), kind="strict")
    if len(found):
        row = found.iloc[0]
        raise SchemaMismatchError(
            f"{path.name}: column {row['column']!r} has {row['outside']:,} values that are not "
            f"one of {row['allowed']}, e.g. {row['examples']}: the lessons would count them as "
            f"none of these. Map them with datasets.conform(..., value_maps={{{row['column']!r}: "
            "{'Assigned': 'Open', ...}}) and save the result."
        )
    return table


def conform(
    data: pd.DataFrame | _files.CityFile | str | Path,
    *,
    name: str = "service_requests",
    columns: Mapping[str, str] | None = None,
    value_maps: Mapping[str, Mapping[str, str | None]] | None = None,
    dates: Mapping[str, str] | None = None,
    defaults: Mapping[str, object] | None = None,
    encoding: str | None = None,
    separator: str | None = None,
    sheet: str | int | None = None,
) -> _conform.Conformed:
    """Conform a city's export to one of the course's tables, reporting every change.

    Parameters
    ----------
    data : DataFrame, CityFile, str or Path
        The export: a table, or a file (read with :func:`citykit.datasets.read_city_file`, which
        detects the encoding and separator, or reads an ``.xlsx`` workbook).
    name : str, default "service_requests", keyword-only
        The course table to conform to (see ``citykit.datasets.describe(name)``).
    columns : mapping, optional, keyword-only
        The course's column → the export's column that holds it, e.g.
        ``{"opened_at": "Created Date"}``. Columns already named like the course's are taken as
        they are; the export's other columns are dropped (and listed in the report).
    value_maps : mapping, optional, keyword-only
        Per course column, the export's value → the course's value, e.g.
        ``{"status": {"Assigned": "Open"}}``; ``None`` makes a value missing. In the columns of
        :data:`citykit.conform.COURSE_VALUES` (``status``, ``channel``), a value equal to an
        allowed one but for upper/lower case ("PHONE") is mapped too; the report lists every
        value mapped.
    dates : mapping, optional, keyword-only
        Per date column, the format of its text: ``"ISO8601"`` (the default), a ``strftime``
        format such as ``"%m/%d/%Y %I:%M:%S %p"``, or ``"excel"`` (serial day numbers).
    defaults : mapping, optional, keyword-only
        A value for a course column the export lacks, e.g. ``{"sla_days": None}`` (left empty:
        the lessons that need it say so and skip those steps). Optional columns the export lacks
        are left empty without being named here.
    encoding, separator, sheet : optional, keyword-only
        Passed to :func:`citykit.datasets.read_city_file` when ``data`` is a file.

    Returns
    -------
    Conformed
        ``.table`` (the course's columns and types), ``.report`` and ``.summary()``, and
        ``.save(folder)`` to write it where ``datasets.load(name, data_dir=folder)`` reads it.

    Raises
    ------
    citykit.errors.MissingColumnError
        If a column named in ``columns`` is not in the export, or a required course column has no
        source and no default (the message suggests the export's closest column).
    citykit.errors.CityKitError
        If a column in :data:`citykit.conform.STRICT_VALUES` (``status``) has values that are
        neither allowed nor mapped, or a date column has no date that parses with its format (the message suggests
        the format that fits).

    Examples
    --------
    >>> import pandas as pd
    >>> export = pd.DataFrame({"id": ["7"], "opened": ["2024-05-01 08:00"], "status": ["Open"],
    ...                        "dept": ["Streets"], "type": ["Pothole"], "channel": ["web"]})
    >>> result = conform(export, columns={"request_id": "id", "opened_at": "opened",
    ...                                   "department": "dept", "service_type": "type"},
    ...                  defaults={"sla_days": None})
    >>> result.table.loc[0, "channel"], result.table["sla_days"].isna().all()
    ('Web', np.True_)
    """
    return _conform.conform_to_schema(
        data,
        schema(name),
        columns=columns,
        value_maps=value_maps,
        dates=dates,
        defaults=defaults,
        encoding=encoding,
        separator=separator,
        sheet=sheet,
    )


def check_values(
    data: pd.DataFrame, *, name: str = "service_requests", kind: str = "all"
) -> pd.DataFrame:
    """Count, per column with allowed values, the values of ``data`` outside them.

    Parameters
    ----------
    data : DataFrame
        A table with (some of) the columns of ``name``.
    name : str, default "service_requests", keyword-only
        The course table whose schema lists the allowed values.
    kind : {"all", "city", "strict"}, keyword-only
        ``"city"`` leaves out the columns of :data:`citykit.conform.STRICT_VALUES` (the course's
        words the lessons count with, such as ``status``: :func:`conform` maps or rejects
        those); ``"strict"`` checks only those.

    Returns
    -------
    DataFrame
        One row per column with values outside: ``column``, ``outside`` (rows), ``distinct``
        (different values), ``examples`` (the most common, with counts), ``allowed``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_values(pd.DataFrame({"status": ["Open", "Assigned", "Assigned", None]}))
       column  outside  distinct        examples                  allowed
    0  status        2         1  'Assigned' (2)  Closed, Open, Cancelled
    """
    return _conform.values_outside(data, schema(name), kind=kind)

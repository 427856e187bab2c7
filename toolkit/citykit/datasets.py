"""List, load and describe the sample city's tables (or your own city's, in the same shape).

Every table's columns, types, units and descriptions come from ``datasets/datapackage.json``, a
Frictionless data package written by :mod:`citykit.synth`. :func:`load` applies those types:
dates become datetimes, columns with a fixed set of values become categoricals, integer columns
with gaps stay integers (``Int64``).

To run a lesson on your own city's export, put CSV files named like ours (``service_requests.csv``
...) in a folder and pass ``data_dir=``; the columns are checked against our schema and any
difference is listed in one message.

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
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from citykit import _read
from citykit.errors import CityKitError, SchemaMismatchError, UnknownNameError, did_you_mean

__all__ = ["list_datasets", "load", "describe", "data_dir", "schema"]

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
        return Path(env)
    packaged = _packaged_data()
    if packaged is not None:
        return packaged
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "datasets" / _PACKAGE
        if candidate.is_file():
            return candidate.parent
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
            values = values.astype(dtype)
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
    own_schema = data_dir is not None and (folder / _PACKAGE).is_file()
    if own_schema:
        descriptor = _resources(folder).get(name, descriptor)
    path = folder / descriptor.get("path", f"{name}.csv")
    if not path.is_file():
        found = sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []
        where = f" The folder holds: {', '.join(found)}." if found else ""
        raise CityKitError(
            f"No file {path.name!r} in data_dir {str(folder)!r}.{where} Name your export "
            f"{path.name!r} (or pass the folder that holds it)."
        )
    fields = descriptor["schema"]["fields"]
    use_enum = data_dir is None or own_schema
    fast = _read.cached(
        path, fields, use_enum=use_enum, read=lambda: _load_fast(path, fields, use_enum=use_enum)
    )
    if fast is not None:
        return fast
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
            wrong.append(f"{field['name']!r} ({n_bad} values are not {expect}, e.g. {first!r})")
        converted[field["name"]] = values
    if missing or wrong:
        parts = [f"{path.name} does not match the schema of {name!r}."]
        if missing:
            hints = "".join(did_you_mean(c, extra) for c in missing)
            parts.append(f"Missing columns: {', '.join(map(repr, missing))}.{hints}")
        if extra:
            parts.append(f"Extra columns (kept as text): {', '.join(map(repr, extra))}.")
        if wrong:
            parts.append(f"Wrong types: {'; '.join(wrong)}.")
        parts.append(
            f"Rename or convert the columns to match citykit.datasets.describe({name!r}), "
            "which lists every column with its type and allowed values."
        )
        raise SchemaMismatchError(" ".join(parts))
    table = pd.DataFrame(converted, index=raw.index)
    for column in extra:
        table[column] = raw[column]
    return table

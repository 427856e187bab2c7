"""The data package that travels with published files: ``datapackage.json``, built, checked, written.

A Frictionless *Data Package* lists the published files (resources) with their Table Schemas.
:func:`build_datapackage` builds the descriptor (each table's schema given, or inferred with
:func:`~citykit.opendata.readiness.infer_schema`), :func:`check_package` checks it with
``frictionless`` and :func:`write_datapackage` writes the CSV files and the descriptor, each cell
the way :func:`~citykit.opendata.readiness.check_table` reads it.

Examples
--------
>>> import pandas as pd
>>> package = build_datapackage({"permits": pd.DataFrame({"id": [1, 2]})}, name="permits")
>>> [r["path"] for r in package["resources"]], check_package(package).empty
(['permits.csv'], True)
"""

from __future__ import annotations

import copy
import functools
import re
import warnings

import pandas as pd

from citykit.errors import CityKitError, ColumnTypeError, require_columns
from citykit.opendata.readiness import _schema_descriptor, _text_rows, infer_schema

__all__ = ["NAME_PATTERN", "build_datapackage", "check_package", "write_datapackage"]

#: Data Package (v1) pattern for package and resource names: lower case, no spaces.
NAME_PATTERN = r"^([-a-z0-9._/])+$"


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

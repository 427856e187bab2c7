"""Data inventory and quality: completeness, timeliness, validity, duplicates, number cleaning.

Mid-size cities that start managing from data begin with an inventory: which systems hold which
data, how complete and how fresh each table is, whether it matches its documented schema, and
whether records are duplicated. The functions here answer those questions for one table
(:func:`profile_table`) and across many (:func:`inventory`):

* :func:`completeness` — share missing per column;
* :func:`timeliness` — lag between an event and its record, and the last update against the
  expected frequency;
* :func:`validate_schema` — errors against a Frictionless Table Schema (or a resource descriptor
  from a ``datapackage.json``);
* :func:`find_duplicates` — repeated rows and repeated keys;
* :func:`clean_numbers` — numbers written as text ("85%", "1,611", "NA").
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from citykit._dates import to_timestamp
from citykit._display import html_result
from citykit._renamed import keyword_only_options
from citykit.errors import (
    CityKitError,
    ColumnTypeError,
    UnknownNameError,
    did_you_mean,
    require_columns,
    require_keyword_choice,
)
from citykit.performance._checks import check_table, to_datetime

__all__ = [
    "clean_numbers",
    "completeness",
    "timeliness",
    "validate_schema",
    "find_duplicates",
    "profile_table",
    "inventory",
    "DataProfile",
    "EXPECTED_DAYS",
]

#: Days between updates for each expected frequency.
EXPECTED_DAYS = {
    "daily": 1,
    "weekly": 7,
    "monthly": 31,
    "quarterly": 92,
    "yearly": 366,
}

_MISSING_TEXT = {"", "na", "n/a", "nan", "null", "none", "-", "--", "—", "missing", "."}


def clean_numbers(values, *, percent: str = "share", errors: str = "raise") -> pd.Series:
    """Read numbers written the way spreadsheets and reports write them.

    Handles the mixed formats of published tables (e.g. the NYC MMR agency summaries):

    * thousands separators: ``"1,611"`` -> 1611;
    * percent signs: ``"33%"`` -> 0.33 (``percent="share"``) or 33 (``percent="points"``);
    * currency signs and spaces: ``"$ 1,200"`` -> 1200; accounting negatives ``"(5)"`` -> -5;
    * missing markers: ``""``, ``"NA"``, ``"N/A"``, ``"null"``, ``"-"`` -> missing;
    * numbers already numeric are kept as they are.

    Parameters
    ----------
    values : Series or list
        The raw values.
    percent : {"share", "points"}, keyword-only
        Whether ``"33%"`` becomes 0.33 or 33.
    errors : {"raise", "coerce"}, keyword-only
        What to do with text that is not a number after cleaning ("see attached", "TBD"):
        raise an error that lists examples, or make it missing.

    Returns
    -------
    Series of float

    Examples
    --------
    >>> clean_numbers(["33%", "0.5", "1,611", "NA", None, "(2)"]).tolist()
    [0.33, 0.5, 1611.0, nan, nan, -2.0]
    >>> clean_numbers(["12", "TBD"])
    Traceback (most recent call last):
    ...
    citykit.errors.ColumnTypeError: 1 value(s) are not numbers even after removing %, commas and currency signs, e.g. 'TBD'. Fix them at the source, or pass errors='coerce' to treat them as missing.
    """
    if percent not in ("share", "points"):
        raise CityKitError(f"percent={percent!r} must be 'share' (33% -> 0.33) or 'points' (33).")
    if errors not in ("raise", "coerce"):
        raise CityKitError(f"errors={errors!r} must be 'raise' or 'coerce'.")
    series = values.copy() if isinstance(values, pd.Series) else pd.Series(list(values))
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    out = np.full(len(series), np.nan)
    bad = []
    for i, raw in enumerate(series.tolist()):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        if isinstance(raw, (int, float, np.number)) and not isinstance(raw, bool):
            out[i] = float(raw)
            continue
        text = str(raw).strip()
        if text.lower() in _MISSING_TEXT:
            continue
        negative = text.startswith("(") and text.endswith(")")
        text = text.strip("()")
        is_percent = text.endswith("%")
        text = re.sub(r"[,$€£\s%]", "", text)
        try:
            number = float(text)
        except ValueError:
            bad.append(raw)
            continue
        if is_percent and percent == "share":
            number /= 100.0
        out[i] = -number if negative else number
    if bad and errors == "raise":
        raise ColumnTypeError(
            f"{len(bad)} value(s) are not numbers even after removing %, commas and currency "
            f"signs, e.g. {bad[0]!r}. Fix them at the source, or pass errors='coerce' to treat "
            "them as missing."
        )
    return pd.Series(out, index=series.index, name=series.name)


def completeness(data: pd.DataFrame) -> pd.DataFrame:
    """Share of missing values in each column (blank text counts as missing).

    Parameters
    ----------
    data : DataFrame
        Any table.

    Returns
    -------
    DataFrame
        One row per column: ``column, missing, share_missing, share_complete``, worst first.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"id": [1, 2, 3, 4], "district": ["North", None, " ", "East"]})
    >>> completeness(table)
         column  missing  share_missing  share_complete
    0  district        2            0.5             0.5
    1        id        0            0.0             1.0
    """
    check_table(data, [])
    rows = []
    for column in data.columns:
        series = data[column]
        missing = series.isna()
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            missing |= series.astype("string").str.strip().eq("").fillna(False).astype(bool)
        n_missing = int(missing.sum())
        rows.append({"column": str(column), "missing": n_missing,
                     "share_missing": n_missing / len(data)})  # fmt: skip
    out = pd.DataFrame(rows)
    out["share_complete"] = 1 - out["share_missing"]
    return out.sort_values(["share_missing", "column"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)  # fmt: skip


def timeliness(
    data: pd.DataFrame,
    *,
    event: str,
    recorded: str | None = None,
    expected: str | float = "monthly",
    as_of=None,
) -> dict:
    """How fresh is a table: lag from event to record, and days since the last update.

    Parameters
    ----------
    data : DataFrame
        One row per record.
    event : str, keyword-only
        Column with when the thing happened (request opened, inspection done).
    recorded : str, optional
        Column with when it was entered or last updated; without it only the last update
        (latest ``event``) is checked.
    expected : {"daily", "weekly", "monthly", "quarterly", "yearly"} or number, keyword-only
        How often the table should be updated (a number is days).
    as_of : date-like, optional
        Today's date for the check (default: now).

    Returns
    -------
    dict
        ``last_update``, ``days_since_update``, ``expected_days``, ``timely`` (bool), and with
        ``recorded``: ``median_lag_days``, ``p90_lag_days``, ``share_recorded_late`` (after the
        expected interval) and ``records_before_event`` (impossible dates).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"inspected": pd.to_datetime(["2024-05-01", "2024-05-20"]),
    ...                     "entered": pd.to_datetime(["2024-05-03", "2024-06-30"])})
    >>> result = timeliness(log, event="inspected", recorded="entered", expected="weekly",
    ...                     as_of="2024-07-02")
    >>> result["median_lag_days"], result["days_since_update"], result["timely"]
    (21.5, 2.0, True)
    """
    check_table(data, [event, recorded])
    if isinstance(expected, str):
        require_keyword_choice(expected, list(EXPECTED_DAYS), argument="expected")
        expected_days = float(EXPECTED_DAYS[expected])
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool) and expected > 0:
        expected_days = float(expected)
    else:
        raise CityKitError(
            f"expected={expected!r} must be a frequency such as 'monthly' or a positive number "
            "of days."
        )
    unread: list = []
    happened = _dates(data, event, unread)
    now = to_timestamp(as_of, argument="as_of") if as_of is not None else pd.Timestamp.now()
    out: dict = {"expected_days": expected_days}
    if recorded is not None:
        entered = _dates(data, recorded, unread)
        lag = (entered - happened).dt.total_seconds() / 86400.0
        valid = lag.dropna()
        out["median_lag_days"] = float(valid[valid >= 0].median()) if (valid >= 0).any() else np.nan
        out["p90_lag_days"] = (
            float(valid[valid >= 0].quantile(0.9)) if (valid >= 0).any() else np.nan
        )
        out["share_recorded_late"] = float((valid > expected_days).mean()) if len(valid) else np.nan
        out["records_before_event"] = int((valid < 0).sum())
        last = entered.max()
    else:
        last = happened.max()
    out["last_update"] = last
    days = (now - last).total_seconds() / 86400.0 if pd.notna(last) else np.nan
    out["days_since_update"] = float(days)
    out["timely"] = bool(days <= expected_days) if not np.isnan(days) else False
    # values that are not dates are counted (a data-quality finding), never silently dropped
    out["unreadable_dates"] = int(sum(report.unparsed for report in unread))
    if out["unreadable_dates"]:
        out["unreadable_note"] = " ".join(n for report in unread for n in report.notes())
    return out


def _dates(data: pd.DataFrame, column: str, unread: list) -> pd.Series:
    report = to_datetime(data[column], column=column, errors="report")
    if report.values.notna().sum() == 0 and report.unparsed:
        raise ColumnTypeError(
            f"column {column!r} must hold dates, but none of its values could be read as a date "
            f"(e.g. {report.examples[0]!r}). Dates are read as ISO (2024-01-31), US "
            "month/day/year (04/18/2019 09:55:45 PM), day/month/year or Excel serial days."
        )
    if report.unparsed:
        unread.append(report)
    return report.values


def _load_schema(schema, resource: str | None) -> dict:
    if isinstance(schema, (str, Path)):
        path = Path(schema)
        if not path.is_file():
            raise CityKitError(f"schema file {str(path)!r} was not found.")
        schema = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(schema, Mapping):
        raise CityKitError(
            "schema must be a Table Schema (a dict with 'fields'), a resource descriptor (a dict "
            "with 'schema'), a data package (a dict with 'resources') or the path to a JSON file."
        )
    if "resources" in schema:
        names = [r.get("name") for r in schema["resources"]]
        if resource is None:
            raise CityKitError(
                f"the data package has {len(names)} resources; say which with resource=, one of: "
                + ", ".join(map(repr, names))
            )
        if resource not in names:
            raise UnknownNameError(
                f"resource={resource!r} is not in the data package; its resources are: "
                + ", ".join(map(repr, names))
                + "."
                + did_you_mean(resource, names)
            )
        schema = schema["resources"][names.index(resource)]
    if "schema" in schema:
        schema = schema["schema"]
    if "fields" not in schema:
        raise CityKitError("the schema has no 'fields' list, so it is not a Table Schema.")
    return dict(schema)


def _cell_texts(series: pd.Series, field_type: str) -> list[str]:
    out = []
    is_dt = pd.api.types.is_datetime64_any_dtype(series)
    for value in series.tolist():
        if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
            out.append("")
        elif value is pd.NA:
            out.append("")
        elif is_dt or isinstance(value, pd.Timestamp):
            stamp = pd.Timestamp(value)
            out.append(stamp.strftime("%Y-%m-%d") if field_type == "date"
                       else stamp.strftime("%Y-%m-%dT%H:%M:%S"))  # fmt: skip
        elif isinstance(value, (bool, np.bool_)):
            out.append("true" if value else "false")
        elif isinstance(value, (float, np.floating)) and float(value).is_integer():
            out.append(str(int(value)) if field_type in ("integer", "year") else repr(float(value)))
        else:
            out.append(str(value))
    return out


@keyword_only_options("schema")
def validate_schema(data: pd.DataFrame, *, schema, resource: str | None = None) -> pd.DataFrame:
    """Check a table against a Frictionless Table Schema; return one row per error.

    The table's cells are written out as they would be in a CSV file and validated with
    ``frictionless`` (types, ``required``, ``unique``, ``enum``, ``minimum``/``maximum``,
    ``pattern``, primary key), so the errors are the ones a data portal would report.

    Parameters
    ----------
    data : DataFrame
        The table.
    schema : dict, str or Path
        A Table Schema, a resource descriptor with a ``schema``, a data package (then give
        ``resource``) or the path to any of them as JSON (e.g. ``datapackage.json``).
    resource : str, optional
        The resource's name inside a data package.

    Returns
    -------
    DataFrame
        ``row`` (row number in the CSV, header = 1), ``field_number``, ``field``, ``error``
        (frictionless error type) and ``note``; empty when the table is valid.

    Examples
    --------
    >>> import pandas as pd
    >>> schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"unique": True}},
    ...                      {"name": "days", "type": "integer", "constraints": {"minimum": 0}}]}
    >>> validate_schema(pd.DataFrame({"id": [1, 1], "days": [3, -1]}), schema=schema)[
    ...     ["row", "field", "error"]]
       row field             error
    0    3  days  constraint-error
    1    3    id      unique-error
    """
    check_table(data, [])
    descriptor = _load_schema(schema, resource)
    import frictionless

    try:
        table_schema = frictionless.Schema.from_descriptor(descriptor)
    except frictionless.FrictionlessException as exc:
        raise CityKitError(f"the schema is not a valid Table Schema: {exc}") from None
    types = {f.name: f.type for f in table_schema.fields}
    header = [str(c) for c in data.columns]
    columns = [_cell_texts(data[c], types.get(str(c), "string")) for c in data.columns]
    rows = [header] + [list(r) for r in zip(*columns, strict=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.Resource(data=rows, schema=table_schema).validate()
    errors = report.flatten(["rowNumber", "fieldNumber", "fieldName", "type", "note"])
    return pd.DataFrame(errors, columns=["row", "field_number", "field", "error", "note"]).astype(
        {"row": "Int64", "field_number": "Int64"}
    )


def find_duplicates(data: pd.DataFrame, *, key: str | Sequence[str] | None = None) -> dict:
    """Count repeated rows and repeated keys.

    Parameters
    ----------
    data : DataFrame
        The table.
    key : str or list of str, optional
        Column(s) that should identify a record (e.g. ``"request_id"``).

    Returns
    -------
    dict
        ``duplicate_rows`` (rows identical to an earlier row), and with ``key``:
        ``duplicate_keys`` (rows whose key repeats an earlier row's), ``missing_keys`` and
        ``examples`` (up to five repeated key values).

    Examples
    --------
    >>> import pandas as pd
    >>> find_duplicates(pd.DataFrame({"id": [1, 2, 2, 3], "x": ["a", "b", "b", "c"]}), key="id")
    {'duplicate_rows': 1, 'duplicate_keys': 1, 'missing_keys': 0, 'examples': [2]}
    """
    check_table(data, [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hashed = pd.util.hash_pandas_object(data.astype("string"), index=False)
    out: dict = {"duplicate_rows": int(hashed.duplicated().sum())}
    if key is not None:
        keys = [key] if isinstance(key, str) else list(key)
        require_columns(data, keys, argument="data")
        missing = data[keys].isna().any(axis=1)
        repeated = data[keys][~missing].duplicated()
        out["duplicate_keys"] = int(repeated.sum())
        out["missing_keys"] = int(missing.sum())
        values = data[keys][~missing][repeated].drop_duplicates().head(5)
        out["examples"] = (
            values[keys[0]].tolist() if len(keys) == 1 else [tuple(v) for v in values.to_numpy()]
        )
    return out


class _SummaryText(str):
    """The sentence of :meth:`DataProfile.summary`, still readable by key for one release.

    Reading it as the dict it used to be warns (FutureWarning) and names
    :meth:`DataProfile.inventory_row`.
    """

    def __new__(cls, text: str, row: dict):
        out = super().__new__(cls, text)
        out._row = row
        return out

    def _old(self) -> dict:
        warnings.warn(
            "DataProfile.summary() is now a sentence; its numbers by name are "
            "DataProfile.inventory_row(); reading summary() as a dict stops working in the next "
            "release",
            FutureWarning,
            stacklevel=3,
        )
        return self._row

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._old()[key]
        return str.__getitem__(self, key)

    def keys(self):
        return self._old().keys()

    def items(self):
        return self._old().items()

    def values(self):
        return self._old().values()

    def get(self, key, default=None):
        return self._old().get(key, default)


@dataclass(frozen=True, eq=False)
class DataProfile:
    """Quality profile of one table (see :func:`profile_table`)."""

    name: str
    rows: int
    columns: int
    completeness: pd.DataFrame = field(repr=False)
    duplicates: dict = field(repr=False)
    timeliness: dict | None = field(repr=False, default=None)
    schema_errors: pd.DataFrame | None = field(repr=False, default=None)

    @property
    def share_missing(self) -> float:
        """Share of all cells that are missing."""
        cells = self.rows * self.columns
        return float(self.completeness["missing"].sum() / cells) if cells else float("nan")

    def inventory_row(self) -> dict:
        """One row of :func:`inventory`: the headline numbers of this profile, by name."""
        worst = self.completeness.iloc[0]
        out = {
            "dataset": self.name,
            "rows": self.rows,
            "columns": self.columns,
            "share_missing": self.share_missing,
            "worst_column": worst["column"] if worst["missing"] > 0 else "",
            "worst_share_missing": float(worst["share_missing"]),
            "duplicate_rows": self.duplicates.get("duplicate_rows", 0),
            "duplicate_keys": self.duplicates.get("duplicate_keys", np.nan),
            "last_update": pd.NaT,
            "days_since_update": np.nan,
            "timely": pd.NA,
            "schema_errors": pd.NA,
            "valid": pd.NA,
        }
        if self.timeliness is not None:
            out["last_update"] = self.timeliness["last_update"]
            out["days_since_update"] = self.timeliness["days_since_update"]
            out["timely"] = self.timeliness["timely"]
        if self.schema_errors is not None:
            out["schema_errors"] = len(self.schema_errors)
            out["valid"] = len(self.schema_errors) == 0
        return out

    def summary(self) -> str:
        """The profile in one plain sentence (the numbers by name: :meth:`inventory_row`).

        Examples
        --------
        >>> import pandas as pd
        >>> profile_table(pd.DataFrame({"id": [1, 2, 2]}), name="permits").summary()
        'permits: 3 rows x 1 columns; 0.0% of cells missing; 1 duplicate rows'
        """
        return _SummaryText(self._sentence(), self.inventory_row())

    def _sentence(self) -> str:
        s = self.inventory_row()
        parts = [f"{self.name}: {self.rows:,} rows x {self.columns} columns",
                 f"{s['share_missing']:.1%} of cells missing"]  # fmt: skip
        if s["worst_column"]:
            parts.append(f"worst column {s['worst_column']!r} ({s['worst_share_missing']:.1%})")
        parts.append(f"{s['duplicate_rows']} duplicate rows")
        if self.timeliness is not None:
            parts.append(f"{s['days_since_update']:.0f} days since the last update"
                         + ("" if s["timely"] else " (late)"))  # fmt: skip
        if self.schema_errors is not None:
            parts.append(f"{s['schema_errors']} schema errors")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<DataProfile {self._sentence()}>"

    def _repr_html_(self) -> str:
        errors = self.schema_errors
        shown_errors = errors.head(10) if errors is not None and len(errors) else None
        return html_result(
            self._sentence(),
            title=self.name,
            tables=[(None, self.completeness.head(10)), ("Schema errors (first 10)", shown_errors)],
            index=False,
        )


def profile_table(
    data: pd.DataFrame,
    *,
    name: str = "table",
    key: str | Sequence[str] | None = None,
    event: str | None = None,
    recorded: str | None = None,
    expected: str | float = "monthly",
    as_of=None,
    schema=None,
    resource: str | None = None,
) -> DataProfile:
    """Profile one table: completeness, duplicates, and (when asked) timeliness and validity.

    Parameters
    ----------
    data : DataFrame
        The table.
    name : str, keyword-only
        What to call it in the inventory.
    key : str or list of str, optional
        Column(s) that should identify a record.
    event, recorded, expected, as_of :
        As in :func:`timeliness` (skipped without ``event``).
    schema, resource :
        As in :func:`validate_schema` (skipped without ``schema``).

    Returns
    -------
    DataProfile

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"id": [1, 2, 2], "opened": ["2024-01-02", None, "2024-01-09"]})
    >>> profile_table(table, name="requests", key="id", event="opened", as_of="2024-01-20")
    <DataProfile requests: 3 rows x 2 columns; 16.7% of cells missing; worst column 'opened' (33.3%); 0 duplicate rows; 11 days since the last update>
    """
    check_table(data, [])
    timely = None
    if event is not None:
        timely = timeliness(data, event=event, recorded=recorded, expected=expected, as_of=as_of)
    errors = validate_schema(data, schema=schema, resource=resource) if schema is not None else None
    return DataProfile(
        name=str(name),
        rows=len(data),
        columns=data.shape[1],
        completeness=completeness(data),
        duplicates=find_duplicates(data, key=key),
        timeliness=timely,
        schema_errors=errors,
    )


def inventory(tables: Mapping[str, pd.DataFrame | DataProfile], **options) -> pd.DataFrame:
    """Summarise the quality of many datasets, one row each (the start of a data inventory).

    Parameters
    ----------
    tables : mapping of name to DataFrame or DataProfile
        The datasets. DataFrames are profiled with :func:`profile_table` and ``options``.
    **options
        Passed to :func:`profile_table` for DataFrames (e.g. ``as_of``). Per-table settings
        are best given by profiling each table first and passing the profiles.

    Returns
    -------
    DataFrame
        One row per dataset: ``dataset, rows, columns, share_missing, worst_column,
        worst_share_missing, duplicate_rows, duplicate_keys, last_update, days_since_update,
        timely, schema_errors, valid``.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {"permits": pd.DataFrame({"id": [1, 2]}),
    ...           "inspections": pd.DataFrame({"id": [1, 1], "result": ["pass", None]})}
    >>> inventory(tables)[["dataset", "rows", "share_missing", "duplicate_rows"]]
           dataset  rows  share_missing  duplicate_rows
    0  inspections     2           0.25               0
    1      permits     2           0.00               0
    """
    if not isinstance(tables, Mapping) or not tables:
        raise CityKitError(
            "tables must be a non-empty mapping of dataset name to table, e.g. "
            "{'service_requests': requests, 'permits': permits}."
        )
    rows = []
    for name, table in tables.items():
        if isinstance(table, DataProfile):
            profile = table
        elif isinstance(table, pd.DataFrame):
            profile = profile_table(table, name=name, **options)
        else:
            raise CityKitError(
                f"dataset {name!r} is a {type(table).__name__}; give a DataFrame or a DataProfile."
            )
        rows.append({**profile.inventory_row(), "dataset": str(name)})
    out = pd.DataFrame(rows)
    return out.sort_values("dataset", kind="stable").reset_index(drop=True)

"""Turn a city's own export into one of the course's tables, saying what was mapped, defaulted or dropped.

A city's 311 export has its own column names ("Created Date"), its own statuses ("Assigned",
"Pending"), its own way of writing dates ("04/18/2019 09:55:45 PM") and often no column for a
service level. :func:`citykit.datasets.conform` takes a small mapping of those differences and
returns a table in the shape of the course's schema (``citykit.datasets.describe(name)``), which
every lesson accepts, with a report of each thing it did: columns renamed, values mapped, dates
parsed (and those it could not parse), columns filled with a default, columns and rows dropped.
:func:`citykit.datasets.check_values` counts the values outside a column's allowed values. This
module does the work for both; it knows nothing of where tables live (``datasets`` looks the
schema up and passes it in).

Examples
--------
>>> import pandas as pd
>>> from citykit import datasets
>>> export = pd.DataFrame({
...     "Unique Key": ["1", "2", "3"],
...     "Created Date": ["04/18/2019 09:55:45 PM", "04/19/2019 08:00:00 AM", "bad"],
...     "Closed Date": ["04/19/2019 03:45:24 AM", None, None],
...     "Status": ["Closed", "Assigned", "Pending"],
...     "Agency": ["NYPD", "DSNY", "DSNY"],
...     "Complaint Type": ["Noise", "Dirty Condition", "Dirty Condition"],
...     "Borough": ["BROOKLYN", "QUEENS", "QUEENS"],
...     "Open Data Channel Type": ["PHONE", "ONLINE", "MOBILE"],
... })
>>> result = datasets.conform(
...     export,
...     columns={"request_id": "Unique Key", "opened_at": "Created Date",
...              "closed_at": "Closed Date", "status": "Status", "department": "Agency",
...              "service_type": "Complaint Type", "district": "Borough",
...              "channel": "Open Data Channel Type"},
...     value_maps={"status": {"Assigned": "Open", "Pending": "Open"},
...             "channel": {"ONLINE": "Web", "MOBILE": "Mobile app"}},
...     dates={"opened_at": "mdy", "closed_at": "mdy"},
...     defaults={"sla_days": None},
... )
>>> result.table[["request_id", "status", "channel"]]
   request_id  status channel
0           1  Closed   Phone
1           2    Open     Web
>>> result.dropped_rows
1
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from citykit._dates import DATE_FORMATS as _DATE_FORMATS
from citykit._dates import parse_dates
from citykit._files import CityFile, read_city_file
from citykit.errors import CityKitError, MissingColumnError, UnknownNameError, did_you_mean

__all__ = [
    "Conformed",
    "conform_to_schema",
    "values_outside",
    "STRICT_VALUES",
    "COURSE_VALUES",
    "DATE_FORMATS",
    "date_format",
    "fitting_date_format",
]

#: Columns whose values the toolkit computes with (a lesson counts ``status == "Open"``): values
#: outside the allowed ones must be mapped, or :func:`conform` stops and lists them. Other
#: columns with allowed values (departments, districts ...) keep the city's own names.
STRICT_VALUES: dict[str, tuple[str, ...]] = {"service_requests": ("status",)}

#: Columns whose allowed values are the course's own words (lessons filter on ``"Phone"``): a value
#: that differs from an allowed one only by upper/lower case ("PHONE") is mapped to it, and listed
#: in the report. Other columns keep the city's spelling.
COURSE_VALUES: dict[str, tuple[str, ...]] = {"service_requests": ("status", "channel")}

#: Date formats ``dates=`` accepts: the toolkit's own (``"iso"``, ``"mdy"``, ``"dmy"``,
#: ``"excel"``, ``"auto"``; see :data:`citykit._dates.DATE_FORMATS`), read by the toolkit's one
#: date reader (:func:`citykit._dates.parse_dates`). A strftime format such as
#: ``"%m/%d/%Y %I:%M:%S %p"`` is accepted too and names the same family by the order of its
#: day, month and year (``"ISO8601"`` is ``"iso"``). :func:`conform` never guesses silently: a
#: column whose dates do not read stops with the formats they fit.
DATE_FORMATS = tuple(_DATE_FORMATS)

#: The formats suggested when a column's dates do not read, in the order they are tried.
_SUGGESTED = ("iso", "mdy", "dmy", "excel")

_EXAMPLES = 3
_REPORT_COLUMNS = ["column", "action", "rows", "detail", "examples"]


@dataclass(frozen=True)
class Conformed:
    """A city's export in the shape of one of the course's tables, with what was done to it.

    Attributes
    ----------
    table : DataFrame
        The schema's columns, in its order and with its types (an extra column is never kept).
    name : str
        The course table it conforms to, e.g. ``"service_requests"``.
    report : DataFrame
        One row per thing done: ``column``, ``action`` (``renamed``, ``kept``, ``values mapped``,
        ``dates parsed``, ``not parsed``, ``defaulted``, ``outside allowed values``,
        ``columns dropped``, ``rows dropped``, ``missing values``, ``duplicate keys``), ``rows``
        affected, ``detail`` and ``examples``.
    source : CityFile or None
        What was detected when reading a file (encoding, separator), or ``None`` for a table.
    descriptor : dict or None
        The course's resource descriptor (schema) the table was conformed to.
    """

    table: pd.DataFrame = field(repr=False)
    name: str
    report: pd.DataFrame = field(repr=False)
    source: CityFile | None = field(default=None, repr=False)
    descriptor: dict | None = field(default=None, repr=False)

    @property
    def dropped_rows(self) -> int:
        """The number of the export's rows left out (see the report for why)."""
        rows = self.report.loc[self.report["action"] == "rows dropped", "rows"]
        return int(rows.sum())

    def summary(self) -> str:
        """What was read, mapped, defaulted and dropped, in plain lines."""
        lines = []
        if self.source is not None:
            lines.append(self.source.summary())
        lines.append(f"Conformed to {self.name!r}: {len(self.table):,} rows.")
        for row in self.report.itertuples(index=False):
            text = f"  {row.column}: {row.action}"
            text += f" ({row.rows:,} rows)" if pd.notna(row.rows) else ""
            text += f" — {row.detail}" if row.detail else ""
            text += f"; e.g. {row.examples}" if row.examples else ""
            lines.append(text)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def save(self, folder: str | Path) -> Path:
        """Write the table as ``<folder>/<name>.csv`` for ``datasets.load(name, data_dir=folder)``.

        Returns the path written. Dates are written as ISO 8601 (``2019-04-18T21:55:45``). The
        table's schema goes into ``<folder>/datapackage.json`` (added to the package already
        there, or a new one): the course's, with the city's own names as the allowed values of
        its departments, request types and districts, and a column the export does not have
        (left empty) no longer required. Loading and schema checks then judge the city's data by
        its own names, not the sample city's.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = self.table.copy()
        for column in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[column]):
                out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
        path = folder / f"{self.name}.csv"
        out.to_csv(path, index=False, encoding="utf-8")
        if self.descriptor is not None:
            self._save_schema(folder, path.name)
        return path

    def _save_schema(self, folder: Path, filename: str) -> None:
        resource = copy.deepcopy(self.descriptor)
        resource["path"] = filename
        resource.pop("sources", None)
        resource["description"] = f"{self.name} conformed from a city's own export."
        course_words = COURSE_VALUES.get(self.name, ())
        for f in resource["schema"]["fields"]:
            column = self.table[f["name"]]
            constraints = f.setdefault("constraints", {})
            if column.isna().all():  # not in the export: recorded as such, not as missing data
                constraints.pop("required", None)
            if "enum" in constraints and f["name"] not in course_words:
                constraints["enum"] = sorted(str(v) for v in column.dropna().unique())
            if not constraints:
                f.pop("constraints")
        package_path = folder / "datapackage.json"
        if package_path.is_file():
            package = json.loads(package_path.read_text(encoding="utf-8"))
            others = [r for r in package.get("resources", []) if r.get("name") != self.name]
            package["resources"] = [*others, resource]
        else:
            package = {"name": "city-exports", "resources": [resource]}
        package_path.write_text(
            json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def conform_to_schema(
    data: pd.DataFrame | CityFile | str | Path,
    descriptor: dict,
    *,
    columns: Mapping[str, str] | None = None,
    value_maps: Mapping[str, Mapping[str, str | None]] | None = None,
    dates: Mapping[str, str] | None = None,
    defaults: Mapping[str, object] | None = None,
    encoding: str | None = None,
    separator: str | None = None,
    sheet: str | int | None = None,
) -> Conformed:
    """Conform ``data`` to the table ``descriptor`` (a Frictionless resource) describes.

    The work behind :func:`citykit.datasets.conform`, which looks the descriptor up by name and
    documents every option.
    """
    name = descriptor["name"]
    fields = descriptor["schema"]["fields"]
    field_names = [f["name"] for f in fields]
    source = None
    if isinstance(data, (str, Path)):
        source = read_city_file(data, encoding=encoding, separator=separator, sheet=sheet)
        export = source.table
    elif isinstance(data, CityFile):
        source, export = data, data.table
    elif isinstance(data, pd.DataFrame):
        export = data
    else:
        raise CityKitError(
            f"data must be a table (DataFrame) or the path of an export file, but a "
            f"{type(data).__name__} was given."
        )
    columns = _mapping(columns, "columns")
    value_maps = _mapping(value_maps, "value_maps")
    dates = _mapping(dates, "dates")
    defaults = _mapping(defaults, "defaults")
    export_columns = [str(c) for c in export.columns]
    for target, source_column in columns.items():
        if target not in field_names:
            raise UnknownNameError(
                f"columns= names {target!r}, which is not a column of {name!r}."
                f"{did_you_mean(target, field_names)} Its columns are: {', '.join(field_names)}."
            )
        if source_column not in export_columns:
            raise MissingColumnError(
                f"columns= takes {target!r} from {source_column!r}, which is not a column of the "
                f"export.{did_you_mean(source_column, export_columns)} The export's columns are: "
                f"{', '.join(map(repr, export_columns))}."
            )
    for argument, given in (("value_maps", value_maps), ("dates", dates), ("defaults", defaults)):
        for target in given:
            if target not in field_names:
                raise UnknownNameError(
                    f"{argument}= names {target!r}, which is not a column of {name!r}."
                    f"{did_you_mean(target, field_names)} Its columns are: "
                    f"{', '.join(field_names)}."
                )
    source_of = dict(columns)
    for target in field_names:
        if target not in source_of and target in export_columns and target not in defaults:
            source_of[target] = target

    rows: list[dict] = []
    missing = []
    for f in fields:
        target = f["name"]
        if target in source_of or target in defaults:
            continue
        if _required(f):
            missing.append(target)
    if missing:
        unused = [c for c in export_columns if c not in source_of.values()]
        parts = []
        for target in missing:
            hint = did_you_mean(target, unused).strip()
            parts.append(f"{target!r}" + (f" ({hint})" if hint else ""))
        raise MissingColumnError(
            f"The export has no column for {', '.join(parts)}, which {name!r} requires. Map an "
            "export column with columns={'<course column>': '<export column>'}, or if your city "
            "has none, give a value with defaults= (defaults={'sla_days': None} leaves it empty; "
            "the lessons that need it say so and skip those steps). The export's unused columns "
            f"are: {', '.join(map(repr, unused)) or 'none'}."
        )

    out: dict[str, pd.Series] = {}
    drop = pd.Series(False, index=export.index)
    drop_reasons: list[str] = []
    for f in fields:
        target = f["name"]
        if target not in source_of:
            default = defaults.get(target)
            out[target] = pd.Series([default] * len(export), index=export.index, dtype=object)
            rows.append(
                _row(
                    target,
                    "defaulted",
                    len(export),
                    "left empty" if default is None else f"set to {default!r}",
                    ""
                    if _required(f) or default is not None
                    else "optional column, not in the export",
                )
            )
            continue
        src = source_of[target]
        raw = export[src]
        rows.append(
            _row(
                target,
                "kept" if src == target else "renamed",
                int(raw.notna().sum()),
                "" if src == target else f"from {src!r}",
            )
        )
        kind = f["type"]
        if kind in ("date", "datetime"):
            converted, bad = _dates(raw, target, dates.get(target, "iso"), rows)
        elif kind in ("integer", "year", "number"):
            converted, bad = _numbers(raw, integer=kind != "number")
            if bad.any():
                rows.append(
                    _row(
                        target,
                        "not parsed",
                        int(bad.sum()),
                        f"not {'a whole number' if kind != 'number' else 'a number'}",
                        _examples(raw[bad]),
                    )
                )
        elif kind == "boolean":
            text = _text(raw).str.lower()
            truth = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
            converted = text.map(truth).astype("boolean")
            bad = text.notna() & converted.isna()
            if bad.any():
                rows.append(
                    _row(
                        target, "not parsed", int(bad.sum()), "not true/false", _examples(raw[bad])
                    )
                )
        else:
            converted = _strings(raw, f, value_maps.get(target, {}), name=name, rows=rows)
            bad = pd.Series(False, index=export.index)
        if bad.any() and _required(f):
            drop |= bad
            drop_reasons.append(f"{target} not parsed ({int(bad.sum())})")
        out[target] = converted

    table = pd.DataFrame(out, index=export.index)
    dropped_columns = [c for c in export_columns if c not in source_of.values()]
    if dropped_columns:
        rows.append(
            _row(
                "(export)",
                "columns dropped",
                None,
                f"{len(dropped_columns)} columns not mapped",
                ", ".join(dropped_columns[:8]) + (", ..." if len(dropped_columns) > 8 else ""),
            )
        )
    if drop.any():
        example_ids = export.loc[drop].index[:_EXAMPLES].tolist()
        rows.append(
            _row(
                "(export)",
                "rows dropped",
                int(drop.sum()),
                "; ".join(drop_reasons),
                f"rows {example_ids} of the export",
            )
        )
    table = table.loc[~drop].reset_index(drop=True)
    table = _typed(table, fields)
    for f in fields:
        if _required(f) and f["name"] in source_of and table[f["name"]].isna().any():
            n = int(table[f["name"]].isna().sum())
            rows.append(_row(f["name"], "missing values", n, "required by the schema, left empty"))
    key = [k for k in descriptor["schema"].get("primaryKey", []) if k in table.columns]
    repeated = table.duplicated(subset=key, keep=False) & table[key].notna().all(axis=1)
    if key and repeated.any():
        examples = table.loc[repeated, key[0]].drop_duplicates().head(_EXAMPLES).tolist()
        rows.append(
            _row(
                ", ".join(key),
                "duplicate keys",
                int(repeated.sum()),
                "kept: rows that share a key (two exports that overlap?)",
                ", ".join(map(str, examples)),
            )
        )
    outside = values_outside(table, descriptor, kind="city")
    for row in outside.itertuples(index=False):
        detail = (
            "the lessons compare with these words: map them with value_maps="
            if row.column in COURSE_VALUES.get(name, ())
            else "kept: the city's own names (lessons take them from the data)"
        )
        rows.append(
            _row(row.column, "outside allowed values", int(row.outside), detail, row.examples)
        )
    report = pd.DataFrame(rows, columns=_REPORT_COLUMNS).astype({"rows": "Int64"})
    return Conformed(table=table, name=name, report=report, source=source, descriptor=descriptor)


def values_outside(data: pd.DataFrame, descriptor: dict, *, kind: str = "all") -> pd.DataFrame:
    """The values of ``data`` outside each column's allowed values in ``descriptor``.

    The work behind :func:`citykit.datasets.check_values`, which documents it.
    """
    name = descriptor["name"]
    if kind not in ("all", "city", "strict"):
        raise CityKitError(f"kind={kind!r} must be 'all', 'city' or 'strict'.")
    strict = STRICT_VALUES.get(name, ())
    found = []
    for f in descriptor["schema"]["fields"]:
        allowed = f.get("constraints", {}).get("enum")
        if not allowed or f["name"] not in data.columns:
            continue
        if (kind == "city" and f["name"] in strict) or (
            kind == "strict" and f["name"] not in strict
        ):
            continue
        text = _text(data[f["name"]])
        out = text[text.notna() & ~text.isin(allowed)]
        if len(out):
            counts = out.value_counts()
            found.append(
                {
                    "column": f["name"],
                    "outside": len(out),
                    "distinct": len(counts),
                    "examples": ", ".join(
                        f"{v!r} ({n:,})" for v, n in counts.head(_EXAMPLES).items()
                    ),
                    "allowed": ", ".join(allowed),
                }
            )
    return pd.DataFrame(found, columns=["column", "outside", "distinct", "examples", "allowed"])


# --- helpers ------------------------------------------------------------------------------------


def _mapping(given, argument: str) -> dict:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise CityKitError(
            f"{argument}= must be a dict, e.g. {argument}={{'Created Date': 'opened_at'}}, but a "
            f"{type(given).__name__} was given."
        )
    return {str(k): v for k, v in given.items()}


def _required(f: dict) -> bool:
    return bool(f.get("constraints", {}).get("required", False))


def _row(column, action, rows, detail="", examples="") -> dict:
    return {
        "column": column,
        "action": action,
        "rows": rows,
        "detail": detail,
        "examples": examples,
    }


def _text(raw: pd.Series) -> pd.Series:
    """Values as stripped text (missing stays missing; blanks become missing)."""
    text = raw.astype("string").str.strip()
    return text.mask(text == "")


def _examples(values: pd.Series) -> str:
    counts = values.astype("string").value_counts()
    return ", ".join(f"{v!r}" for v in counts.index[:_EXAMPLES])


def _numbers(raw: pd.Series, *, integer: bool) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        number = pd.to_numeric(raw, errors="coerce").astype("float64")
        present = raw.notna()
    else:
        text = _text(raw)
        present = text.notna()
        number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        number = number.astype("float64")
    bad = present & (number.isna() | ~np.isfinite(number.fillna(0)))
    if integer:
        bad |= present & number.notna() & (number % 1 != 0)
    return number.where(~bad), bad


def date_format(fmt: object, *, column: str = "dates") -> str:
    """The toolkit's date format (one of :data:`DATE_FORMATS`) that ``fmt`` names.

    Examples
    --------
    >>> date_format("%m/%d/%Y %I:%M:%S %p"), date_format("ISO8601"), date_format("dmy")
    ('mdy', 'iso', 'dmy')
    """
    if isinstance(fmt, str):
        key = fmt.strip()
        if key.lower() in _DATE_FORMATS:
            return key.lower()
        if key.upper() == "ISO8601":
            return "iso"
        order = [m for m in re.findall(r"%([YymdbBj])", key) if m in "Yymd"]
        if order[:3] == ["Y", "m", "d"]:
            return "iso"
        if order[:2] == ["m", "d"]:
            return "mdy"
        if order[:2] == ["d", "m"]:
            return "dmy"
    raise CityKitError(
        f"dates[{column!r}] is {fmt!r}, which is not a date format the toolkit reads. Pass one "
        + ", ".join(f"{k!r} ({v})" for k, v in _DATE_FORMATS.items())
        + "; a strftime format such as '%m/%d/%Y %I:%M:%S %p' names its family."
    )


def _read(values: pd.Series, fmt: str, target: str):
    return parse_dates(values.reset_index(drop=True), format=fmt, column=target)


def _dates(raw: pd.Series, target: str, fmt, rows: list) -> tuple[pd.Series, pd.Series]:
    fmt = date_format(fmt, column=target)
    report = parse_dates(raw, format=fmt, column=target)
    values = report.values
    present = _present(raw.astype(object))
    bad = present & values.isna()
    aware = isinstance(raw.dtype, pd.DatetimeTZDtype)
    if present.any() and not (present & ~bad).any():
        sample = raw[present].head(200)
        read = {f: len(sample) - _read(sample, f, target).unparsed for f in _SUGGESTED if f != fmt}
        best = max(read.values())
        fits = [f for f, n in read.items() if best and n == best]  # those that read the most
        hint = (
            f" They fit {fits[0]!r} ({_DATE_FORMATS[fits[0]]}): pass "
            f"dates={{{target!r}: {fits[0]!r}}}."
            + (
                f" (They also fit {fits[1]!r}: check which is right.)"
                if len(fits) > 1 and set(fits[:2]) == {"mdy", "dmy"}
                else ""
            )
            if fits
            else " Pass dates={"
            + repr(target)
            + ": <format>} with one of "
            + ", ".join(map(repr, _DATE_FORMATS))
            + ", e.g. 'mdy' for 04/18/2019 09:55:45 PM."
        )
        raise CityKitError(
            f"column {target!r}: none of its {int(present.sum()):,} dates is in the format "
            f"{fmt!r} ({_DATE_FORMATS[fmt]}), e.g. {_examples(raw[bad])}.{hint}"
        )
    rows.append(
        _row(
            target,
            "dates parsed",
            int((present & ~bad).sum()),
            "time zone dropped: local clock times kept" if aware else f"format {fmt!r}",
        )
    )
    if report.ambiguous:
        rows.append(
            _row(
                target,
                "ambiguous dates",
                report.ambiguous,
                "read month first (US); pass 'dmy' if they are day first",
            )
        )
    if bad.any():
        rows.append(
            _row(
                target,
                "not parsed",
                int(bad.sum()),
                f"not in the format {fmt!r}",
                _examples(raw[bad]),
            )
        )
    return values, bad


def _present(raw: pd.Series) -> pd.Series:
    """Values present in an object column (blank text is missing, as for the date reader)."""
    return raw.map(lambda v: not (v is None or (isinstance(v, str) and not v.strip()))) & (
        raw.notna()
    )


def fitting_date_format(values: pd.Series, *, sample: int = 200) -> str | None:
    """The first date format that reads every one of the first ``sample`` values, or ``None``.

    Tried in order: ``"iso"``, ``"mdy"``, ``"dmy"``, ``"excel"``.

    Examples
    --------
    >>> fitting_date_format(pd.Series(["04/18/2019 09:55:45 PM", None]))
    'mdy'
    """
    present = values[_present(values.astype(object))].head(sample)
    if present.empty:
        return None
    for fmt in _SUGGESTED:
        if _read(present, fmt, str(values.name)).unparsed == 0:
            return fmt
    return None


def _strings(raw, f: dict, mapping: Mapping, *, name: str, rows: list) -> pd.Series:
    target = f["name"]
    text = _text(raw)
    allowed = f.get("constraints", {}).get("enum") or []
    changed = pd.Series(False, index=text.index)
    result = text.astype(object).where(text.notna(), np.nan)
    if mapping:
        if not isinstance(mapping, Mapping):
            raise CityKitError(
                f"value_maps[{target!r}] must be a dict of the export's value → the course's value."
            )
        keys = {str(k).strip(): v for k, v in mapping.items()}
        hit = text.isin(list(keys))
        result = result.where(~hit, text[hit].map(keys))
        changed |= hit
        unknown_keys = [k for k in keys if not text.eq(k).any()]
        if unknown_keys:
            rows.append(
                _row(
                    target,
                    "values not found",
                    None,
                    "mapped in value_maps= but not in the export",
                    ", ".join(map(repr, unknown_keys[:_EXAMPLES])),
                )
            )
    if allowed and target in COURSE_VALUES.get(name, ()):
        lowered = {a.lower(): a for a in allowed}
        untouched = ~changed & text.notna() & ~text.isin(allowed)
        case = untouched & text.str.lower().isin(list(lowered))
        result = result.where(~case, text[case].str.lower().map(lowered))
        changed |= case
    if changed.any():
        pairs = pd.DataFrame({"from": text[changed], "to": result[changed].astype("string")})
        counts = pairs.value_counts(dropna=False)
        examples = ", ".join(
            f"{a!r} → {b if pd.isna(b) else repr(b)} ({n:,})"
            for (a, b), n in counts.head(2 * _EXAMPLES).items()
        )
        rows.append(_row(target, "values mapped", int(changed.sum()), "", examples))
    if allowed and target in STRICT_VALUES.get(name, ()):
        res = pd.Series(result, index=text.index).astype("string")
        outside = res.notna() & ~res.isin(allowed)
        if outside.any():
            counts = res[outside].value_counts()
            listed = ", ".join(f"{v!r} ({n:,})" for v, n in counts.items())
            raise CityKitError(
                f"column {target!r} has values the lessons cannot count: {listed}. The allowed "
                f"values are {', '.join(map(repr, allowed))}. Map each one with value_maps="
                f"{{{target!r}: {{{counts.index[0]!r}: {allowed[0]!r}, ...}}}}, or to None to "
                "leave it empty."
                + (
                    " Statuses such as 'Assigned', 'Pending' or 'In Progress' are 'Open'."
                    if target == "status"
                    else ""
                )
            )
    return result


def _typed(table: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    out = {}
    for f in fields:
        values = table[f["name"]]
        kind = f["type"]
        if kind in ("integer", "year"):
            out[f["name"]] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif kind == "number":
            out[f["name"]] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif kind in ("date", "datetime"):
            out[f["name"]] = pd.to_datetime(values).astype("datetime64[ns]")
        elif kind == "boolean":
            out[f["name"]] = values.astype("boolean")
        elif f.get("constraints", {}).get("enum"):
            text = values.astype(object).where(values.notna(), np.nan)
            out[f["name"]] = text.astype("category")
        else:
            out[f["name"]] = values.astype(object).where(values.notna(), np.nan)
    return pd.DataFrame(out, index=table.index)

"""One reader of dates and periods for the whole toolkit.

City exports write dates in a few ways: ISO (``2024-01-31``, ``2024-01-31T14:05:00``), US
month/day/year with a 12-hour clock (``04/18/2019 09:55:45 PM``), day/month/year, and Excel
serial days (``45322`` for 2024-01-31). A column may even mix two of them. This module reads
them all the same way everywhere:

* the format is chosen per column with ``format=`` (one of :data:`DATE_FORMATS`), or inferred
  value by value with ``format="auto"``; slash dates that read both ways (``03/04/2024``) are
  read month first and counted as *ambiguous* in the report;
* values that cannot be read are counted, with examples: :func:`parse_dates` returns them in a
  :class:`DateParse` report, :func:`to_dates` raises a :class:`~citykit.errors.CityKitError`
  naming the column — never a silent ``NaT``;
* already-parsed datetimes pass through: timezone-aware ones become the local wall-clock time of
  their own zone (so months and days are the city's), Arrow-backed ones become ``datetime64``;
* :func:`period_sort_key` orders periods in time, so text periods such as ``"02/01/2024"`` sort
  after ``"12/01/2023"``, not alphabetically.

Examples
--------
>>> import pandas as pd
>>> from citykit._dates import parse_dates
>>> mixed = pd.Series(["2024-01-31 08:00:00", "02/01/2024 09:55:45 PM", "45322", None, "soon"])
>>> report = parse_dates(mixed, column="closed_at")
>>> report.values.dt.strftime("%Y-%m-%d %H:%M").tolist()[:3]
['2024-01-31 08:00', '2024-02-01 21:55', '2024-01-31 00:00']
>>> report.unparsed, report.examples
(1, ('soon',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, ColumnTypeError, require_keyword_choice

__all__ = [
    "DATE_FORMATS",
    "DateParse",
    "parse_dates",
    "to_dates",
    "period_sort_key",
    "order_periods",
    "to_timestamp",
]

#: The formats a column can be declared to hold (``format=``), with what each reads.
DATE_FORMATS = {
    "auto": "each value in whichever format below it is written in (ambiguous slash dates "
    "read month first, and counted)",
    "iso": "ISO 8601: 2024-01-31, 2024-01-31 14:05, 2024-01-31T14:05:00Z",
    "mdy": "US month/day/year, optionally with a time: 01/31/2024, 04/18/2019 09:55:45 PM",
    "dmy": "day/month/year, optionally with a time: 31/01/2024, 31.01.2024 14:05",
    "excel": "Excel serial days (days since 1899-12-30): 45322 is 2024-01-31",
}

_ISO = re.compile(
    r"^\d{4}(-\d{1,2}(-\d{1,2}([T ]\d{1,2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_SLASH = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.(\d+))?)?\s*([AaPp][Mm])?)?$"
)
_SERIAL = re.compile(r"^\d{4,6}(\.\d+)?$")
#: Excel serial days accepted as dates: 1900-01-01 to 2173-10-14.
_SERIAL_RANGE = (1.0, 100000.0)
_EXCEL_ORIGIN = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class DateParse:
    """What :func:`parse_dates` read from a column.

    Attributes
    ----------
    values : pandas.Series
        ``datetime64[ns]`` values, timezone-naive, with the input's index; ``NaT`` where the
        input was missing or could not be read.
    column : str
        The column's name, for messages.
    format : str
        The format asked for (one of :data:`DATE_FORMATS`).
    missing : int
        Values that were missing (None, NaN, empty text) in the input.
    unparsed : int
        Values present in the input that could not be read as dates.
    examples : tuple
        Up to five of those values.
    ambiguous : int
        Slash dates that read as a date both month first and day first (``03/04/2024``); with
        ``format="auto"`` they are read month first.
    """

    values: pd.Series
    column: str
    format: str
    missing: int = 0
    unparsed: int = 0
    examples: tuple = ()
    ambiguous: int = 0

    def notes(self) -> list[str]:
        """Sentences about what was not read or was read by a guess (empty when nothing)."""
        out = []
        if self.unparsed:
            out.append(
                f"{self.unparsed:,} value(s) of {self.column!r} could not be read as dates "
                f"(e.g. {', '.join(map(repr, self.examples))}) and are treated as missing."
            )
        if self.ambiguous:
            out.append(
                f"{self.ambiguous:,} value(s) of {self.column!r} read both as month/day and "
                "day/month; they were read month first (US). Pass format='dmy' if they are "
                "day first."
            )
        return out


def _is_missing_text(text: pd.Series) -> pd.Series:
    return text.isna() | (text.str.strip() == "")


def _from_datetimes(values: pd.Series) -> pd.Series:
    """Datetime-like values (numpy, tz-aware, Arrow) as naive ``datetime64[ns]`` wall time."""
    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        unit_type = dtype.pyarrow_dtype
        tz = getattr(unit_type, "tz", None)
        if pa.types.is_date(unit_type):
            return pd.to_datetime(values.astype("object")).astype("datetime64[ns]")
        values = values.astype(pd.DatetimeTZDtype(tz=tz) if tz else "datetime64[ns]")
        dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.astype("datetime64[ns]")


def _slash_parts(text: pd.Series) -> pd.DataFrame:
    return text.str.extract(_SLASH)


def _build(year, month, day, hour, minute, second, frac) -> pd.Series:
    year = year.astype("float")
    year = year.where(year >= 100, 2000 + year.where(year < 70, year - 100))
    parts = pd.DataFrame(
        {
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": minute,
            "second": second,
        }
    )
    valid = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if valid.any():
        ok = parts[valid].astype("int64")
        stamps = pd.to_datetime(ok, errors="coerce")
        if frac is not None:
            digits = frac[valid].astype(object).fillna("0").astype(str)
            micro = pd.to_numeric("0." + digits, errors="coerce").fillna(0)
            stamps = stamps + pd.to_timedelta(micro, unit="s")
        out[valid] = stamps
    return out


def _read_slash(text: pd.Series, *, day_first: bool) -> pd.Series:
    parts = _slash_parts(text)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    year = pd.to_numeric(parts[2], errors="coerce")
    hour = pd.to_numeric(parts[3], errors="coerce").fillna(0)
    minute = pd.to_numeric(parts[4], errors="coerce").fillna(0)
    sec = pd.to_numeric(parts[5], errors="coerce").fillna(0)
    meridiem = parts[7].astype(object).fillna("").astype(str).str.upper()
    has_ampm = meridiem != ""
    bad_clock = has_ampm & ((hour < 1) | (hour > 12))
    hour = hour.where(~has_ampm, hour % 12 + (meridiem == "PM") * 12)
    month, day = (second, first) if day_first else (first, second)
    out = _build(year, month, day, hour, minute, sec, parts[6])
    out[bad_clock | (hour > 23) | (minute > 59) | (sec > 60)] = pd.NaT
    return out


def _one_aware(text: str):
    try:
        return pd.Timestamp(text).tz_localize(None)
    except (ValueError, TypeError):
        return pd.NaT


def _read_iso(text: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    part = text[text.str.match(_ISO).fillna(False).astype(bool)]
    if len(part):
        aware = part.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
        naive = part[~aware]
        if len(naive):
            out[naive.index] = pd.to_datetime(naive, errors="coerce", format="ISO8601")
        if aware.any():  # an offset is given: keep each value's own wall-clock time
            out[part[aware].index] = [_one_aware(v) for v in part[aware]]
    return out


def _read_serial(numbers: pd.Series) -> pd.Series:
    low, high = _SERIAL_RANGE
    ok = numbers.between(low, high)
    days = numbers.where(ok)
    return (_EXCEL_ORIGIN + pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")


def parse_dates(
    values: pd.Series,
    *,
    format: str = "auto",
    column: str | None = None,
) -> DateParse:
    """Read a column of dates, counting what cannot be read instead of hiding it.

    Parameters
    ----------
    values : pandas.Series
        Text, datetimes (naive, timezone-aware or Arrow-backed), ``datetime.date`` objects or
        Excel serial numbers.
    format : str, keyword-only
        One of :data:`DATE_FORMATS`: ``"auto"`` (default), ``"iso"``, ``"mdy"``, ``"dmy"`` or
        ``"excel"``.
    column : str, keyword-only
        The column's name, for the report's sentences (default: the Series' name).

    Returns
    -------
    DateParse
        ``values`` (``datetime64[ns]``, naive) and counts of missing, unreadable and ambiguous
        values, with examples of the unreadable ones.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_dates(pd.Series(["03/04/2024", "13/04/2024"]), format="dmy").values.dt.month.tolist()
    [4, 4]
    >>> report = parse_dates(pd.Series(["03/04/2024"]))
    >>> report.ambiguous, report.values.dt.month.tolist()
    (1, [3])
    """
    require_keyword_choice(format, list(DATE_FORMATS), argument="format")
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    name = str(column if column is not None else values.name)
    # work on positions: exports (and concatenations) can repeat index labels
    report = _parse(values.reset_index(drop=True), format, name)
    out = report.values.set_axis(values.index)
    return DateParse(
        out, name, format, report.missing, report.unparsed, report.examples, report.ambiguous
    )


def _parse(values: pd.Series, format: str, name: str) -> DateParse:
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or (
        isinstance(dtype, pd.ArrowDtype)
        and (
            __import__("pyarrow").types.is_timestamp(dtype.pyarrow_dtype)
            or __import__("pyarrow").types.is_date(dtype.pyarrow_dtype)
        )
    ):
        out = _from_datetimes(values)
        return DateParse(out, name, format, missing=int(out.isna().sum()))
    if isinstance(dtype, pd.PeriodDtype):
        out = values.dt.to_timestamp().astype("datetime64[ns]")
        return DateParse(out, name, format, missing=int(out.isna().sum()))
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype("string")
        missing = text.isna()
        return _report(
            values,
            pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]"),
            missing,
            0,
            name,
            format,
        )
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        missing = numbers.isna()
        if format in ("auto", "excel"):
            out = _read_serial(numbers)
        else:
            out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        return _report(values, out, missing, 0, name, format)
    # objects: text, datetime.date / Timestamp objects, numbers, a mix
    objects = values.astype(object)
    stamps = objects.map(_is_stamp).astype(bool)
    text = objects.where(~stamps).map(_text_value)
    text = text.astype("string").str.strip()
    missing = _is_missing_text(text) & ~stamps
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if stamps.any():
        out[stamps] = pd.Series(
            [
                pd.Timestamp(v).tz_localize(None) if pd.Timestamp(v).tzinfo else pd.Timestamp(v)
                for v in objects[stamps]
            ],
            index=objects[stamps].index,
        ).astype("datetime64[ns]")
    todo = ~missing & ~stamps
    ambiguous = 0
    if todo.any():
        part = text[todo]
        if format in ("auto", "iso"):
            iso = _read_iso(part)
            out[todo] = iso
        if format in ("auto", "mdy", "dmy"):
            left = out[todo].isna()
            slash = part[left]
            if len(slash):
                primary = _read_slash(slash, day_first=format == "dmy")
                if format == "auto":
                    other = _read_slash(slash, day_first=True)
                    both = primary.notna() & other.notna() & (primary != other)
                    ambiguous = int(both.sum())
                    primary = primary.fillna(other)
                out[slash.index] = primary
        if format in ("auto", "excel"):
            left = out[todo].isna()
            cand = part[left]
            if len(cand):
                looks = cand.str.match(_SERIAL).fillna(False).astype(bool)
                numbers = pd.to_numeric(cand.where(looks), errors="coerce")
                out[cand.index] = _read_serial(numbers)
    return _report(values, out, missing, ambiguous, name, format)


def _is_stamp(value: object) -> bool:
    """A Timestamp, datetime or date object (not NaT)."""
    if value is None or value is pd.NaT or isinstance(value, str):
        return False
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return not pd.isna(value)
    return hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day")


def _text_value(value: object) -> str | None:
    """A value of an object column as text to read (None when missing)."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    return str(value)


def _report(values, out, missing, ambiguous, name, format) -> DateParse:
    missing = pd.Series(missing, index=values.index).astype(bool)
    bad = out.isna() & ~missing
    examples = tuple(pd.unique(values[bad].astype(object))[:5].tolist()) if bad.any() else ()
    return DateParse(
        out.astype("datetime64[ns]"),
        name,
        format,
        missing=int(missing.sum()),
        unparsed=int(bad.sum()),
        examples=examples,
        ambiguous=int(ambiguous),
    )


def to_dates(
    values: pd.Series,
    *,
    format: str = "auto",
    column: str | None = None,
    argument: str = "data",
) -> pd.Series:
    """Return ``values`` as naive ``datetime64[ns]``, or raise if any value cannot be read.

    Missing values (None, NaN, empty text) stay missing (``NaT``); a value that is present but
    is not a date in ``format`` raises :class:`~citykit.errors.ColumnTypeError` with the count,
    examples and the fix.

    Parameters
    ----------
    values : pandas.Series
        The column.
    format : str, keyword-only
        One of :data:`DATE_FORMATS`.
    column, argument : str, keyword-only
        The column's and the table's names, for the message.

    Examples
    --------
    >>> import pandas as pd
    >>> to_dates(pd.Series(["2024-01-31", "04/18/2019 09:55:45 PM"])).tolist()
    [Timestamp('2024-01-31 00:00:00'), Timestamp('2019-04-18 21:55:45')]
    >>> to_dates(pd.Series(["2024-01-31", "31st Jan"]), column="closed_at", argument="requests")
    Traceback (most recent call last):
    ...
    citykit.errors.ColumnTypeError: requests column 'closed_at' must hold dates, but 1 of 2 value(s) could not be read as dates (e.g. '31st Jan'). Dates are read as ISO (2024-01-31), US month/day/year (04/18/2019 09:55:45 PM), day/month/year or Excel serial days; fix or blank those values, or convert the column first with pd.to_datetime(requests['closed_at'], format=...).
    """
    report = parse_dates(values, format=format, column=column)
    if report.unparsed:
        name = report.column
        shown = ", ".join(map(repr, report.examples[:3]))
        raise ColumnTypeError(
            f"{argument} column {name!r} must hold dates, but {report.unparsed:,} of "
            f"{len(report.values):,} value(s) could not be read as dates (e.g. {shown}). "
            "Dates are read as ISO (2024-01-31), US month/day/year (04/18/2019 09:55:45 PM), "
            "day/month/year or Excel serial days; fix or blank those values, or convert the "
            f"column first with pd.to_datetime({argument}[{name!r}], format=...)."
        )
    return report.values


_NUMBER = re.compile(r"(\d+)")


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p.lower() for p in _NUMBER.split(text))


def period_sort_key(periods: pd.Series) -> pd.Series:
    """Return a key that sorts ``periods`` in time (dates, numbers or date-like text).

    Datetimes, pandas Periods and numbers sort as themselves. Text that reads as dates (every
    value, see :func:`parse_dates`) sorts by those dates, so ``"02/01/2024"`` comes after
    ``"12/01/2023"``. Other text (``"Week 2"``, ``"Week 10"``) sorts with its numbers compared as
    numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.Series(["02/01/2024", "12/01/2023", "01/01/2024"])
    >>> labels.iloc[period_sort_key(labels).argsort()].tolist()
    ['12/01/2023', '01/01/2024', '02/01/2024']
    """
    if not isinstance(periods, pd.Series):
        periods = pd.Series(periods)
    dtype = periods.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if dtype.ordered:
            return pd.Series(periods.cat.codes, index=periods.index)
        periods = periods.astype(object)
    if isinstance(dtype, pd.PeriodDtype):
        return pd.Series(periods.dt.to_timestamp(), index=periods.index)
    if (
        pd.api.types.is_datetime64_any_dtype(periods.dtype)
        or isinstance(periods.dtype, pd.ArrowDtype)
        and hasattr(periods.dtype.pyarrow_dtype, "unit")
        and "timestamp" in str(periods.dtype)
    ):
        return _from_datetimes(periods)
    if pd.api.types.is_numeric_dtype(periods.dtype) and not pd.api.types.is_bool_dtype(
        periods.dtype
    ):
        return pd.to_numeric(periods).astype("float64")
    objects = periods.astype(object)
    if objects.map(lambda v: isinstance(v, pd.Period)).all():
        return objects.map(lambda v: v.to_timestamp())
    if objects.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    ).all():
        return objects.astype("float64")
    report = parse_dates(objects)
    if report.unparsed == 0 and report.missing == 0:
        return report.values
    read = len(objects) - report.unparsed - report.missing
    if read and report.unparsed:
        raise ColumnTypeError(
            f"period column {str(periods.name)!r} mixes dates with {report.unparsed:,} value(s) "
            f"that are not dates (e.g. {', '.join(map(repr, report.examples[:3]))}), so the "
            "periods cannot be put in time order. Fix or drop those rows."
        )
    return objects.map(lambda v: _natural(str(v)))


def order_periods(periods: pd.Series) -> np.ndarray:
    """Return the positions that put ``periods`` in time order (a stable sort).

    Examples
    --------
    >>> import pandas as pd
    >>> order_periods(pd.Series(["Week 10", "Week 2", "Week 1"])).tolist()
    [2, 1, 0]
    """
    key = period_sort_key(periods)
    if key.dtype == object:
        return np.array(sorted(range(len(key)), key=lambda i: key.iloc[i]), dtype=int)
    return np.argsort(key.to_numpy(), kind="stable")


def to_timestamp(value: object, *, argument: str) -> pd.Timestamp:
    """Return one date given as an argument as a naive Timestamp (wall-clock time).

    Parameters
    ----------
    value : str, datetime-like
        The date, e.g. ``"2024-01-01"``; a timezone-aware one keeps its wall-clock time.
    argument : str
        The argument's name, for the error.

    Returns
    -------
    pandas.Timestamp

    Raises
    ------
    CityKitError
        When ``value`` is missing or not a date, naming ``argument``.

    Examples
    --------
    >>> to_timestamp("2024-03-01", argument="as_of")
    Timestamp('2024-03-01 00:00:00')
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise CityKitError(
            f"{argument}={value!r} is not a date. Write it as 'YYYY-MM-DD', e.g. '2024-01-01'."
        ) from exc
    if pd.isna(stamp):
        raise CityKitError(f"{argument} is missing; give a date such as '2024-01-01'.")
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp

r"""Read a city's export file as it comes: any common encoding and separator, or an Excel workbook.

:func:`read_city_file` looks at the bytes before pandas does, so that the usual surprises of real
exports get a clear :class:`~citykit.errors.CityKitError` instead of a ``UnicodeDecodeError`` or
a table of one column: the encoding (UTF-8 with or without a byte-order mark, Windows cp1252,
latin-1, UTF-16), the separator (comma, semicolon, tab, bar), a workbook (``.xlsx``), a workbook
or an old ``.xls`` saved under a ``.csv`` name, an empty file. What it found is in the result.

Every value is read as text (blank cells as missing): converting types is the job of
:func:`citykit.datasets.conform`, which says what it converted and what it could not.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = folder / "export.csv"
>>> _ = path.write_bytes("Unique Key;Status\n1;Clôturé\n2;Open\n".encode("cp1252"))
>>> export = read_city_file(path)
>>> export.encoding, export.separator, export.table.shape
('cp1252', ';', (2, 2))
>>> export.table["Status"].tolist()
['Clôturé', 'Open']
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, EmptyDataError

__all__ = ["CityFile", "read_city_file", "check_csv"]

#: Separators looked for, in order of preference when two fit equally well.
SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
_ZIP = b"PK\x03\x04"  # .xlsx (and every Office Open XML file) is a zip archive
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls format
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_SNIFF_LINES = 50


@dataclass(frozen=True)
class CityFile:
    """An export read as text, with what was detected while reading it.

    Attributes
    ----------
    table : DataFrame
        Every column as text; blank cells are missing (``NaN``).
    path : Path
        The file read.
    format : str
        ``"csv"`` (any delimited text) or ``"xlsx"``.
    encoding : str or None
        The text encoding used (``None`` for a workbook).
    separator : str or None
        The column separator used (``None`` for a workbook).
    sheet : str or None
        The worksheet read (``None`` for delimited text).
    notes : tuple of str
        What was detected or assumed, in plain words.
    """

    table: pd.DataFrame = field(repr=False)
    path: Path
    format: str
    encoding: str | None
    separator: str | None
    sheet: str | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One paragraph: the file, its size and what was detected."""
        rows, columns = self.table.shape
        lines = [f"Read {self.path.name}: {rows:,} rows, {columns} columns."]
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def read_city_file(
    path: str | Path,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    sheet: str | int | None = None,
) -> CityFile:
    r"""Read a city's export (CSV, semicolon- or tab-separated text, or ``.xlsx``) as text.

    Parameters
    ----------
    path : str or Path
        The export file.
    encoding : str, optional, keyword-only
        The text encoding, when you know it (e.g. ``"cp1252"``); detected otherwise: a byte-order
        mark (UTF-8, UTF-16), then UTF-8, then Windows cp1252, then latin-1.
    separator : str, optional, keyword-only
        The column separator; detected otherwise among comma, semicolon, tab and bar as the one
        that splits the header into the most columns, with the same count on the first lines.
    sheet : str or int, optional, keyword-only
        The worksheet of a workbook (default: the first).

    Returns
    -------
    CityFile
        ``.table`` (all text) and what was detected (``.encoding``, ``.separator``, ``.notes``).

    Raises
    ------
    citykit.errors.EmptyDataError
        If the file is empty or has column names but no rows.
    citykit.errors.CityKitError
        If the file is missing, is a workbook under a ``.csv`` name or an old ``.xls``, or cannot
        be decoded with the ``encoding`` given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "export.txt"
    >>> _ = path.write_text("a\tb\n1\t\n", encoding="utf-16")
    >>> export = read_city_file(path)
    >>> export.encoding, export.separator, export.table["b"].isna().tolist()
    ('utf-16', '\t', [True])
    """
    path = Path(path)
    if not path.is_file():
        raise CityKitError(
            f"path {str(path)!r} is not a file. Check the name and the folder; "
            "the folder holds: "
            + (
                ", ".join(sorted(p.name for p in path.parent.iterdir())[:20])
                if path.parent.is_dir()
                else "(the folder does not exist)"
            )
            + "."
        )
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise EmptyDataError(
            f"{path.name} is empty ({len(data)} bytes, no column names and no rows). "
            "Export the table again; a download that was cut off often leaves an empty file."
        )
    suffix = path.suffix.lower()
    if data.startswith(_OLE2):
        raise CityKitError(
            f"{path.name} is an old Excel workbook (.xls){_named_as(suffix)}, which is not read "
            "directly. Open it in Excel and save it as 'Excel Workbook (.xlsx)' or "
            "'CSV UTF-8 (Comma delimited)', then read that file."
        )
    if data.startswith(_ZIP):
        if suffix not in _EXCEL_SUFFIXES:
            raise CityKitError(
                f"{path.name} is an Excel workbook (.xlsx) saved under a {suffix or 'no'} "
                "extension, not text. Rename it to "
                f"{path.with_suffix('.xlsx').name!r} and read that (workbooks are read "
                "directly), or in Excel use Save As 'CSV UTF-8 (Comma delimited)'."
            )
        return _read_workbook(path, sheet=sheet)
    text, used, notes = _decode(data, path=path, encoding=encoding)
    sep, sep_note = _separator(text, separator=separator)
    notes.append(sep_note)
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.ParserError as error:
        raise CityKitError(
            f"{path.name} could not be split into columns with the {_SEPARATOR_NAMES.get(sep, sep)!r} "
            f"separator: {error}. Pass separator= if the file uses another one, or check for a "
            "line with an unclosed quote."
        ) from None
    return _finish(table, path=path, fmt="csv", encoding=used, separator=sep, notes=notes)


def check_csv(path: str | Path, *, head: int = 65_536) -> None:
    r"""Raise a clear error if ``path`` is not a comma-separated UTF-8 text file with rows.

    Reads only the first ``head`` bytes: a quick look before a CSV reader that expects UTF-8 and
    commas, to turn an empty file, a workbook, another encoding or another separator into a
    :class:`~citykit.errors.CityKitError` that says how to convert the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "service_requests.csv"
    >>> _ = path.write_text("request_id;status\n1;Open\n", encoding="utf-8")
    >>> check_csv(path)
    Traceback (most recent call last):
    ...
    citykit.errors.CityKitError: service_requests.csv is semicolon-separated, ...
    """
    path = Path(path)
    with path.open("rb") as file:
        data = file.read(head)
    fix = (
        f"Convert it once: datasets.conform({path.name!r}).save(folder) reads it as it is "
        "and writes a UTF-8, comma-separated copy (pass columns=, value_maps=, dates= for what "
        "differs from the course's table)."
    )
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise EmptyDataError(
            f"{path.name} is empty ({len(data)} bytes, no column names and no rows). Export the "
            "table again; a download that was cut off often leaves an empty file."
        )
    if data.startswith((_ZIP, _OLE2)):
        kind = ".xlsx" if data.startswith(_ZIP) else ".xls"
        raise CityKitError(
            f"{path.name} is an Excel workbook ({kind}) saved under a .csv name, not text. In "
            "Excel use Save As 'CSV UTF-8 (Comma delimited)', or rename it to .xlsx and convert "
            "it with datasets.conform(<the .xlsx file>).save(folder)."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CityKitError(f"{path.name} is UTF-16 text, not UTF-8. {fix}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(data) - 4:  # not just a character cut at the end of the look
            raise CityKitError(
                f"{path.name} is not UTF-8 (byte {error.start:,} is "
                f"{data[error.start : error.start + 1]!r}; probably Windows cp1252). {fix}"
            ) from None
        text = data[: error.start].decode("utf-8-sig")
    sep, note = _separator(text, separator=None)
    if sep != "," and "none found" not in note:  # a one-column file is read the same either way
        raise CityKitError(f"{path.name} is {_SEPARATOR_NAMES[sep]}-separated, not comma. {fix}")


def _named_as(suffix: str) -> str:
    return f" saved under a {suffix} name" if suffix and suffix != ".xls" else ""


def _read_workbook(path: Path, *, sheet: str | int | None) -> CityFile:
    try:
        import openpyxl  # noqa: F401  (pandas reads .xlsx through it)
    except ImportError:  # pragma: no cover - openpyxl is a dependency of citykit
        raise CityKitError(
            f"{path.name} is a workbook and reading it needs openpyxl: pip install openpyxl."
        ) from None
    with warnings.catch_warnings():
        # openpyxl's note on workbooks saved without styles (common in exports) is not the user's
        warnings.filterwarnings("ignore", message="Workbook contains no default style")
        with pd.ExcelFile(path, engine="openpyxl") as book:
            names = book.sheet_names
            if sheet is None:
                chosen = names[0]
            elif isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
                chosen = names[sheet]
            elif sheet in names:
                chosen = sheet
            else:
                raise CityKitError(
                    f"sheet={sheet!r} is not a worksheet of {path.name}; its sheets are: "
                    f"{', '.join(map(repr, names))}."
                )
            table = pd.read_excel(
                book, sheet_name=chosen, dtype=str, keep_default_na=False, na_values=[""]
            )
    notes = [f"An Excel workbook; read its sheet {chosen!r}."]
    if len(names) > 1:
        others = ", ".join(repr(n) for n in names if n != chosen)
        notes.append(f"Other sheets not read: {others} (pass sheet= to read one).")
    return _finish(
        table, path=path, fmt="xlsx", encoding=None, separator=None, sheet=chosen, notes=notes
    )


def _finish(table, *, path, fmt, encoding, separator, notes, sheet=None) -> CityFile:
    table = table.rename(columns=lambda c: str(c).strip())
    table = table.loc[
        :, [not str(c).startswith("Unnamed: ") or table[c].notna().any() for c in table.columns]
    ]
    if table.empty:
        raise EmptyDataError(
            f"{path.name} has column names ({', '.join(map(repr, list(table.columns)[:8]))}"
            f"{', ...' if table.shape[1] > 8 else ''}) but no rows. Export the table again "
            "with its rows (check the export's date range or filters)."
        )
    for column in table.columns:
        values = table[column].astype("string").str.strip()
        values = values.mask(values == "")
        table[column] = values.astype(object).where(values.notna(), np.nan)
    return CityFile(
        table=table,
        path=path,
        format=fmt,
        encoding=encoding,
        separator=separator,
        sheet=sheet,
        notes=tuple(notes),
    )


def _decode(data: bytes, *, path: Path, encoding: str | None) -> tuple[str, str, list[str]]:
    """The file's text, the encoding used and a note of how it was chosen."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CityKitError(
                f"encoding={encoding!r} is not an encoding Python knows; try 'utf-8', "
                "'cp1252', 'latin-1' or 'utf-16', or leave it out to detect it."
            ) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise CityKitError(
                f"{path.name} cannot be read as encoding={encoding!r}: byte {error.start:,} "
                f"({data[error.start : error.start + 1]!r}) is not valid there. Leave encoding out "
                "to detect it, or try 'cp1252' (Excel on Windows) or 'utf-16'."
            ) from None
        return text.lstrip("\ufeff"), encoding, [f"Encoding {encoding} (as given)."]
    if data.startswith(codecs.BOM_UTF8):
        return (
            data[3:].decode("utf-8", errors="strict"),
            "utf-8-sig",
            ["Encoding UTF-8 with a byte-order mark (as Excel's 'CSV UTF-8' writes it)."],
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (
            data.decode("utf-16"),
            "utf-16",
            ["Encoding UTF-16 (it starts with a byte-order mark)."],
        )
    head = data[:4000]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without a byte-order mark
        le = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        used = "utf-16-le" if le else "utf-16-be"
        try:
            return data.decode(used), used, [f"Encoding {used} (no byte-order mark; detected)."]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", ["Encoding UTF-8."]
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        used = "cp1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: only latin-1 reads them
        text = data.decode("latin-1")
        used = "latin-1"
    return (
        text,
        used,
        [
            f"Encoding {used}: the file is not UTF-8 (a Windows or older export); accented letters "
            "are read as that encoding writes them. Pass encoding= if they look wrong."
        ],
    )


def _separator(text: str, *, separator: str | None) -> tuple[str, str]:
    """The column separator and a note of how it was chosen."""
    if separator is not None:
        if not isinstance(separator, str) or len(separator) != 1:
            raise CityKitError(
                f"separator={separator!r} must be one character, e.g. ',', ';' or '\\t'."
            )
        return (
            separator,
            f"Separator {_SEPARATOR_NAMES.get(separator, repr(separator))} (as given).",
        )
    lines = text.splitlines()[:_SNIFF_LINES]
    best, best_columns = ",", 1
    for candidate in SEPARATORS:
        rows = [r for r in csv.reader(lines, delimiter=candidate) if r]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        if width > best_columns and consistent >= 0.9:
            best, best_columns = candidate, width
    if best_columns == 1:  # one column: split on the separator its text holds least
        least = min(SEPARATORS, key=lambda candidate: text.count(candidate))
        return least, "Separator: none found (one column)."
    return best, f"Separator {_SEPARATOR_NAMES[best]} ({best_columns} columns)."

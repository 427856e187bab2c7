"""Reading a city's export as it comes: encodings, separators, workbooks, empty files."""

from __future__ import annotations

import codecs
import doctest

import pandas as pd
import pytest
from citykit import _files, datasets
from citykit.errors import CityKitError, EmptyDataError

#: The table every variant of the file below holds: accents, a blank cell, a comma inside a value.
EXPECTED = pd.DataFrame(
    {
        "Unique Key": ["1", "2", "3"],
        "Status": ["Clôturé", "Open", "Fermé"],
        "Address": ["12 Rue Bélanger", float("nan"), "3 Main St, Apt 2"],
    },
    dtype=object,
)


def _text(sep: str) -> str:
    def cell(v):
        if not isinstance(v, str):
            return ""
        return f'"{v}"' if sep in v or "," in v else v

    lines = [sep.join(EXPECTED.columns)]
    lines += [sep.join(cell(v) for v in row) for row in EXPECTED.itertuples(index=False)]
    return "\r\n".join(lines) + "\r\n"


ENCODED = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "cp1252": lambda t: t.encode("cp1252"),
    "utf-16": lambda t: t.encode("utf-16"),  # with its byte-order mark, as Excel writes it
    "utf-16-le": lambda t: t.encode("utf-16-le"),  # without one
}


@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("encoding", list(ENCODED))
def test_every_encoding_and_separator_gives_the_same_table(tmp_path, encoding, sep):
    path = tmp_path / "export.csv"
    path.write_bytes(ENCODED[encoding](_text(sep)))
    export = datasets.read_city_file(path)
    pd.testing.assert_frame_equal(export.table, EXPECTED)
    assert export.separator == sep
    assert export.encoding == encoding
    assert export.format == "csv"
    # what was detected is said
    assert "Encoding" in export.summary() and "Separator" in export.summary()
    # the plain pandas read, for contrast, gets this file wrong or fails
    if encoding != "utf-8" or sep != ",":
        try:
            plain = pd.read_csv(path, dtype=str)
        except (UnicodeDecodeError, pd.errors.ParserError):
            return
        assert not plain.equals(EXPECTED)


def test_a_byte_cp1252_leaves_undefined_is_read_as_latin1(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"name,code\nCaf\xe9,\x81\n")
    export = datasets.read_city_file(path)
    assert export.encoding == "latin-1"
    assert export.table.loc[0, "name"] == "Café"
    assert "not UTF-8" in export.summary()


def test_an_encoding_given_is_used_and_a_wrong_one_is_a_clear_error(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("name\nCafé\n".encode("cp1252"))
    assert datasets.read_city_file(path, encoding="latin-1").table.loc[0, "name"] == "Café"
    with pytest.raises(CityKitError, match="cannot be read as encoding='utf-8'.*cp1252"):
        datasets.read_city_file(path, encoding="utf-8")
    with pytest.raises(CityKitError, match="not an encoding"):
        datasets.read_city_file(path, encoding="klingon")


def test_decimal_commas_do_not_fool_the_separator(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id;amount\n1;1,5\n2;2,25\n", encoding="utf-8")
    export = datasets.read_city_file(path)
    assert export.separator == ";"
    assert export.table["amount"].tolist() == ["1,5", "2,25"]


def test_a_separator_given_is_used(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("a|b\n1|2\n", encoding="utf-8")
    assert datasets.read_city_file(path).separator == "|"
    assert datasets.read_city_file(path, separator=",").table.columns.tolist() == ["a|b"]
    with pytest.raises(CityKitError, match="one character"):
        datasets.read_city_file(path, separator=";;")


def test_a_workbook_is_read_directly_with_its_sheet_named(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        EXPECTED.to_excel(book, sheet_name="Requests", index=False)
        EXPECTED.head(1).to_excel(book, sheet_name="Notes", index=False)
    export = datasets.read_city_file(path)
    pd.testing.assert_frame_equal(export.table, EXPECTED)
    assert (export.format, export.sheet, export.encoding) == ("xlsx", "Requests", None)
    assert "'Notes'" in export.summary()  # the sheet not read is named
    assert len(datasets.read_city_file(path, sheet="Notes").table) == 1
    with pytest.raises(CityKitError, match="not a worksheet.*'Requests', 'Notes'"):
        datasets.read_city_file(path, sheet="Sheet1")


def test_a_workbook_saved_under_a_csv_name_is_recognised(tmp_path):
    path = tmp_path / "export.xlsx"
    EXPECTED.to_excel(path, index=False, engine="openpyxl")
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(path.read_bytes())
    with pytest.raises(CityKitError, match=r"Excel workbook \(\.xlsx\) saved under a \.csv"):
        datasets.read_city_file(renamed)


def test_an_old_xls_workbook_is_a_clear_error(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(CityKitError, match=r"old Excel workbook \(\.xls\).*save it as"):
        datasets.read_city_file(path)


@pytest.mark.parametrize(
    "content", [b"", b"\n\n", codecs.BOM_UTF8], ids=["no bytes", "blank lines", "only a BOM"]
)
def test_an_empty_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(EmptyDataError, match="export.csv is empty"):
        datasets.read_city_file(path)


def test_column_names_without_rows_is_a_clear_error(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Unique Key,Status\n", encoding="utf-8")
    with pytest.raises(EmptyDataError, match="'Unique Key', 'Status'.*no rows"):
        datasets.read_city_file(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    (tmp_path / "requests.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(CityKitError, match="not a file.*requests.csv"):
        datasets.read_city_file(tmp_path / "reqests.csv")


def test_docstring_examples():
    result = doctest.testmod(_files, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"PK\x03\x04" + b"\x00" * 100, r"Excel workbook \(\.xlsx\) saved under a \.csv name"),
        ("request_id,status\n1,Clôturé\n".encode("cp1252"), "not UTF-8.*cp1252"),
        ("request_id,status\n1,Open\n".encode("utf-16"), "UTF-16"),
        (b"request_id;status\n1;Open\n", "semicolon-separated"),
        (b"request_id\tstatus\n1\tOpen\n", "tab-separated"),
    ],
    ids=["empty", "workbook", "cp1252", "utf-16", "semicolon", "tab"],
)
def test_loading_a_city_file_that_is_not_utf8_csv_says_how_to_convert_it(tmp_path, content, says):
    (tmp_path / "service_requests.csv").write_bytes(content)
    with pytest.raises(CityKitError, match=says) as raised:
        datasets.load("service_requests", data_dir=tmp_path)
    if "empty" not in says and "workbook" not in says:
        assert "datasets.conform('service_requests.csv').save(folder)" in str(raised.value)


def test_a_utf8_comma_file_passes_the_look_before_loading(tmp_path):
    path = tmp_path / "service_requests.csv"
    path.write_text("request_id,status\n1,Clôturé\n", encoding="utf-8-sig")
    _files.check_csv(path)  # no error: the loader's own checks take over


ALPHABET = list("abcXYZ éèüñ€,;\t\"'0123456789-/:") + ["Clôturé", "São Paulo", "O'Brien"]


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_read_back_as_written_whatever_the_encoding_and_separator(tmp_path, seed):
    """Tables of awkward text (separators, quotes, accents, blanks inside values), written by
    pandas in each encoding and separator, read back equal to the reference table."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n_rows, n_columns = int(rng.integers(1, 30)), int(rng.integers(1, 6))

    def word():
        letters = rng.choice(ALPHABET, size=int(rng.integers(1, 8)))
        text = "".join(letters).strip()
        return text if text and rng.random() > 0.1 else float("nan")

    columns = [f"col {i} é" for i in range(n_columns)]
    table = pd.DataFrame({c: [word() for _ in range(n_rows)] for c in columns}, dtype=object)
    table = table[table.notna().any(axis=1)].reset_index(drop=True)  # a blank line is not a row
    if table.empty:
        return
    encoding = ["utf-8", "utf-8-sig", "cp1252", "utf-16"][seed % 4]
    sep = [",", ";", "\t"][seed % 3]
    path = tmp_path / "export.csv"
    table.to_csv(path, index=False, sep=sep, encoding=encoding)
    export = datasets.read_city_file(path)
    if n_columns > 1:
        assert export.separator == sep
    pd.testing.assert_frame_equal(export.table, table)


def test_a_one_column_file_is_not_taken_for_another_separator(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("note\nwet, cold\nfine\n", encoding="utf-8")
    _files.check_csv(path)
    assert datasets.read_city_file(path).table["note"].tolist() == ["wet, cold", "fine"]

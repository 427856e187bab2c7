"""Publish-readiness: Frictionless Table Schema checks (methods.md §4.3), dictionary, package."""

from __future__ import annotations

import io
import json
import warnings

import pandas as pd
import pytest
from citykit import opendata as od
from citykit.errors import CityKitError, ColumnTypeError, EmptyDataError, SchemaMismatchError
from citykit.synth import DEFAULT_SEED
from citykit.synth import permits as pfam
from citykit.synth._core import RIVERTON
from hypothesis import given, settings
from hypothesis import strategies as st

# methods.md §4.3 requests.csv and schema.json
REQUESTS_CSV = """id,opened,category,days_to_close,status
1,2024-01-03,pothole,4,closed
2,2024-01-04,graffiti,,open
2,2024-01-05,pothole,-1,closed
4,2024-13-01,noise,2,closed
5,2024-01-07,streetlight,abc,closed
"""
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "opened", "type": "date"},
        {
            "name": "category",
            "type": "string",
            "constraints": {"enum": ["pothole", "graffiti", "noise", "streetlight"]},
        },
        {"name": "days_to_close", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "status", "type": "string", "constraints": {"enum": ["open", "closed"]}},
    ],
    "primaryKey": ["id"],
}


@pytest.fixture
def requests_table():
    return pd.read_csv(io.StringIO(REQUESTS_CSV))


def test_methods_43_vector_five_errors_exactly(requests_table):
    # methods.md §4.3 [COMP], frictionless 5.21 Resource.validate():
    # [rowNumber, fieldNumber, field, type]
    problems = od.check_table(requests_table, schema=SCHEMA)
    got = [
        [
            r.row,
            None if pd.isna(r.field_number) else r.field_number,
            None if pd.isna(r.field) else r.field,
            r.type,
        ]
        for r in problems.itertuples()
    ]
    assert got == [
        [4, 4, "days_to_close", "constraint-error"],
        [4, 1, "id", "unique-error"],
        [4, None, None, "primary-key"],
        [5, 2, "opened", "type-error"],
        [6, 4, "days_to_close", "type-error"],
    ]
    # the empty days_to_close in row 3 is a missing value, not an error
    assert 3 not in problems["row"].tolist()


def test_pandas_parsed_table_gives_the_same_result(requests_table):
    # read_csv makes days_to_close an object column and id int64: cells are re-written as CSV text
    as_text = pd.read_csv(io.StringIO(REQUESTS_CSV), dtype=str, keep_default_na=False)
    a = od.check_table(requests_table, schema=SCHEMA)[["row", "field", "type"]]
    b = od.check_table(as_text, schema=SCHEMA)[["row", "field", "type"]]
    pd.testing.assert_frame_equal(a, b)


def test_float_integers_and_dates_are_written_as_people_publish_them():
    table = pd.DataFrame(
        {
            "n": [1.0, None, 3.0],
            "day": pd.to_datetime(["2024-01-02", None, "2024-01-04"]),
            "ok": [True, False, True],
        }
    )
    schema = {
        "fields": [
            {"name": "n", "type": "integer"},
            {"name": "day", "type": "date"},
            {"name": "ok", "type": "boolean"},
        ]
    }
    assert od.check_table(table, schema=schema).empty
    # a row with nothing in it is reported (as frictionless does)
    blank = od.check_table(table[["n", "day"]], schema={"fields": schema["fields"][:2]})
    assert blank[["row", "type"]].values.tolist() == [[3, "blank-row"]]


def test_fixes_are_actionable(requests_table):
    problems = od.check_table(requests_table, schema=SCHEMA).set_index(["row", "type"])
    assert "minimum = 0" in problems.loc[(4, "constraint-error"), "fix"]
    assert "valid date" in problems.loc[(5, "type-error"), "fix"]
    assert "'id' must be unique" in problems.loc[(4, "unique-error"), "fix"]


def test_readiness_report(requests_table):
    report = od.publish_readiness(requests_table, schema=SCHEMA)
    assert not report.ready
    assert len(report.problems) == 5
    top = report.by_field.iloc[0]
    assert (top["field"], top["problems"]) == ("days_to_close", 1) or top["problems"] == 1
    assert report.by_field["problems"].sum() == 5
    assert "not ready" in repr(report)
    fixed = requests_table.assign(
        id=[1, 2, 3, 4, 5],
        opened=["2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"],
        days_to_close=["4", "", "1", "2", "3"],
    )
    assert od.publish_readiness(fixed, schema=SCHEMA).ready


def test_methods_43_package_name_checks():
    # methods.md §4.3: "city-311" valid; "City 311" -> package-error;
    # resource "Requests Table" -> resource-error
    good = {"name": "city-311", "resources": [{"name": "requests", "path": "requests.csv"}]}
    assert od.check_package(good).empty
    bad_package = dict(good, name="City 311")
    assert od.check_package(bad_package)["type"].tolist() == ["package-error"]
    assert "city-311" in od.check_package(bad_package).loc[0, "fix"]
    bad_resource = dict(good, resources=[{"name": "Requests Table", "path": "requests.csv"}])
    result = od.check_package(bad_resource)
    assert result[["level", "type"]].values.tolist() == [["resource", "resource-error"]]
    assert "requests-table" in result.loc[0, "fix"]


def test_methods_43_empty_resources_are_reported():
    # methods.md §4.3: {"resources": []} passes frictionless 5.21 although the v1 JSON schema
    # has minItems 1 -- so the toolkit checks it itself
    from frictionless import Package

    assert Package.from_descriptor({"resources": []}).validate().valid  # frictionless alone
    problems = od.check_package({"name": "city-311", "resources": []})
    assert problems["problem"].tolist() == ["the package lists no resources"]


def test_methods_43_describe_sees_bad_columns_as_text(requests_table):
    # methods.md §4.3: describe() infers opened and days_to_close as string because of bad values
    types = {f["name"]: f["type"] for f in od.infer_schema(requests_table)["fields"]}
    assert types["opened"] == "string" and types["days_to_close"] == "string"
    assert types["id"] == "integer"


def test_dictionary_and_datapackage_for_permits(tmp_path):
    permits = pfam.generate(seed=DEFAULT_SEED, city=RIVERTON)["building_permits"]
    spec = pfam.SPECS[0]
    schema = spec.to_resource()["schema"]
    dictionary = od.data_dictionary(permits, schema=schema)
    assert dictionary["field"].tolist() == spec.columns
    row = dictionary.set_index("field").loc["valuation"]
    assert row["unit"] == "US dollars"
    assert row["missing"] == permits["valuation"].isna().sum()
    assert dictionary.set_index("field").loc["permit_id", "required"]
    assert "one of" in dictionary.set_index("field").loc["permit_type", "rules"]
    markdown = od.dictionary_markdown(dictionary, title="Building permits")
    assert markdown.startswith("## Building permits")
    assert markdown.count("\n| ") == len(spec.columns) + 1  # header + one line per field

    package = od.build_datapackage(
        {"building-permits": permits}, name="riverton-permits", schemas={"building-permits": schema}
    )
    assert od.check_package(package).empty
    # the files actually validate with frictionless
    from citykit.synth._core import _format_column
    from frictionless import Package

    text = pd.DataFrame({f.name: _format_column(permits[f.name], f) for f in spec.fields})
    text.to_csv(tmp_path / "building-permits.csv", index=False)
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    assert Package(str(tmp_path / "datapackage.json")).validate().valid
    assert od.check_table(permits, schema=schema).empty


def test_infer_schema_and_dictionary_without_schema():
    table = pd.DataFrame({"id": [1, 2], "flag": [True, False], "note": ["a", None]})
    schema = od.infer_schema(table, primary_key="id")
    assert [f["type"] for f in schema["fields"]] == ["integer", "boolean", "string"]
    assert schema["primaryKey"] == ["id"]
    d = od.data_dictionary(table)
    assert d.set_index("field").loc["note", "missing"] == 1
    assert od.check_table(table, schema=schema).empty


def test_bad_inputs(requests_table):
    with pytest.raises(ColumnTypeError):
        od.check_table(requests_table, schema="schema.json")
    with pytest.raises(SchemaMismatchError, match="fields"):
        od.check_table(requests_table, schema={"fields": []})
    with pytest.raises(SchemaMismatchError, match="name"):
        od.check_table(requests_table, schema={"fields": [{"type": "integer"}]})
    with pytest.raises(SchemaMismatchError, match="not a valid Table Schema"):
        od.check_table(requests_table, schema={"fields": [{"name": "id", "type": "int"}]})
    with pytest.raises(EmptyDataError):
        od.check_table(requests_table.iloc[0:0], schema=SCHEMA)
    with pytest.raises(ColumnTypeError):
        od.check_table(requests_table["id"], schema=SCHEMA)
    with pytest.raises(CityKitError, match="city-311"):
        od.build_datapackage({"r": requests_table}, name="City 311")
    with pytest.raises(CityKitError, match="resource name"):
        od.build_datapackage({"Requests Table": requests_table}, name="city-311")
    with pytest.raises(ColumnTypeError):
        od.build_datapackage({}, name="city-311")
    with pytest.raises(CityKitError, match="opened_at"):
        od.data_dictionary(requests_table, schema={"fields": [{"name": "opened_at"}]})
    with pytest.raises(ColumnTypeError):
        od.check_package("datapackage.json")
    with pytest.raises(CityKitError):
        od.infer_schema(requests_table, primary_key="ID")


def test_no_warnings(requests_table):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        od.publish_readiness(requests_table, schema=SCHEMA)
        od.check_package({"name": "City 311", "resources": []})


def test_dictionary_markdown_needs_a_dictionary():
    from citykit.errors import MissingColumnError

    with pytest.raises(MissingColumnError, match="field"):
        od.dictionary_markdown(pd.DataFrame({"name": ["id"]}))


def test_write_datapackage_round_trip(tmp_path, requests_table):
    from frictionless import Package

    fixed = requests_table.assign(
        id=[1, 2, 3, 4, 5],
        opened=pd.to_datetime(
            ["2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"]
        ),
        days_to_close=[4, None, 1, 2, 3],
    )
    assert od.check_table(fixed, schema=SCHEMA).empty
    paths = od.write_datapackage(
        {"requests": fixed}, folder=tmp_path / "pkg", name="city-311", schemas={"requests": SCHEMA}
    )
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["requests.csv", "datapackage.json"]
    text = (tmp_path / "pkg" / "requests.csv").read_text().splitlines()
    assert text[1] == "1,2024-01-03,pothole,4,closed"
    assert text[2] == "2,2024-01-04,graffiti,,open"  # missing is empty, 4.0 is written 4
    report = Package(str(tmp_path / "pkg" / "datapackage.json")).validate()
    assert report.valid
    # and a table with problems fails frictionless too, at the same rows
    od.write_datapackage(
        {"requests": requests_table},
        folder=tmp_path / "bad",
        name="city-311",
        schemas={"requests": SCHEMA},
    )
    bad = Package(str(tmp_path / "bad" / "datapackage.json")).validate()
    rows = [e[0] for e in bad.flatten(["rowNumber"])]
    assert rows == od.check_table(requests_table, schema=SCHEMA)["row"].tolist()
    with pytest.raises(CityKitError, match="package name"):
        od.write_datapackage({"requests": fixed}, folder=tmp_path, name="City 311")


# --- the table as CSV text: column at a time, exactly as cell by cell ---------------------------


def _text_rows_cell_by_cell(data):
    from citykit.opendata.readiness import _cell_text

    values = data.astype(object).to_numpy()
    return [[str(c) for c in data.columns]] + [[_cell_text(v) for v in row] for row in values]


def test_text_rows_column_at_a_time_equal_cell_by_cell_for_every_kind_of_column():
    import numpy as np
    from citykit.opendata.readiness import _text_rows

    stamps = ["2024-01-01", None, "2024-01-02 03:04:05", "2024-01-05 00:00:00.5", "2024-03-10"]
    naive = pd.to_datetime(stamps, format="mixed")
    table = pd.DataFrame(
        {
            "float": [1.0, 2.5, np.nan, np.inf, 1e20],
            "whole_negative": [-0.0, -3.0, 2.0**53, -(2.0**60), 0.1],
            "float32": np.array([0.1, 1, np.nan, 4, 5], dtype=np.float32),
            "Int64": pd.array([1, None, -3, 4, 2**62], dtype="Int64"),
            "uint8": np.arange(5, dtype=np.uint8),
            "int64": np.array([0, -1, 2**63 - 1, 7, 8]),
            "bool": [True, False, True, True, False],
            "boolean": pd.array([True, None, False, True, False], dtype="boolean"),
            "naive": naive,
            "aware": naive.tz_localize("US/Eastern"),
            "category": pd.Categorical(["a", None, "b", "a", "c"]),
            "category_numbers": pd.Categorical([1.0, 2.5, None, 1.0, 3.0]),
            "string": pd.array(["a", None, "c", "", "e"], dtype="string[pyarrow]"),
            "str": pd.Series(["a", None, "c", "d", "e"], dtype="str"),
            "object": [1, "x", None, 2.0, pd.Timestamp("2024-01-01")],
            3: ["column", "named", "by", "a", "number"],
        }
    )
    assert _text_rows(table) == _text_rows_cell_by_cell(table)
    assert _text_rows(table.iloc[:0]) == _text_rows_cell_by_cell(table.iloc[:0])
    # a change to the cell rule shows: the comparison can fail
    assert _text_rows(table)[1][0] == "1" and _text_rows(table)[2][0] == "2.5"


@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            st.integers(-(2**40), 2**40).map(float),
        ),
        min_size=1,
        max_size=30,
    )
)
@settings(max_examples=200, deadline=None)
def test_text_rows_of_any_float_column_equal_cell_by_cell(values):
    from citykit.opendata.readiness import _text_rows

    table = pd.DataFrame({"x": pd.Series(values, dtype="float64")})
    assert _text_rows(table) == _text_rows_cell_by_cell(table)

"""Conforming a city's export to a course table: what is mapped, defaulted and dropped is reported."""

from __future__ import annotations

import doctest
import json

import pandas as pd
import pytest
from citykit import conform as conform_module
from citykit import datasets
from citykit._dates import parse_dates
from citykit.errors import CityKitError, MissingColumnError, UnknownNameError

US = "%m/%d/%Y %I:%M:%S %p"


def _export() -> pd.DataFrame:
    """A small export in another city's own names and formats (NYC Open Data's 311 layout)."""
    return pd.DataFrame(
        {
            "Unique Key": ["11", "12", "13", "14", "15"],
            "Created Date": [
                "04/18/2019 09:55:45 PM",
                "04/19/2019 08:00:00 AM",
                "04/19/2019 10:30:00 AM",
                "not recorded",
                "04/20/2019 12:00:00 AM",
            ],
            "Closed Date": ["04/19/2019 03:45:24 AM", None, "2019-04-19", None, None],
            "Status": ["Closed", "Assigned", "Closed", "Pending", "Open"],
            "Agency": ["NYPD", "DSNY", "DSNY", "DOT", "DOT"],
            "Complaint Type": ["Noise", "Dirty Condition", "Dirty Condition", "Pothole", "Pothole"],
            "Borough": ["BROOKLYN", "QUEENS", "QUEENS", None, "BRONX"],
            "Open Data Channel Type": ["PHONE", "ONLINE", "MOBILE", "UNKNOWN", "phone"],
            "Landmark": [None] * 5,
        }
    )


COLUMNS = {
    "request_id": "Unique Key",
    "opened_at": "Created Date",
    "closed_at": "Closed Date",
    "status": "Status",
    "department": "Agency",
    "service_type": "Complaint Type",
    "district": "Borough",
    "channel": "Open Data Channel Type",
}
VALUES = {
    "status": {"Assigned": "Open", "Pending": "Open"},
    "channel": {"ONLINE": "Web", "MOBILE": "Mobile app", "UNKNOWN": None},
}
DATES = {"opened_at": US, "closed_at": US}


def _conform(export=None, **changes):
    options = {
        "columns": COLUMNS,
        "value_maps": VALUES,
        "dates": DATES,
        "defaults": {"sla_days": None},
    }
    options.update(changes)
    return datasets.conform(_export() if export is None else export, **options)


def _report(result, column, action):
    rows = result.report[(result.report["column"] == column) & (result.report["action"] == action)]
    assert len(rows) == 1, f"no single report row {column!r} {action!r}:\n{result.report}"
    return rows.iloc[0]


def test_an_export_becomes_the_course_table_with_its_types():
    result = _conform()
    table = result.table
    assert list(table.columns) == list(datasets.describe("service_requests").index)
    assert table["request_id"].tolist() == [11, 12, 13, 15]
    assert str(table["request_id"].dtype) == "Int64"
    assert table["opened_at"].tolist()[0] == pd.Timestamp("2019-04-18 21:55:45")
    assert table["opened_at"].dtype == "datetime64[ns]"
    assert table["status"].astype(str).tolist() == ["Closed", "Open", "Closed", "Open"]
    assert table["channel"].astype(object).tolist()[:3] == ["Phone", "Web", "Mobile app"]
    assert table["department"].astype(str).tolist() == ["NYPD", "DSNY", "DSNY", "DOT"]
    assert table["sla_days"].isna().all()


def test_the_report_counts_and_shows_what_was_mapped_defaulted_and_dropped():
    result = _conform()
    status = _report(result, "status", "values mapped")
    assert status["rows"] == 2 and "'Assigned' → 'Open' (1)" in status["examples"]
    channel = _report(result, "channel", "values mapped")
    # ONLINE, MOBILE and UNKNOWN by the mapping; PHONE and phone by their case
    assert channel["rows"] == 5 and "'UNKNOWN' → <NA> (1)" in channel["examples"]
    assert _report(result, "sla_days", "defaulted")["rows"] == 5
    dropped = _report(result, "(export)", "rows dropped")
    assert dropped["rows"] == 1 and "opened_at" in dropped["detail"]
    assert result.dropped_rows == 1
    assert _report(result, "opened_at", "not parsed")["examples"] == "'not recorded'"
    closed = _report(result, "closed_at", "not parsed")
    assert closed["rows"] == 1 and "'2019-04-19'" in closed["examples"]
    assert "Landmark" in _report(result, "(export)", "columns dropped")["examples"]
    outside = _report(result, "department", "outside allowed values")
    assert outside["rows"] == 4 and "'DSNY' (2)" in outside["examples"]
    text = result.summary()
    for words in ("values mapped", "defaulted", "rows dropped", "not parsed", "'2019-04-19'"):
        assert words in text


def test_the_export_is_not_changed():
    export = _export()
    before = export.copy()
    _conform(export)
    pd.testing.assert_frame_equal(export, before)


def test_a_status_neither_allowed_nor_mapped_stops_with_the_values_and_the_fix():
    with pytest.raises(
        CityKitError, match=r"'status'.*'Assigned' \(1\), 'Pending' \(1\).*value_maps="
    ):
        _conform(value_maps={})


def test_dates_in_another_format_stop_with_the_format_that_fits():
    with pytest.raises(CityKitError, match=r"'opened_at'.*'iso'.*They fit 'mdy'"):
        _conform(dates={})


def test_day_first_dates_are_reported_as_ambiguous():
    export = _export().assign(**{"Created Date": ["03/04/2019"] * 5, "Closed Date": [None] * 5})
    with pytest.raises(CityKitError, match=r"fit 'mdy'.*also fit 'dmy'"):
        _conform(export, dates={})


def test_dates_are_read_by_the_toolkits_one_date_reader():
    # the toolkit's format names work in conform, and give what the toolkit's reader gives
    result = _conform(dates={"opened_at": "mdy", "closed_at": "mdy"})
    read = parse_dates(_export()["Created Date"], format="mdy").values
    kept = read.notna()
    assert result.table["opened_at"].tolist() == read[kept].tolist()
    # a strftime format names the same family: the same table
    pd.testing.assert_frame_equal(result.table, _conform().table)
    # a column mixing formats, read value by value with "auto": ambiguity is counted and shown
    export = _export().assign(
        **{"Created Date": ["2019-04-18 21:55", "04/03/2019", "43573.5", "13/04/2019", "x"]}
    )
    mixed = _conform(export, dates={"opened_at": "auto", "closed_at": US})
    assert mixed.table["opened_at"].iloc[:4].tolist() == [
        pd.Timestamp("2019-04-18 21:55"),
        pd.Timestamp("2019-04-03"),
        pd.Timestamp("2019-04-18 12:00"),
        pd.Timestamp("2019-04-13"),
    ]
    assert _report(mixed, "opened_at", "ambiguous dates")["rows"] == 1
    assert _report(mixed, "opened_at", "not parsed")["examples"] == "'x'"
    assert "ambiguous dates" in mixed.summary()


def test_a_date_format_the_reader_does_not_know_is_an_error_naming_the_column():
    with pytest.raises(CityKitError, match=r"dates\['opened_at'\] is 'week 3'.*'mdy'"):
        _conform(dates={"opened_at": "week 3", "closed_at": US})


def test_excel_serial_days_are_read():
    export = _export().assign(**{"Created Date": ["43573.5"] * 5})
    result = _conform(export, dates={"opened_at": "excel", "closed_at": US})
    assert result.table["opened_at"].iloc[0] == pd.Timestamp("2019-04-18 12:00")


def test_a_required_column_without_source_names_the_closest_export_column():
    columns = {k: v for k, v in COLUMNS.items() if k != "opened_at"}
    export = _export().rename(columns={"Created Date": "opened"})
    with pytest.raises(MissingColumnError, match=r"'opened_at' \(Did you mean 'opened'\?\)"):
        _conform(export, columns=columns)
    with pytest.raises(MissingColumnError, match=r"'sla_days'.*defaults=\{'sla_days': None\}"):
        _conform(defaults={})


def test_an_optional_column_the_export_lacks_is_left_empty_and_said():
    columns = {k: v for k, v in COLUMNS.items() if k != "district"}
    result = _conform(columns=columns)
    assert result.table["district"].isna().all()
    assert "optional" in _report(result, "district", "defaulted")["examples"]


def test_names_that_are_not_columns_are_clear_errors():
    with pytest.raises(MissingColumnError, match="'Created'.*Did you mean 'Created Date'"):
        _conform(columns={**COLUMNS, "opened_at": "Created"})
    with pytest.raises(UnknownNameError, match="'opened'.*Did you mean 'opened_at'"):
        _conform(columns={**COLUMNS, "opened": "Created Date"})
    with pytest.raises(UnknownNameError, match="value_maps= names 'statu'"):
        _conform(value_maps={"statu": {}})
    with pytest.raises(CityKitError, match="columns= must be a dict"):
        _conform(columns=[("opened_at", "Created Date")])


def test_saved_it_loads_as_a_course_table(tmp_path):
    result = _conform()
    result.save(tmp_path)
    loaded = datasets.load("service_requests", data_dir=tmp_path)
    assert loaded["request_id"].tolist() == result.table["request_id"].tolist()
    pd.testing.assert_series_equal(loaded["opened_at"], result.table["opened_at"])
    assert (loaded["status"] == "Open").sum() == 2
    assert loaded["sla_days"].isna().all()


def test_a_file_is_read_and_what_was_detected_is_in_the_summary(tmp_path):
    path = tmp_path / "export.csv"
    _export().to_csv(path, index=False, sep=";", encoding="cp1252")
    result = _conform(path)
    assert result.source.separator == ";" and result.source.encoding in ("utf-8", "cp1252")
    assert "Separator semicolon" in result.summary()
    assert result.table["request_id"].tolist() == [11, 12, 13, 15]


@pytest.mark.parametrize("kind", ["arrow", "categorical", "typed"])
def test_legitimate_inputs_give_the_same_table(kind):
    export = _export()
    if kind == "arrow":
        pytest.importorskip("pyarrow")
        export = export.astype("string[pyarrow]")
    elif kind == "categorical":
        export = export.astype("category")
    else:  # already typed: datetimes (time-zone aware), numbers
        export = export.assign(
            **{
                "Unique Key": pd.array([11, 12, 13, 14, 15], dtype="Int64"),
                "Created Date": pd.to_datetime(
                    [
                        "2019-04-18 21:55:45",
                        "2019-04-19 08:00",
                        "2019-04-19 10:30",
                        None,
                        "2019-04-20",
                    ],
                    format="ISO8601",
                ).tz_localize("America/New_York"),
            }
        )
    result = _conform(export)
    expected = _conform().table
    if kind == "typed":  # the row with no date is kept (missing) rather than dropped as unparsed
        result_table = result.table[result.table["opened_at"].notna()].reset_index(drop=True)
    else:
        result_table = result.table
    pd.testing.assert_frame_equal(result_table, expected, check_categorical=False)


def test_check_values_counts_the_values_outside():
    table = pd.DataFrame({"status": ["Open", "open", "Done", None], "channel": ["Web"] * 4})
    found = datasets.check_values(table).set_index("column")
    assert list(found.index) == ["status"]
    assert found.loc["status", "outside"] == 2 and found.loc["status", "distinct"] == 2
    assert datasets.check_values(table.assign(status="Open")).empty


def test_docstring_examples():
    result = doctest.testmod(
        conform_module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    assert result.failed == 0 and result.attempted > 0


def test_the_city_keeps_its_own_spelling_outside_the_course_vocabulary():
    export = _export().assign(**{"Complaint Type": ["WATER LEAK"] * 5})
    result = _conform(export)
    assert set(result.table["service_type"].astype(str)) == {"WATER LEAK"}
    # a channel the course does not know is kept, and the report says to map it
    result = _conform(_export().assign(**{"Open Data Channel Type": ["Fax"] * 5}))
    row = _report(result, "channel", "outside allowed values")
    assert row["rows"] == 4 and "value_maps=" in row["detail"] and "'Fax'" in row["examples"]


def _riverton_rows(n: int = 20) -> pd.DataFrame:
    return pd.read_csv(datasets.data_dir() / "service_requests.csv", dtype=str, nrows=n)


def test_loading_own_data_ties_each_suggestion_to_its_column_and_names_the_date_format(tmp_path):
    table = _riverton_rows().rename(columns={"closed_at": "closed_date", "channel": "chanel"})
    table["opened_at"] = pd.to_datetime(table["opened_at"]).dt.strftime(US)
    table.to_csv(tmp_path / "service_requests.csv", index=False)
    with pytest.raises(CityKitError) as raised:
        datasets.load("service_requests", data_dir=tmp_path)
    message = str(raised.value)
    assert (
        "'closed_at' (Did you mean 'closed_date'?), 'channel' (Did you mean 'chanel'?)" in message
    )
    assert "'opened_at' (20 values are not datetimes in ISO 8601" in message
    assert "dates={'opened_at': 'mdy'}" in message and "datasets.conform" in message


def test_loading_own_data_with_statuses_the_lessons_cannot_count_is_an_error(tmp_path):
    table = _riverton_rows()
    table.loc[[2, 5], "status"] = "Assigned"
    table.to_csv(tmp_path / "service_requests.csv", index=False)
    with pytest.raises(CityKitError, match=r"'status' has 2 values.*'Assigned' \(2\).*value_maps="):
        datasets.load("service_requests", data_dir=tmp_path)
    # the same file through conform, with the mapping, loads and counts them as open
    result = datasets.conform(
        tmp_path / "service_requests.csv", value_maps={"status": {"Assigned": "Open"}}
    )
    result.save(tmp_path)
    loaded = datasets.load("service_requests", data_dir=tmp_path)
    assert (loaded["status"] == "Open").sum() == (table["status"].isin(["Open", "Assigned"])).sum()
    # a city's own departments keep loading as before (a folder without a data package)
    (tmp_path / "datapackage.json").unlink()
    table.loc[:, "status"] = "Closed"
    table.loc[0, "department"] = "Streets"
    table.to_csv(tmp_path / "service_requests.csv", index=False)
    assert "Streets" in set(datasets.load("service_requests", data_dir=tmp_path)["department"])


def test_a_workbook_with_real_date_cells_conforms(tmp_path):
    export = _export().drop(index=3).reset_index(drop=True)
    export["Created Date"] = pd.to_datetime(export["Created Date"], format=US)
    path = tmp_path / "export.xlsx"
    export.to_excel(path, index=False, engine="openpyxl")
    result = _conform(path, dates={"closed_at": US})  # opened_at: Excel's own date cells
    assert result.source.format == "xlsx"
    expected = _conform().table
    pd.testing.assert_series_equal(result.table["opened_at"], expected["opened_at"])
    assert result.table["request_id"].tolist() == expected["request_id"].tolist()


def test_saved_with_the_citys_own_names_as_its_schema(tmp_path):
    result = _conform()
    result.save(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = package["resources"]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["department"]["constraints"]["enum"] == ["DOT", "DSNY", "NYPD"]
    assert fields["status"]["constraints"]["enum"] == ["Closed", "Open", "Cancelled"]  # ours
    assert "required" not in fields["sla_days"].get("constraints", {})  # not in the export
    assert fields["channel"]["constraints"]["required"]  # in the export: still required
    # the schema check judges the city by its own names: only the real gaps are errors
    from citykit import performance

    loaded = datasets.load("service_requests", data_dir=tmp_path)
    errors = performance.validate_schema(
        loaded, schema=tmp_path / "datapackage.json", resource="service_requests"
    )
    assert errors.empty
    course = performance.validate_schema(
        loaded, schema=datasets.data_dir() / "datapackage.json", resource="service_requests"
    )
    assert {"department", "sla_days"} <= set(course["field"])  # judged by Riverton's schema
    # a city's package that lacks a table does not impose ours on it: its names load
    other = _riverton_rows().assign(department="Streets")
    (tmp_path / "extra").mkdir()
    other.to_csv(tmp_path / "extra" / "service_requests.csv", index=False)
    (tmp_path / "extra" / "datapackage.json").write_text(
        json.dumps({"name": "x", "resources": []}), encoding="utf-8"
    )
    assert set(datasets.load("service_requests", data_dir=tmp_path / "extra")["department"]) == {
        "Streets"
    }
    # a new export in the folder with a department the saved schema lacks: a clear error
    other.to_csv(tmp_path / "service_requests.csv", index=False)
    with pytest.raises(CityKitError, match="'department' .*'Streets'"):
        datasets.load("service_requests", data_dir=tmp_path)


def test_rows_that_share_a_key_are_counted():
    export = _export().assign(**{"Unique Key": ["11", "12", "12", "14", "11"]})
    row = _report(_conform(export), "request_id", "duplicate keys")
    assert row["rows"] == 4 and row["examples"] == "11, 12"
    assert "duplicate keys" not in set(_conform().report["action"])

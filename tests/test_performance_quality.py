"""Data inventory and quality: completeness, timeliness, schema validity, duplicates."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError, ColumnTypeError, MissingColumnError, UnknownNameError
from citykit.performance import (
    DataProfile,
    completeness,
    find_duplicates,
    inventory,
    profile_table,
    timeliness,
    validate_schema,
)
from citykit.synth import measures
from citykit.synth._core import RIVERTON

# methods.md §4.3 test vector (methods_refs/fl/requests.csv + schema.json) [COMP]
FL_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "opened", "type": "date"},
        {"name": "category", "type": "string",
         "constraints": {"enum": ["pothole", "graffiti", "noise", "streetlight"]}},
        {"name": "days_to_close", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "status", "type": "string", "constraints": {"enum": ["open", "closed"]}},
    ],
    "primaryKey": ["id"],
}  # fmt: skip
FL_ROWS = pd.DataFrame(
    {
        "id": [1, 2, 2, 4, 5],
        "opened": ["2024-01-03", "2024-01-04", "2024-01-05", "2024-13-01", "2024-01-07"],
        "category": ["pothole", "graffiti", "pothole", "noise", "streetlight"],
        "days_to_close": ["4", "", "-1", "2", "abc"],
        "status": ["closed", "open", "closed", "closed", "closed"],
    }
)


def test_validate_schema_reproduces_frictionless_vector():
    errors = validate_schema(FL_ROWS, schema=FL_SCHEMA)
    got = [
        [int(r.row), None if pd.isna(r.field_number) else int(r.field_number),
         None if pd.isna(r.field) else r.field, r.error]
        for r in errors.itertuples()
    ]  # fmt: skip
    assert got == [
        [4, 4, "days_to_close", "constraint-error"],
        [4, 1, "id", "unique-error"],
        [4, None, None, "primary-key"],
        [5, 2, "opened", "type-error"],
        [6, 4, "days_to_close", "type-error"],
    ]


def test_validate_schema_from_datapackage_file(tmp_path):
    table = measures.generate(seed=1, city=RIVERTON)["department_measures"]
    package = {"name": "riverton", "resources": [measures.SPECS[0].to_resource()]}
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps(package))
    assert validate_schema(table, schema=path, resource="department_measures").empty
    broken = table.copy()
    broken.loc[0, "direction"] = "sideways"
    broken.loc[1, "value"] = np.nan  # required
    errors = validate_schema(broken, schema=path, resource="department_measures")
    assert sorted(errors["error"]) == ["constraint-error", "constraint-error"]
    assert set(errors["field"]) == {"direction", "value"}
    with pytest.raises(CityKitError, match="resource="):
        validate_schema(table, schema=path)
    with pytest.raises(UnknownNameError, match="Did you mean 'department_measures'"):
        validate_schema(table, schema=path, resource="department_measure")
    with pytest.raises(CityKitError, match="not found"):
        validate_schema(table, schema=tmp_path / "nope.json")
    with pytest.raises(CityKitError, match="Table Schema"):
        validate_schema(table, schema={"title": "no fields"})


def test_completeness_counts_blank_text():
    table = pd.DataFrame({"a": [1, None, 3, 4], "b": ["x", "", " ", None], "c": [1, 2, 3, 4]})
    out = completeness(table).set_index("column")
    assert out.loc["b", "missing"] == 3 and out.loc["a", "share_missing"] == 0.25
    assert out.loc["c", "share_complete"] == 1.0
    assert list(out.index) == ["b", "a", "c"]


def test_timeliness_lag_and_staleness():
    log = pd.DataFrame(
        {
            "event": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-20", "2024-01-25"]),
            "entered": pd.to_datetime(["2024-01-02", "2024-01-30", "2024-01-21", "2024-01-24"]),
        }
    )
    out = timeliness(log, event="event", recorded="entered", expected="weekly", as_of="2024-03-01")
    # lags 1, 20, 1 days (and one entered before the event: a data-entry error)
    assert out["median_lag_days"] == 1.0
    assert out["records_before_event"] == 1
    assert out["share_recorded_late"] == pytest.approx(1 / 4)
    assert out["last_update"] == pd.Timestamp("2024-01-30")
    assert out["days_since_update"] == 31.0 and out["timely"] is False
    fresh = timeliness(log, event="event", expected=30, as_of="2024-02-01")
    assert fresh["timely"] is True and fresh["expected_days"] == 30


def test_duplicates():
    table = pd.DataFrame({"id": [1, 2, 2, None, 3], "x": ["a", "b", "b", "c", "c"]})
    out = find_duplicates(table, key="id")
    assert out == {"duplicate_rows": 1, "duplicate_keys": 1, "missing_keys": 1, "examples": [2.0]}
    assert find_duplicates(table)["duplicate_rows"] == 1


def test_profile_and_inventory_across_datasets():
    from citykit import datasets

    requests = datasets.load("service_requests")
    scorecard = measures.generate(seed=20240501, city=RIVERTON)["department_measures"]
    profiles = {
        "service_requests": profile_table(requests, name="service_requests", key="request_id",
                                          event="opened_at", expected="daily",
                                          as_of="2025-01-01"),
        "department_measures": profile_table(scorecard, name="department_measures",
                                             key=["department", "measure", "month"],
                                             event="month", expected="monthly",
                                             as_of="2025-01-15",
                                             schema=measures.SPECS[0].to_resource()),
    }  # fmt: skip
    assert isinstance(profiles["service_requests"], DataProfile)
    table = inventory(profiles).set_index("dataset")
    requests_row = table.loc["service_requests"]
    # closed_at is missing exactly for open requests; district is missing for some requests
    assert requests_row["worst_column"] in ("closed_at", "district")
    assert requests_row["rows"] == len(requests)
    assert requests_row["duplicate_keys"] == 0
    assert bool(requests_row["timely"]) is True
    scorecard_row = table.loc["department_measures"]
    # 'cases' is empty for medians, counts and rates by design
    assert scorecard_row["worst_column"] == "cases"
    assert scorecard_row["schema_errors"] == 0 and bool(scorecard_row["valid"])
    assert scorecard_row["days_since_update"] == 45.0
    assert "department_measures" in repr(profiles["department_measures"])
    assert "<table" in profiles["department_measures"]._repr_html_()


def test_quality_bad_inputs():
    with pytest.raises(CityKitError, match="no rows"):
        completeness(pd.DataFrame({"a": []}))
    with pytest.raises(MissingColumnError, match="Did you mean 'opened'"):
        timeliness(FL_ROWS, event="opend")
    with pytest.raises(ColumnTypeError, match="must hold dates"):
        timeliness(FL_ROWS, event="category")
    with pytest.raises(UnknownNameError, match="expected"):
        timeliness(FL_ROWS, event="opened", expected="fortnightly")
    with pytest.raises(CityKitError, match="positive number"):
        timeliness(FL_ROWS, event="opened", expected=0)
    with pytest.raises(MissingColumnError):
        find_duplicates(FL_ROWS, key="request_id")
    with pytest.raises(CityKitError, match="non-empty mapping"):
        inventory({})
    with pytest.raises(CityKitError, match="DataFrame or a DataProfile"):
        inventory({"x": [1, 2]})


def test_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_schema(FL_ROWS, schema=FL_SCHEMA)
        profile_table(FL_ROWS, key="id", event="opened", as_of="2024-02-01", schema=FL_SCHEMA)

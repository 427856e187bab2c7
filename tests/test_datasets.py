"""citykit.datasets: names, types from datapackage.json, and helpful errors."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from citykit import _read, datasets
from citykit.errors import CityKitError, SchemaMismatchError, UnknownNameError


def test_every_listed_dataset_loads_with_its_schema_types():
    for name in datasets.list_datasets():
        table = datasets.load(name)
        fields = datasets.schema(name)["schema"]["fields"]
        assert list(table.columns) == [f["name"] for f in fields]
        for field in fields:
            column = table[field["name"]]
            kind = field["type"]
            if kind in ("date", "datetime"):
                assert pd.api.types.is_datetime64_any_dtype(column), field["name"]
            elif kind == "integer":
                assert str(column.dtype) == "Int64", field["name"]
            elif kind == "number":
                assert pd.api.types.is_float_dtype(column), field["name"]
            elif field.get("constraints", {}).get("enum"):
                assert isinstance(column.dtype, pd.CategoricalDtype), field["name"]
                assert list(column.cat.categories) == field["constraints"]["enum"]


def test_describe_is_the_data_dictionary():
    table = datasets.describe("service_requests")
    assert table.loc["sla_days", "unit"] == "days"
    assert table.loc["request_id", "required"]
    assert "Open" in table.loc["status", "allowed_values"]
    assert table["description"].str.len().min() > 10, "every field is described"


def test_load_returns_a_fresh_copy():
    first = datasets.load("service_requests")
    first.loc[first.index[0], "sla_days"] = 999
    assert datasets.load("service_requests").loc[0, "sla_days"] != 999


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'service_requests'"):
        datasets.load("service_request")


def test_a_dataframe_instead_of_a_name_is_explained():
    with pytest.raises(UnknownNameError, match="must be a dataset name"):
        datasets.load(pd.DataFrame())


def test_own_data_dir_with_matching_columns_loads(tmp_path):
    source = datasets.data_dir() / "service_requests.csv"
    lines = source.read_text().splitlines()[:101]
    (tmp_path / "service_requests.csv").write_text("\n".join(lines).replace("Riverside", "Uptown"))
    table = datasets.load("service_requests", data_dir=tmp_path)
    assert len(table) == 100
    # our district names are not forced on another city's data
    assert "Uptown" in set(table["district"].dropna())


def test_own_data_dir_mismatch_lists_missing_extra_and_wrong_types(tmp_path):
    table = pd.read_csv(datasets.data_dir() / "service_requests.csv", dtype=str, nrows=50)
    table = table.rename(columns={"closed_at": "closed_date"})
    table.loc[3, "sla_days"] = "five"
    table.to_csv(tmp_path / "service_requests.csv", index=False)
    with pytest.raises(SchemaMismatchError) as info:
        datasets.load("service_requests", data_dir=tmp_path)
    message = str(info.value)
    assert "Missing columns: 'closed_at'" in message
    assert "Did you mean 'closed_date'" in message
    assert "Extra columns (kept as text): 'closed_date'" in message
    assert "'sla_days' (1 values are not integer, e.g. 'five')" in message
    assert "describe('service_requests')" in message


def test_missing_file_in_data_dir_names_what_is_there(tmp_path):
    shutil.copy(datasets.data_dir() / "datapackage.json", tmp_path / "unrelated.csv")
    with pytest.raises(CityKitError, match="No file 'service_requests.csv'.*unrelated.csv"):
        datasets.load("service_requests", data_dir=tmp_path)


def test_fast_and_diagnostic_readers_agree(monkeypatch):
    fast = {name: datasets.load(name) for name in datasets.list_datasets()}
    monkeypatch.setattr(datasets, "_load_fast", lambda *a, **k: None)
    _read.clear_cache()  # the typed tables read above must not be handed back
    for name, table in fast.items():
        pd.testing.assert_frame_equal(table, datasets.load(name), check_categorical=True)

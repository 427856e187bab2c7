"""Renamed open-data options keep working for one release, with a warning that names the new word.

The input table is ``data`` (docs/api-words.md); ``table=`` still works with a FutureWarning. The
column that names things for people is ``label`` (``name=``/``title=`` before); the column of
downloads in a priority ranking is ``downloads`` (``usage`` is the table of portal usage).
``write_datapackage``'s ``folder`` is keyword-only; a positional folder still works, with a
FutureWarning.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from citykit import opendata as od
from citykit import widgets
from citykit.errors import CityKitError

COUNTS = pd.DataFrame({"A": [25, 7, 40], "B": [3, 30, 12]}, index=["North", "South", "East"])
CATALOG = pd.DataFrame(
    {
        "identifier": ["a"],
        "title": ["Permits"],
        "modified": ["05/01/2024"],
        "access_level": ["Public"],
    }
)


def _published(result) -> list:
    return result.with_totals().to_numpy().tolist()


RENAMED = {
    "records_from_table": (lambda **kw: od.records_from_table(**kw), CATALOG, lambda r: r),
    "fix_metadata_table": (
        lambda **kw: od.fix_metadata_table(**kw),
        CATALOG,
        lambda r: r.table.to_dict("records"),
    ),
    "suppress_small_cells": (lambda **kw: od.suppress_small_cells(**kw), COUNTS, _published),
    "audit_suppression": (
        lambda **kw: od.audit_suppression(**kw, suppressed=COUNTS.isin([3, 7])),
        COUNTS,
        lambda r: r.cells.to_dict("records"),
    ),
    "suppression_explorer": (
        lambda **kw: widgets.suppression_explorer(**kw),
        COUNTS,
        lambda r: _published(r.result),
    ),
}


@pytest.mark.parametrize("name", sorted(RENAMED))
def test_the_input_table_is_data_and_table_still_works_with_a_warning(name):
    call, data, seen = RENAMED[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name warns about nothing
        expected = seen(call(data=data))
    with pytest.warns(FutureWarning, match=rf"{name}\(table=\.\.\.\) is now {name}\(data=\.\.\.\)"):
        old = seen(call(table=data))
    assert old == expected
    with pytest.raises(CityKitError, match="both table= and data="):
        call(table=data, data=data)


CANDIDATES = pd.DataFrame(
    {
        "dataset": ["A", "B", "C"],
        "policy_priority": [5, 3, 1],
        "requests": [0, 50, 100],
        "hits": [9, 0, 4],
        "effort_days": [5, 1, 5],
    }
)
USAGE = pd.DataFrame(
    {
        "identifier": ["a", "b", "c"],
        "name": ["A", "B", "C"],
        "downloads": [70, 0, 10],
        "views": [1, 0, 2],
    }
)
COLUMN_RENAMES = [  # function, old word, new word, value, call
    (
        "priority_scores",
        "name",
        "label",
        "dataset",
        lambda **kw: od.priority_scores(CANDIDATES, downloads="hits", **kw),
    ),
    (
        "priority_scores",
        "usage",
        "downloads",
        "hits",
        lambda **kw: od.priority_scores(CANDIDATES, label="dataset", **kw),
    ),
    ("top_datasets", "title", "label", "name", lambda **kw: od.top_datasets(USAGE, **kw)),
    ("unused_datasets", "title", "label", "name", lambda **kw: od.unused_datasets(USAGE, **kw)),
]


@pytest.mark.parametrize(("name", "old", "new", "value", "call"), COLUMN_RENAMES)
def test_renamed_column_options_still_work_with_a_warning(name, old, new, value, call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = call(**{new: value})
    with pytest.warns(
        FutureWarning, match=rf"{name}\({old}=\.\.\.\) is now {name}\({new}=\.\.\.\)"
    ):
        old_result = call(**{old: value})
    pd.testing.assert_frame_equal(old_result, expected)
    with pytest.raises(CityKitError, match=f"both {old}= and {new}="):
        call(**{old: value, new: value})


def test_the_label_column_is_carried_into_the_results():
    ranked = od.priority_scores(CANDIDATES, label="dataset", downloads="hits")
    assert ranked.columns[:2].tolist() == ["rank", "dataset"]
    assert "hits" in ranked.columns  # the downloads column is the one scored
    assert od.top_datasets(USAGE, label="name")["name"].tolist() == ["A", "C", "B"]
    assert od.unused_datasets(USAGE, label="name")["name"].tolist() == ["B"]
    with pytest.raises(CityKitError, match="'downloads'"):
        od.priority_scores(CANDIDATES, label="dataset")  # no downloads column by default


def test_a_bad_count_table_is_named_data_in_the_message():
    with pytest.raises(CityKitError, match=r"^data must be a table of counts"):
        od.suppress_small_cells(COUNTS["A"])
    with pytest.raises(CityKitError, match=r"label of data"):
        od.suppress_small_cells(COUNTS, total_label="North")
    with pytest.raises(CityKitError, match=r"same rows and columns as data"):
        od.audit_suppression(COUNTS, suppressed=COUNTS.iloc[:1] > 0)


def test_write_datapackage_takes_the_folder_by_name(tmp_path):
    tables = {"permits": pd.DataFrame({"id": [1, 2]})}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = od.write_datapackage(tables, folder=tmp_path / "new", name="permits")
    with pytest.warns(FutureWarning, match=r"write_datapackage\(tables, folder=\.\.\.\)"):
        old = od.write_datapackage(tables, tmp_path / "old", name="permits")
    assert [p.replace("/old/", "/") for p in old] == [p.replace("/new/", "/") for p in new]
    assert (tmp_path / "old" / "permits.csv").read_text() == (
        tmp_path / "new" / "permits.csv"
    ).read_text()
    with pytest.raises(CityKitError, match="everything else by name"):
        od.write_datapackage(tables, tmp_path / "x", folder=tmp_path / "y", name="permits")
    with pytest.raises(CityKitError, match="everything else by name"):
        od.write_datapackage(tables, tmp_path / "x", "permits")
    with pytest.raises(TypeError, match="folder"):
        od.write_datapackage(tables, name="permits")  # the folder is still required

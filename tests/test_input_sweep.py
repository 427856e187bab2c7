"""The bad-input sweep (benchmarks/sweep_inputs.py) on a few functions of each package.

Legitimate changes (Arrow, nullable, categorical, timezone-aware) must give the clean input's
result, and no change may end in a raw exception. The whole sweep is run by hand
(``python -m benchmarks.sweep_inputs``); this keeps its machinery and its verdicts honest in CI.
"""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("pyarrow")

from benchmarks import sweep_inputs

FUNCTIONS = [
    "add_time_to_close",
    "xmr_chart",
    "count_table",
    "monthly_usage",
    "balance_table",
    "exits_to_permanent_housing",
]


@pytest.fixture(scope="module")
def rows():
    return sweep_inputs.sweep(FUNCTIONS)


def test_every_function_was_swept(rows):
    assert {r["function"] for r in rows} == set(FUNCTIONS)
    assert all(r["change"] != "baseline" for r in rows), "a clean call failed"


def test_no_raw_exception_and_legitimate_inputs_identical(rows):
    raw = [
        (r["function"], r["change"], r["detail"]) for r in rows if r["outcome"] == "raw exception"
    ]
    assert raw == []
    legit = [(r["function"], r["change"]) for r in rows if r["kind"] == "legit"]
    assert len(legit) == 4 * len(FUNCTIONS)
    wrong = [
        (r["function"], r["change"], r["outcome"])
        for r in rows
        if r["kind"] == "legit" and r["outcome"] != "result"
    ]
    assert wrong == []
    assert not any(r["input_modified"] for r in rows)


def test_the_verdicts_discriminate():
    base = pd.DataFrame({"a": [1.0, 2.0]})
    baseline = sweep_inputs.canon(base)
    changed = ("ok", pd.DataFrame({"a": [1.0, 3.0]}))
    assert sweep_inputs.classify("legit", changed, baseline, "") == "silent wrong"
    assert sweep_inputs.classify("legit", ("ok", base.copy()), baseline, "") == "result"
    assert sweep_inputs.classify("bad", ("error", KeyError("x")), baseline, "") == "raw exception"
    from citykit.errors import CityKitError

    assert sweep_inputs.classify("bad", ("error", CityKitError("x")), baseline, "") == "clear error"
    flagged = ("ok", pd.DataFrame({"a": [1.0, 3.0], "flagged": [0, 1]}))
    quiet = pd.DataFrame({"a": [1.0, 2.0], "flagged": [0, 0]})
    assert (
        sweep_inputs.classify("bad", flagged, sweep_inputs.canon(quiet), "", baseline_value=quiet)
        == "result"
    )


def test_a_cell_left_missing_in_its_own_row_is_shown_but_a_changed_or_dropped_row_is_not():
    base = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    baseline = sweep_inputs.canon(base)

    def verdict(frame):
        return sweep_inputs.classify("bad", ("ok", frame), baseline, "", baseline_value=base)

    assert verdict(pd.DataFrame({"a": [1.0, None, 3.0]})) == "result"
    assert verdict(pd.DataFrame({"a": [1.0, "no data", 3.0]})) == "result"
    assert verdict(pd.DataFrame({"a": [1.0, "met", 3.0]})) == "silent wrong"
    assert verdict(pd.DataFrame({"a": [1.0, 0.0, 3.0]})) == "silent wrong"
    assert verdict(pd.DataFrame({"a": [1.0, 3.0]})) == "silent wrong"


def test_no_rows_from_no_rows_is_right_but_no_rows_from_rows_is_not():
    base = pd.DataFrame({"a": [1.0, 2.0]})
    baseline = sweep_inputs.canon(base)
    nothing = ("ok", base.iloc[:0])
    assert sweep_inputs.classify("bad", nothing, baseline, "", change="empty") == "result"
    assert (
        sweep_inputs.classify("bad", nothing, baseline, "", change="missing_labels")
        == "silent wrong"
    )


def test_a_note_kept_only_in_attrs_is_not_shown():
    base = pd.DataFrame({"a": [1.0, 2.0]})
    noted = pd.DataFrame({"a": [1.0]})
    noted.attrs["notes"] = ["1 row was dropped: its label is missing."]
    verdict = sweep_inputs.classify("bad", ("ok", noted), sweep_inputs.canon(base), "")
    assert verdict == "silent wrong"


def test_a_missing_row_that_counts_more_shows_more_but_an_unchanged_one_does_not():
    def table(missing, other):
        return pd.DataFrame({"kind": ["(missing)", "Parks"], "datasets": [missing, other]})

    base = table(7, 8)
    baseline = sweep_inputs.canon(base)

    def verdict(frame):
        return sweep_inputs.classify("bad", ("ok", frame), baseline, "", baseline_value=base)

    assert verdict(table(12, 5)) == "result"
    assert verdict(table(7, 5)) == "silent wrong"


def test_a_count_of_rows_that_could_not_be_judged_shows_them():
    base = pd.DataFrame({"met": [21], "no_target": [0]})
    shown = pd.DataFrame({"met": [19], "no_target": [3]})
    hidden = pd.DataFrame({"met": [19], "targets": [3]})
    baseline = sweep_inputs.canon(base)
    for frame, expected in ((shown, "result"), (hidden, "silent wrong")):
        verdict = sweep_inputs.classify("bad", ("ok", frame), baseline, "", baseline_value=base)
        assert verdict == expected

"""Data-only answer values and the trusted evaluation of grade cells (no kernel needed)."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest
from citykit.grading.trusted import TrustedNotebook
from citykit.grading.values import NotPlain, dumps, kernel_call, kernel_probe, loads
from grading_helpers import FIXTURE_COURSE


def _frame():
    return pd.DataFrame(
        {
            "count": [1, 2, 3],
            "share": [0.5, np.nan, 1.0],
            "district": pd.array(["North", None, "East"], dtype="string"),
            "kind": pd.Categorical(["a", "b", "a"]),
            "opened": pd.to_datetime(["2024-01-01", "2024-02-01", None]),
            "closed": pd.to_datetime(["2024-01-02"] * 3).tz_localize("America/Chicago"),
            "sla": pd.array([1, None, 3], dtype="Int64"),
            "late": [True, False, True],
        },
        index=pd.Index(["r1", "r2", "r3"], name="id"),
    )


def test_plain_values_and_tables_come_back_equal_with_their_dtypes():
    frame = _frame()
    pd.testing.assert_frame_equal(loads(dumps(frame)), frame)
    series = frame.groupby("kind", observed=True)["count"].sum()
    pd.testing.assert_series_equal(loads(dumps(series)), series)
    for value in (np.float64(2.5), np.int64(3), float("inf"), (1, {2, 3}), {"a": [None, 1.5]}):
        back = loads(dumps(value))
        assert back == value and type(back) is type(value)


class _EqualsAnything(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize(
    "value", [_EqualsAnything(1.0), object(), lambda: 1, pd.Series([object()], dtype=object)]
)
def test_values_that_are_not_plain_data_are_refused(value):
    with pytest.raises(NotPlain):
        dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        '{"$": "pickle", "v": "gASVAAAAAAAAAAA="}',
        '{"$": "ndarray", "dtype": "V8", "shape": [1], "b64": "AAAAAAAAAAA="}',
        '{"$": "extarray", "dtype": "object", "v": [1]}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_decoding_builds_only_plain_types(text):
    with pytest.raises(ValueError):
        loads(text)


def test_the_kernel_side_describes_values_functions_and_modules():
    namespace = {"x": 5.0, "f": lambda a: a * 2, "np": np, "bad": _EqualsAnything(1.0)}
    described = json.loads(kernel_probe(namespace, ["x", "f", "np", "bad", "nothing"]))
    assert described["x"] == {"kind": "value", "v": 5.0}
    assert described["f"] == {"kind": "function"}
    assert described["np"] == {"kind": "module", "module": "numpy"}
    assert described["bad"]["kind"] == "unsupported"
    assert described["nothing"] == {"kind": "missing"}
    reply = json.loads(
        kernel_call(
            namespace, json.dumps({"name": "f", "args": [21], "kwargs": {"$": "dict", "v": []}})
        )
    )
    assert reply == {"ok": True, "v": 42}


@pytest.fixture(scope="module")
def trusted():
    source = FIXTURE_COURSE / "solutions" / "ps1" / "ps1.ipynb"
    return TrustedNotebook(nbformat.read(source, as_version=4))


def _value(v):
    return {"kind": "value", "value": v}


def _local_caller(functions):
    def call(name, args, kwargs):
        return loads(dumps(functions[name](*args, **kwargs)))

    return call


def test_a_right_answer_passes_and_a_wrong_one_fails_in_the_hidden_tests(trusted):
    assert trusted.evaluate("q1_test", {"mean_days": _value(5.0)}, None).passed
    wrong = trusted.evaluate("q1_test", {"mean_days": _value(4.0)}, None)
    assert not wrong.passed and wrong.in_hidden and wrong.ename == "AssertionError"
    visible = trusted.evaluate("q1_test", {"mean_days": _value(5)}, None)  # an int: visible check
    assert not visible.passed and not visible.in_hidden
    assert visible.evalue == "mean_days should be a number with decimals"


def test_parameters_come_from_the_source_not_from_the_student(trusted):
    assert "days" in trusted.trusted_names and "days" not in trusted.names_to_fetch("q2_test")
    # the student's late_share is right only for the days they set; the tests use the source's
    functions = {"late_share": lambda values, limit: 0.5 if values == [2, 4, 6, 8] else 0.0}
    verdict = trusted.evaluate(
        "q2_test", {"late_share": {"kind": "function"}}, _local_caller(functions)
    )
    assert not verdict.passed  # late_share([1, 9], 5) and [10, 20, 30] are not 0.5


def test_student_functions_are_called_through_the_caller(trusted):
    functions = {"summarize": lambda v: {"min": min(v), "max": max(v)}}
    probe = {"summarize": {"kind": "function"}}
    assert trusted.evaluate("q4_test", probe, _local_caller(functions)).passed
    functions["summarize"] = lambda v: {"min": 0, "max": 0}
    assert not trusted.evaluate("q4_test", probe, _local_caller(functions)).passed


def test_an_answer_that_is_not_plain_gets_its_own_verdict(trusted):
    verdict = trusted.evaluate(
        "q1_test", {"mean_days": {"kind": "unsupported", "type": "decimal.Decimal"}}, None
    )
    assert not verdict.passed
    assert verdict.evalue.startswith("`mean_days` is a decimal.Decimal, not a plain value")


def test_toolkit_results_come_back_as_the_grader_own_class():
    import dataclasses

    from citykit.performance.charts import ControlChart

    chart = object.__new__(ControlChart)
    for number, field in enumerate(dataclasses.fields(ControlChart)):
        object.__setattr__(
            chart, field.name, pd.DataFrame({"v": [number]}) if field.name == "table" else number
        )
    back = loads(dumps(chart))
    assert type(back) is ControlChart and back.centre == chart.centre
    pd.testing.assert_frame_equal(back.table, chart.table)
    forged = dumps(chart).replace("citykit.performance.charts", "os")
    with pytest.raises(ValueError):
        loads(forged)

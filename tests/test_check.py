"""citykit.check: friendly verdicts that never reveal the answer, and that nbgrader can score."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from citykit import datasets
from citykit.check import Exercise, NotYet, fingerprint, load_bank
from citykit.errors import CityKitError, UnknownNameError


@pytest.fixture(scope="module")
def requests():
    return datasets.load("service_requests")


@pytest.fixture(scope="module")
def valid(requests):
    closed = requests[requests["status"] == "Closed"]
    days = (closed["closed_at"] - closed["opened_at"]).dt.total_seconds() / 86400
    return closed.assign(days_to_close=days)[days >= 0]


@pytest.fixture
def check():
    return Exercise("00-foundations")


def _answers(requests, valid):
    """Right answers computed here, independently of the solution notebook."""
    late = valid["days_to_close"] > valid["sla_days"]
    return {
        "q1_requests": len(requests),
        "q2_open": int((requests["status"] == "Open").sum()),
        "q3_top_type": requests["service_type"].value_counts().idxmax(),
        "q4_median_days": float(valid["days_to_close"].median()),
        "q5_on_time": float((valid["days_to_close"] <= valid["sla_days"]).mean()),
        "q6_district_medians": valid.groupby("district", observed=True)["days_to_close"].median(),
        "q7_busiest_month": str(requests["opened_at"].dt.to_period("M").value_counts().idxmax()),
        "q8_worst_department": late.groupby(valid["department"], observed=True).mean().idxmax(),
    }


def test_every_right_answer_is_correct(check, requests, valid):
    for question, value in _answers(requests, valid).items():
        verdict = check.evaluate(question, value)
        assert verdict.passed, (question, str(verdict))


def test_equivalent_forms_of_a_right_answer_pass(check, requests, valid):
    answers = _answers(requests, valid)
    assert check.evaluate("q1_requests", float(answers["q1_requests"])).passed
    assert check.evaluate("q3_top_type", " " + answers["q3_top_type"].upper()).passed
    as_frame = answers["q6_district_medians"].reset_index()
    assert not check.evaluate("q6_district_medians", as_frame).passed  # a Series is asked for
    shuffled = answers["q6_district_medians"].sample(frac=1, random_state=1)
    assert check.evaluate("q6_district_medians", shuffled).passed, "row order does not matter"


def test_plausible_wrong_answers_fail_with_their_feedback(check, requests, valid):
    answers = _answers(requests, valid)
    wrong = {
        "q1_requests": (len(requests[requests["status"] == "Closed"]), "closed requests"),
        "q2_open": (int((requests["status"] != "Closed").sum()), "cancelled"),
        "q4_median_days": (float(valid["days_to_close"].mean()), "That is the mean"),
        "q7_busiest_month": (
            str(requests["opened_at"].dt.to_period("M").value_counts().idxmin()),
            "quietest month",
        ),
    }
    for question, (value, words) in wrong.items():
        assert value != answers[question]
        verdict = check.evaluate(question, value)
        assert verdict.status == "not yet"
        assert words in verdict.message


def test_a_percentage_for_a_share_is_diagnosed(check, requests, valid):
    share = _answers(requests, valid)["q5_on_time"]
    verdict = check.evaluate("q5_on_time", share * 100)
    assert verdict.status == "not yet"
    assert "percentage" in " ".join(verdict.details)


def test_a_rounded_answer_is_called_close(check, requests, valid):
    median = _answers(requests, valid)["q4_median_days"]
    verdict = check.evaluate("q4_median_days", round(median, 1))
    assert verdict.status == "not yet"
    assert "close" in " ".join(verdict.details)


def test_untouched_placeholder_is_not_attempted(check):
    for value in (..., None):
        assert check.evaluate("q1_requests", value).status == "not attempted"
    namespace = {"check": check}
    with pytest.raises(NotYet, match="not attempted"):
        exec('check("q1_requests")', namespace)


def test_the_check_reads_the_variable_from_the_notebook(check, requests, capsys):
    namespace = {"check": check, "n_requests": len(requests)}
    exec('check("q1_requests")', namespace)
    assert "Correct" in capsys.readouterr().out


def test_wrong_types_get_a_pointer_not_a_traceback(check, requests, valid):
    one_cell = pd.DataFrame({"n": [len(requests)]})
    assert ".item()" in check.evaluate("q1_requests", one_cell).message
    assert "is text" in check.evaluate("q1_requests", "49600").message
    series = _answers(requests, valid)["q6_district_medians"]
    assert "Series" in check.evaluate("q6_district_medians", series.to_frame()).message
    assert "12 are expected" in check.evaluate("q6_district_medians", series.iloc[:11]).message
    assert "whole number" in check.evaluate("q1_requests", 12.5).message


def test_failure_raises_an_assertion_error_with_a_one_line_traceback(check):
    with pytest.raises(AssertionError) as info:
        check("q1_requests", 12)
    assert info.value._render_traceback_() == [
        "NotYet: q1_requests: not yet (see the message above)"
    ]


def test_nothing_goes_to_stderr_and_the_answer_is_never_shown(check, requests, valid, capfd):
    answers = _answers(requests, valid)
    for question in answers:
        for value in (answers[question], 7, "x", None):
            try:
                check(question, value)
            except NotYet:
                pass
            verdict = check.evaluate(question, value)
            shown = str(verdict) + verdict._repr_html_()
            if question in ("q1_requests", "q2_open"):
                assert str(answers[question]) not in shown
            if question == "q4_median_days":
                assert f"{answers[question]:.2f}" not in shown
    captured = capfd.readouterr()
    assert captured.err == ""
    assert "Not yet" in captured.out


def test_hints_come_one_step_at_a_time(check):
    first = check.hint("q4_median_days")
    second = check.hint("q4_median_days")
    third = check.hint("q4_median_days")
    assert first.message.startswith("(1/3)") and second.message.startswith("(2/3)")
    assert "next hint" in first.details[0]
    assert third.message.startswith("(3/3)") and not third.details
    assert check.hint("q4_median_days", 1).message.startswith("(1/3)")


def test_grading_mode_keeps_messages_short(check, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    verdict = check.evaluate("q1_requests", 12)
    assert not any("hint" in d for d in verdict.details)


def test_progress_lists_every_question_with_its_objective(check):
    with pytest.raises(NotYet):
        check("q2_open", 3)
    table = check.progress()
    assert list(table.index) == list(load_bank("00-foundations")["questions"])
    assert table.loc["q2_open", "last verdict"] == "not yet"
    assert table.loc["q1_requests", "last verdict"] == "not checked"
    assert table["objective"].str.len().min() > 5


def test_unknown_question_and_assignment_suggest_names(check):
    with pytest.raises(UnknownNameError, match="Did you mean 'q1_requests'"):
        check.evaluate("q1_request", 1)
    with pytest.raises(UnknownNameError, match="Did you mean '00-foundations'"):
        Exercise("00-foundation")


def test_a_bank_without_fingerprints_tells_the_instructor_what_to_run(tmp_path, monkeypatch):
    (tmp_path / "demo.toml").write_text(
        '[questions.q1]\nvariable = "x"\nkind = "integer"\nobjective = "o"\n'
    )
    monkeypatch.setenv("CITYKIT_QUESTIONS_DIR", str(tmp_path))
    with pytest.raises(CityKitError, match="citykit course fingerprint demo"):
        Exercise("demo").evaluate("q1", 3)


def test_fingerprints_are_salted_by_question():
    a = fingerprint(3, question="a/q1", kind="integer")
    b = fingerprint(3, question="a/q2", kind="integer")
    assert a != b
    assert fingerprint(0.1 + 0.2, question="a/q", kind="number") == fingerprint(
        0.3, question="a/q", kind="number"
    )


def test_a_listed_mistake_of_another_length_gets_its_feedback(tmp_path, monkeypatch):
    # a wrong list usually has a different length: the mistake's feedback says more than the length
    (tmp_path / "demo.toml").write_text(
        '[questions.q1]\nvariable = "x"\nkind = "set"\nobjective = "o"\nhints = []\n'
        '[[questions.q1.mistakes]]\ncode = "0"\nfeedback = "You listed the planned ones."\n'
    )
    right = fingerprint({"a", "b"}, question="demo/q1", kind="set")
    wrong = fingerprint({"a", "b", "c"}, question="demo/q1", kind="set")
    answers = {"q1": {"fingerprint": right, "mistakes": [wrong], "shape": {"length": 2}}}
    (tmp_path / "demo.answers.json").write_text(json.dumps(answers))
    monkeypatch.setenv("CITYKIT_QUESTIONS_DIR", str(tmp_path))
    check = Exercise("demo")
    assert check.evaluate("q1", ["b", "a"]).passed
    verdict = check.evaluate("q1", ["a", "b", "c"])
    assert verdict.status == "not yet"
    assert verdict.message == "You listed the planned ones."
    other = check.evaluate("q1", ["a", "b", "d"])  # not a listed mistake: the length is the pointer
    assert other.status == "not yet"
    assert "3 items; 2 are expected" in other.message

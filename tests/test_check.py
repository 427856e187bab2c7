"""citykit.check: friendly verdicts that never reveal the answer, and that nbgrader can score."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from citykit import check as check_module
from citykit import datasets
from citykit.check import Exercise, NotYet, Progress, fingerprint, load_bank
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
def check(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("CITYKIT_COHORT", raising=False)
    return Exercise("00-foundations")


def _answers(requests, valid):
    """Right answers computed here, independently of the solution notebook."""
    late = (valid["days_to_close"] > valid["sla_days"]).groupby(valid["department"], observed=True)
    return {
        "q1_requests": len(requests),
        "q2_open": int((requests["status"] == "Open").sum()),
        "q3_top_type": requests["service_type"].value_counts().idxmax(),
        "q4_median_days": float(valid["days_to_close"].median()),
        "q5_on_time": float((valid["days_to_close"] <= valid["sla_days"]).mean()),
        "q6_district_medians": valid.groupby("district", observed=True)["days_to_close"].median(),
        "q7_busiest_month": int(requests["opened_at"].dt.to_period("M").value_counts().max()),
        "q8_late_ranking": list(late.mean().sort_values(ascending=False).index),
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
    ranking = answers["q8_late_ranking"]
    assert check.evaluate("q8_late_ranking", tuple(ranking)).passed
    assert not check.evaluate("q8_late_ranking", ranking[::-1]).passed, "order matters in a list"


def test_an_answer_rounded_as_the_question_says_is_accepted(check, requests, valid):
    """decimals=3: anything within half a unit of the third decimal passes, a bigger gap fails."""
    share = _answers(requests, valid)["q5_on_time"]
    for accepted in (round(share, 3), share + 0.0005, share - 0.0005, round(share, 4)):
        assert check.evaluate("q5_on_time", accepted).passed, accepted
    for rejected in (share + 0.0008, share - 0.001, round(share, 2) + 0.01):
        assert not check.evaluate("q5_on_time", rejected).passed, rejected
    median = _answers(requests, valid)["q4_median_days"]  # decimals=2
    assert check.evaluate("q4_median_days", round(median, 2)).passed
    assert not check.evaluate("q4_median_days", median + 0.008).passed


def test_an_answer_rounded_too_far_is_told_so(check, requests, valid):
    share = _answers(requests, valid)["q5_on_time"]
    verdict = check.evaluate("q5_on_time", round(share, 2))
    assert verdict.status == "not yet"
    assert "rounded to 2 decimals; the question asks for 3" in " ".join(verdict.details)
    # a wrong number that happens to have two decimals is not called "rounded"
    other = check.evaluate("q5_on_time", round(share, 2) - 0.05)
    assert "rounded" not in " ".join(other.details)


def test_plausible_wrong_answers_fail_with_their_feedback(check, requests, valid):
    answers = _answers(requests, valid)
    late = (valid["days_to_close"] > valid["sla_days"]).groupby(valid["department"], observed=True)
    wrong = {
        "q1_requests": (len(requests[requests["status"] == "Closed"]), "closed requests"),
        "q2_open": (int((requests["status"] != "Closed").sum()), "cancelled"),
        "q3_top_type": (int(requests["service_type"].value_counts().iloc[0]), "count"),
        "q4_median_days": (float(valid["days_to_close"].mean()), "That is the mean"),
        "q7_busiest_month": (
            int(requests["closed_at"].dt.to_period("M").value_counts().max()),
            "closed",
        ),
        "q8_late_ranking": (
            list(late.sum().sort_values(ascending=False).index),
            "number of late requests",
        ),
    }
    for question, (value, words) in wrong.items():
        assert value != answers[question]
        verdict = check.evaluate(question, value)
        assert verdict.status == "not yet"
        assert words in verdict.message, (question, verdict.message)


def test_a_percentage_for_a_share_is_diagnosed(check, requests, valid):
    share = _answers(requests, valid)["q5_on_time"]
    verdict = check.evaluate("q5_on_time", round(share * 100, 1))
    assert verdict.status == "not yet"
    assert "percentage" in " ".join(verdict.details) + verdict.message


def test_untouched_placeholder_is_not_attempted_and_the_notebook_goes_on(check, capsys):
    for value in (..., None):
        assert check.evaluate("q1_requests", value).status == "not attempted"
    namespace = {"check": check}
    exec('check("q1_requests")\nreached = True', namespace)  # no exception for a learner
    assert namespace["reached"]
    assert "Not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_while_grading_a_failing_check_fails_its_cell(check, monkeypatch, mode):
    """nbgrader scores by errors: under autograde and the Validate button a failure raises."""
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    with pytest.raises(NotYet) as info:
        check("q1_requests", None)
    assert "has no answer yet" in str(info.value), "the failure carries the message"
    with pytest.raises(AssertionError):
        check("q1_requests", 12)
    assert check("q1_requests", len(datasets.load("service_requests"))) is None


def test_a_learner_gets_no_exception_for_a_wrong_answer(check, capsys):
    assert check("q1_requests", 12) is None
    assert "Not yet" in capsys.readouterr().out


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
    assert "whole number" in check.evaluate("q1_requests", 12.5).message
    for empty in (float("nan"), pd.NA):  # e.g. a year compared with text matched no row
        message = check.evaluate("q4_median_days", empty).message
        assert "found no rows" in message and "NAType" not in message


def test_a_wrong_size_never_reveals_the_expected_size(check, requests, valid):
    series = _answers(requests, valid)["q6_district_medians"]
    message = check.evaluate("q6_district_medians", series.iloc[:11]).message
    assert "11 values" in message
    assert "12" not in message
    ranking = _answers(requests, valid)["q8_late_ranking"]
    message = check.evaluate("q8_late_ranking", ranking[:3]).message
    assert "3 items" in message and str(len(ranking)) not in message


def test_nothing_goes_to_stderr_and_the_answer_is_never_shown(check, requests, valid, capfd):
    answers = _answers(requests, valid)
    for question in answers:
        for value in (answers[question], 7, "x", None):
            check(question, value)
            verdict = check.evaluate(question, value)
            shown = str(verdict) + verdict._repr_html_()
            if question in ("q1_requests", "q2_open", "q7_busiest_month"):
                assert str(answers[question]) not in shown
            if question == "q4_median_days":
                assert f"{answers[question]:.2f}" not in shown
    captured = capfd.readouterr()
    assert captured.err == ""
    assert "Not yet" in captured.out


def test_hints_come_one_step_at_a_time_and_each_is_shown(check, capsys):
    check.hint("q4_median_days")
    check.hint("q4_median_days")
    shown = capsys.readouterr().out
    assert "(1/3)" in shown and "(2/3)" in shown, "each call shows its hint"
    third = check.next_hint("q4_median_days")
    assert third.message.startswith("(3/3)") and not third.details
    first = check.next_hint("q4_median_days", 1)
    assert first.message.startswith("(1/3)") and "next hint" in first.details[0]


@pytest.mark.parametrize(
    "assignment", sorted(p.stem for p in check_module.QUESTIONS_DIR.glob("*.toml"))
)
def test_hints_step_from_the_concept_to_the_answer(assignment):
    """Concept, then the missing step, then the code: no jump from a repeat of the lesson to the
    answer. Choice questions give two pointers and no letter."""
    for qid, spec in load_bank(assignment)["questions"].items():
        hints, variable = spec["hints"], spec["variable"]
        if spec.get("kind") == "choice":
            assert len(hints) >= 2, qid
            assert not any(f"{variable} =" in h for h in hints), f"{qid}: a hint gives the letter"
            continue
        assert len(hints) >= 3, qid
        assert f"{variable} =" in hints[-1], f"{qid}: the last hint shows the code"
        assert not any(f"{variable} =" in h for h in hints[:-1]), f"{qid}: only the last gives it"


def test_grading_mode_keeps_messages_short(check, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    verdict = check.evaluate("q1_requests", 12)
    assert not any("hint" in d for d in verdict.details)


def test_progress_summarises_every_question(check):
    check("q2_open", 3)
    check("q3_top_type", None)
    progress = check.progress()
    assert isinstance(progress, Progress)
    table = progress.table
    assert list(table.index) == list(load_bank("00-foundations")["questions"])
    assert table.loc["q2_open", "last verdict"] == "not yet"
    assert table.loc["q3_top_type", "last verdict"] == "not attempted"
    assert table.loc["q1_requests", "last verdict"] == "not checked"
    assert table["objective"].str.len().min() > 5
    n = len(table)
    assert progress.summary == (
        f"00-foundations: 0 of {n} questions Correct, 1 not yet, 1 not attempted, "
        f"{n - 2} not checked."
    )
    assert progress.summary in progress._repr_html_() and progress.summary in str(progress)


def test_a_worked_answer_opens_after_correct(check, requests):
    locked = check.worked_answer("q1_requests")
    assert locked.status == "hint" and "once your check says Correct" in locked.message
    assert "len(requests)" not in str(locked)
    check("q1_requests", 12)
    assert check.worked_answer("q1_requests").status == "hint", "a wrong answer opens nothing"
    check("q1_requests", len(requests))
    worked = check.worked_answer("q1_requests")
    assert worked.status == "worked"
    assert "n_requests = len(requests)" in worked.code
    assert "n_requests = len(requests)" in worked._repr_html_()


def test_a_worked_answer_opens_for_an_accepted_alternative_value(check, requests, valid):
    share = _answers(requests, valid)["q5_on_time"]
    check("q5_on_time", round(share, 3))  # a neighbour of the stored value
    assert check.worked_answer("q5_on_time").status == "worked"


def test_the_worked_answers_are_not_readable_without_the_answer():
    bank_file = check_module.bank_path("00-foundations").with_name("00-foundations.answers.json")
    text = bank_file.read_text()
    assert "len(requests)" not in text and "value_counts" not in text
    sealed = json.loads(text)["q1_requests"]["worked"][0]
    assert (
        check_module._unseal(sealed, question="00-foundations/q1_requests", canonical="int:12")
        is None
    )


def test_in_a_cohort_worked_answers_wait_for_the_instructor(check, requests, tmp_path, monkeypatch):
    monkeypatch.setenv("CITYKIT_COHORT", str(tmp_path))
    check("q1_requests", len(requests))
    waiting = check.worked_answer("q1_requests")
    assert waiting.status == "hint" and "releases" in waiting.message
    (tmp_path / "00-foundations.released").touch()
    assert check.worked_answer("q1_requests").status == "worked"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert "not available while grading" in check.worked_answer("q1_requests").message


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


def test_decimals_on_a_text_question_is_refused(tmp_path, monkeypatch):
    (tmp_path / "demo.toml").write_text(
        '[questions.q1]\nvariable = "x"\nkind = "text"\ndecimals = 2\nobjective = "o"\n'
    )
    monkeypatch.setenv("CITYKIT_QUESTIONS_DIR", str(tmp_path))
    with pytest.raises(CityKitError, match="decimals= applies to numbers"):
        Exercise("demo")


def test_fingerprints_are_salted_by_question():
    a = fingerprint(3, question="a/q1", kind="integer")
    b = fingerprint(3, question="a/q2", kind="integer")
    assert a != b
    assert fingerprint(0.1 + 0.2, question="a/q", kind="number") == fingerprint(
        0.3, question="a/q", kind="number"
    )
    big = fingerprint(1_234_567, question="a/q", kind="integer")
    assert big != fingerprint(1_234_568, question="a/q", kind="integer"), "counts are exact"


def _demo_bank(tmp_path, monkeypatch, kind, answer, mistakes, alternatives=(), extra=""):
    lines = [
        f'[questions.q1]\nvariable = "x"\nkind = "{kind}"\nobjective = "o"\nhints = []\n{extra}'
    ]
    for i, _ in enumerate(mistakes):
        lines.append(f'[[questions.q1.mistakes]]\ncode = "0"\nfeedback = "Mistake {i}."\n')
    (tmp_path / "demo.toml").write_text("\n".join(lines))
    bank = tomllib_loads(tmp_path / "demo.toml")["questions"]["q1"]
    decimals = bank.get("decimals")

    def fp(v):
        return fingerprint(v, question="demo/q1", kind=kind, decimals=decimals)

    entry = {
        "fingerprint": fp(answer),
        "accepted": [fp(a) for a in alternatives],
        "mistakes": [fp(m) for m in mistakes],
        "shape": check_module.describe_value(answer) if kind in ("set", "list") else {},
    }
    (tmp_path / "demo.answers.json").write_text(json.dumps({"q1": entry}))
    monkeypatch.setenv("CITYKIT_QUESTIONS_DIR", str(tmp_path))
    return Exercise("demo")


def tomllib_loads(path):
    import tomllib

    return tomllib.loads(path.read_text())


def test_a_listed_mistake_of_another_length_gets_its_feedback(tmp_path, monkeypatch):
    # a wrong list usually has a different length: the mistake's feedback says more than the length
    check = _demo_bank(tmp_path, monkeypatch, "set", {"a", "b"}, [{"a", "b", "c"}])
    assert check.evaluate("q1", ["b", "a"]).passed
    verdict = check.evaluate("q1", ["a", "b", "c"])
    assert verdict.status == "not yet"
    assert verdict.message == "Mistake 0."
    other = check.evaluate("q1", ["a", "b", "d"])  # not a listed mistake: the length is the pointer
    assert other.status == "not yet"
    assert "3 items, not as many as the question asks for" in other.message


def test_alternatives_are_accepted_and_mistakes_near_them_recognised(tmp_path, monkeypatch):
    check = _demo_bank(
        tmp_path, monkeypatch, "number", 0.5, [0.4], alternatives=[0.55], extra="decimals = 2\n"
    )
    assert check.evaluate("q1", 0.504).passed
    assert check.evaluate("q1", 0.55).passed and check.evaluate("q1", 0.546).passed
    assert check.evaluate("q1", 0.402).message == "Mistake 0."
    assert not check.evaluate("q1", 0.47).passed


def test_a_list_of_numbers_is_compared_item_by_item(tmp_path, monkeypatch):
    check = _demo_bank(
        tmp_path, monkeypatch, "list", [0.05, 0.025, 0.074], [[5, 2.5, 7.4]], extra="decimals = 3\n"
    )
    assert check.evaluate("q1", [0.0502, 0.0248, 0.0741]).passed
    assert not check.evaluate("q1", [0.0502, 0.0248, 0.0761]).passed
    assert check.evaluate("q1", [5, 2.5, 7.4]).message == "Mistake 0."


def test_a_choice_answer_may_carry_its_punctuation(tmp_path, monkeypatch):
    check = _demo_bank(
        tmp_path, monkeypatch, "choice", "b", ["a"], extra='options = ["a", "b", "c", "d"]\n'
    )
    for written in ("b", "B", " b ", "b.", "(b)"):
        assert check.evaluate("q1", written).passed, written
    assert check.evaluate("q1", "a)").message == "Mistake 0."
    assert "answer with one of" in check.evaluate("q1", "e").message


def test_a_choice_question_opens_its_explanation_after_correct(monkeypatch):
    monkeypatch.delenv("CITYKIT_COHORT", raising=False)
    check = Exercise("01-open-data")
    check("q4_not_checked", "a")
    assert check.worked_answer("q4_not_checked").status == "hint"
    check("q4_not_checked", "B")
    worked = check.worked_answer("q4_not_checked")
    assert worked.status == "worked" and "320 of 405" in worked.message

"""The hostile corpus: every kind of bad submission gets a clear status and an exact score.

Expected scores are hand-computed from the fixture problem set (q1 2, q2 3, q3 1, q4 2 points;
see tests/grading/corpus/__init__.py for what each submission does).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from corpus import CASES
from grading_helpers import (
    ASSIGNMENT,
    CELL_TIMEOUT,
    copy_course,
    sandbox_processes,
    trace_token,
    traced_processes,
    write_submissions,
)

pytestmark = pytest.mark.grading

HIDDEN_LINES = [
    'assert abs(mean_days - 5.0) < 1e-9, "hidden check q1"',
    "assert late_share(days, target) == 0.5",
    "assert late_share([10, 20, 30], 15) == 2 / 3",
    'assert busiest == "Riverside"',
    'assert summary == {"min": 1, "max": 3}',
    "assert summarize([7, -4, 12])",
    "hidden check q1",
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, release_notebook):
    from citykit.grading import grade

    course = copy_course(tmp_path_factory.mktemp("corpus") / "course")
    _git_history(course)
    write_submissions(course, release_notebook, CASES)
    solution = course / "solutions" / ASSIGNMENT / "ps1.ipynb"
    before = hashlib.sha256(solution.read_bytes()).hexdigest()
    os.environ["CITYKIT_TEST_DB_PASSWORD"] = "grader-secret"  # must not reach student code
    try:
        summary = grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT)
    finally:
        del os.environ["CITYKIT_TEST_DB_PASSWORD"]
    return {"course": course, "summary": summary, "solution_sha": before}


def _git_history(course):
    """Put the course under git, as instructors do: its history holds the solutions."""
    env = dict(os.environ, GIT_AUTHOR_NAME="x", GIT_AUTHOR_EMAIL="x@example.org")
    env.update(GIT_COMMITTER_NAME="x", GIT_COMMITTER_EMAIL="x@example.org")
    for argv in (["init", "-q"], ["add", "solutions"], ["commit", "-qm", "course"]):
        subprocess.run(["git", "-C", str(course), *argv], check=True, env=env)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_submission_gets_its_status_and_exact_score(graded, case):
    outcome = graded["summary"].by_student()[case.name]
    assert outcome.status == case.status, (case.why, outcome.notes)
    assert outcome.auto_score == case.score, (case.why, outcome.notes)
    assert outcome.max_score == 10


def test_gradebook_holds_exactly_one_row_per_student_with_exact_scores(graded):
    db = graded["course"] / "_grading" / "gradebook.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"
        ).fetchall()
        journal = dict(
            conn.execute("SELECT student, auto_score FROM citykit_grading_journal").fetchall()
        )
        auto = dict(
            conn.execute(
                "SELECT sa.student_id, SUM(COALESCE(g.auto_score, 0)) FROM grade g "
                "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
                "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
                "JOIN base_cell bc ON g.cell_id = bc.id "
                "WHERE bc.name != 'interpretation' GROUP BY sa.student_id"
            ).fetchall()
        )
    assert sorted(rows) == sorted((c.name, 1) for c in CASES)
    assert journal == {c.name: c.score for c in CASES}
    assert auto == {c.name: c.score for c in CASES}


def test_solutions_and_gradebook_survive_hostile_code(graded):
    course = graded["course"]
    solution = course / "solutions" / ASSIGNMENT / "ps1.ipynb"
    assert hashlib.sha256(solution.read_bytes()).hexdigest() == graded["solution_sha"]
    assert (course / "solutions" / ASSIGNMENT / "districts.csv").is_file()
    assert (course / "_grading" / "gradebook.db").is_file()


def _outputs(course, student, grade_id):
    path = course / "_grading" / "autograded" / student / ASSIGNMENT / "ps1.ipynb"
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(
                "".join(o.get("text", "")) + o.get("ename", "") for o in cell.get("outputs", [])
            )
    raise KeyError(grade_id)


def test_student_code_could_read_no_secret_and_ran_unprivileged(graded):
    text = _outputs(graded["course"], "reads_secrets", "q1_answer")
    assert "LEAKED []" in text
    assert "ENVLEAK False" in text
    if os.geteuid() == 0:
        uid = int(text.split("UID")[1].split()[0])
        assert uid != 0


def test_no_git_history_and_nothing_written_to_tmp_survives(graded):
    text = _outputs(graded["course"], "leaves_traces", "q1_answer")
    if os.geteuid() != 0:
        pytest.skip("without root the kernel runs as the grader (documented in docs/grading.md)")
    assert "GIT 0 0" in text, text
    for folder in ("/tmp", "/dev/shm"):
        assert not Path(folder, f"citykit-{trace_token(graded['course'])}").exists(), folder


def test_student_code_reaches_no_network(graded):
    text = _outputs(graded["course"], "phones_home", "q1_answer")
    assert "NETWORK []" in text  # neither the host's loopback services nor the internet
    notes = " ".join(graded["summary"].sandbox)
    if os.geteuid() == 0:
        assert "Kernels have no network" in notes, notes


def test_warnings_do_not_cost_points_but_stderr_does(graded):
    outcomes = graded["summary"].by_student()
    assert not any("stderr" in n for n in outcomes["warnings"].notes)
    assert any("q2_test" in n and "stderr" in n for n in outcomes["stderr"].notes)


def test_repairs_are_explained_in_plain_words(graded):
    notes = {o.student: " ".join(o.notes) for o in graded["summary"].outcomes}
    assert "q2_test" in notes["deleted_test_cell"] and "deleted" in notes["deleted_test_cell"]
    assert "q1_test" in notes["edited_locked_test"] and "restored" in notes["edited_locked_test"]
    assert "appeared 2 times" in notes["duplicated_cells"]
    assert "conda-env-analytics-py" in notes["wrong_kernel"]
    assert "huge stored outputs" in notes["huge_output"]
    assert "not a readable notebook" in notes["corrupt_json"]
    assert "time limit" in notes["infinite_loop"]
    assert "memory" in notes["memory_bomb"]
    assert "FIFO" in notes["fifo_notebook"] and "refused" in notes["fifo_notebook"]
    assert "symbolic link" in notes["symlink_to_solution"]
    assert "(grade, points) of 'q1_answer'" in notes["answer_made_grade_cell"]
    assert "'my_answer' was renamed: graded as 'q2_answer'" in notes["renamed_grade_id"]
    assert "(solution) of 'interpretation'" in notes["memo_flag_changed"]
    assert "(schema_version) of 9 cells" in notes["schema_version_10"]
    assert "timestamp.txt ('last tuesday" in notes["bad_timestamp"]


def test_every_problem_status_keeps_its_cause_with_the_results(graded):
    course = graded["course"]
    for outcome in graded["summary"].outcomes:
        if outcome.status in ("ok", "repaired"):
            continue
        where = [n for n in outcome.notes if n.startswith("details: ")]
        assert where, (outcome.student, outcome.notes)
        assert (course / where[0][len("details: ") :]).is_file()


def test_feedback_contains_no_hidden_test_code(graded):
    course = graded["course"]
    feedback = sorted((course / "_grading" / "feedback").glob(f"*/{ASSIGNMENT}/ps1.html"))
    assert len(feedback) == len(CASES) - 0  # unreadable and missing students get feedback too
    for path in feedback:
        text = path.read_text()
        for line in HIDDEN_LINES:
            assert line not in text and html.escape(line) not in text, (path, line)
        assert "hidden tests are not shown" in text
    # the instructor's autograded copy does hold them, so the check above can fail
    autograded = course / "_grading" / "autograded" / "correct" / ASSIGNMENT / "ps1.ipynb"
    assert "late_share([10, 20, 30], 15)" in autograded.read_text()


def test_failed_hidden_test_is_reported_without_its_code(graded):
    course = graded["course"]
    text = (course / "_grading" / "feedback" / "partly_right" / ASSIGNMENT / "ps1.html").read_text()
    assert "a hidden test did not pass" in text


def test_an_answer_that_is_not_plain_data_gets_its_own_verdict(graded):
    course = graded["course"]
    text = (course / "_grading" / "feedback" / "not_plain" / ASSIGNMENT / "ps1.html").read_text()
    assert "`mean_days` is a decimal.Decimal, not a plain value" in html.unescape(text)


def test_forged_scores_come_to_nothing_and_visible_checks_still_run_in_the_notebook(graded):
    outcomes = graded["summary"].by_student()
    for name in ("forged_transformer", "forged_run_cell", "forged_builtins"):
        assert outcomes[name].auto_score == 0, (name, outcomes[name].notes)
    # the learner's visible check still runs in the kernel: late_share([1, 9], 5), called only
    # by q2's visible check there, writes to stderr in the "stderr" submission
    assert "checking 2 values" in _outputs(graded["course"], "stderr", "q2_test")


def test_no_student_process_survives_the_run(graded):
    assert sandbox_processes() == []
    assert traced_processes(graded["course"]) == []


def test_report_lists_who_needs_help_and_hardest_questions(graded):
    import pandas as pd

    report = graded["summary"].report
    students = pd.read_csv(report["students_csv"])
    questions = pd.read_csv(report["questions_csv"]).set_index("question")
    assert len(students) == len(CASES)
    needs_help = set(students.loc[students["needs_help"].notna(), "student"])
    # below 60 % of 8 automatic points (< 4.8) or a submission problem
    problems = {"unreadable", "missing", "kernel_died", "timeout", "memory"}
    expected = {c.name for c in CASES if c.score < 4.8 or c.status in problems}
    assert needs_help == expected
    # success rate of q2 = students with full marks on q2, from the case definitions
    q2_full = {
        "correct",
        "exception",
        "memory_bomb",
        "sys_exit",
        "os_exit",
        "killed_kernel",
        "deleted_test_cell",
        "edited_locked_test",
        "duplicated_cells",
        "wrong_kernel",
        "huge_output",
        "warnings",
        "reads_secrets",
        "deletes_outside",
        "phones_home",
        "not_plain",
        "prints_history",
        "codec_removed",
        "frozen_inheritance",
        "leaves_traces",
        "answer_made_grade_cell",
        "renamed_grade_id",
        "memo_flag_changed",
        "schema_version_10",
        "bad_timestamp",
    }
    assert questions.loc["q2_test", "success_rate"] == pytest.approx(len(q2_full) / len(CASES))
    assert questions.loc["q2_test", "objective"] == "Write a function for a service-level share"
    page = open(report["html"], encoding="utf-8").read()
    assert page.count("data:image/png;base64,") == 2
    assert "Students who need help" in page and "Hardest questions" in page
    grades = pd.read_csv(report["grades_csv"])
    assert dict(zip(grades["student"], grades["score"], strict=True)) == {
        c.name: c.score for c in CASES
    }

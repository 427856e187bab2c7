"""Resumable grading: re-runs skip graded students, --force keeps manual grades, kill -9 is safe."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from corpus import CASES
from grading_helpers import (
    ASSIGNMENT,
    CELL_TIMEOUT,
    HERE,
    copy_course,
    run_cli,
    sandbox_processes,
    write_submissions,
)

pytestmark = pytest.mark.grading

BY_NAME = {c.name: c for c in CASES}


def _journal(db):
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        try:
            return dict(conn.execute("SELECT student, auto_score FROM citykit_grading_journal"))
        except sqlite3.OperationalError:
            return {}


def _submission_counts(db):
    with sqlite3.connect(db) as conn:
        return dict(
            conn.execute(
                "SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"
            )
        )


def test_rerun_skips_graded_students_and_force_keeps_manual_grades(
    tmp_path, release_notebook, capsys
):
    from citykit.grading import grade
    from nbgrader.api import Gradebook

    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, [BY_NAME["correct"], BY_NAME["partly_right"]])
    first = grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT, report=False)
    assert {o.student: o.auto_score for o in first.outcomes} == {"correct": 8, "partly_right": 3}

    again = grade(ASSIGNMENT, course_root=course, timeout=CELL_TIMEOUT, report=False)
    assert again.outcomes == () and set(again.skipped) == {"correct", "partly_right"}

    db = course / "_grading" / "gradebook.db"
    with Gradebook(f"sqlite:///{db}", "fixture-course") as gb:
        answer = gb.find_grade("interpretation", "ps1", ASSIGNMENT, "correct")
        assert answer.needs_manual_grade
        answer.manual_score = 1.5
        answer.needs_manual_grade = False
        comment = gb.find_comment("interpretation", "ps1", ASSIGNMENT, "correct")
        comment.manual_comment = "Name the share of late requests too."
        gb.db.commit()
    (
        course / "_grading" / "submitted" / "correct" / ASSIGNMENT / "submission_secret.txt"
    ).write_text("secret-of-correct")
    feedback = course / "_grading" / "feedback" / "correct" / ASSIGNMENT
    assert "Score: 8.0 / 10.0" in (feedback / "ps1.html").read_text()

    code = run_cli(
        ["grade", ASSIGNMENT, "--course-root", str(course), "--student", "correct", "--force"]
        + ["--timeout", str(CELL_TIMEOUT)]
    )
    assert code == 0
    printed = capsys.readouterr()
    assert "grading ps1" in printed.err and "1/1" in printed.err  # progress bar on stderr
    assert "1 graded" in printed.out
    with Gradebook(f"sqlite:///{db}", "fixture-course") as gb:
        submission = gb.find_submission(ASSIGNMENT, "correct")
        assert submission.score == pytest.approx(8 + 1.5)
        assert not submission.needs_manual_grade
        assert gb.find_submission(ASSIGNMENT, "partly_right").score == 3
    assert _submission_counts(db) == {"correct": 1, "partly_right": 1}
    # the regenerated feedback shows the manual score and comment; release_feedback's files
    page = (feedback / "ps1.html").read_text()
    assert "Score: 9.5 / 10.0" in page
    assert "Name the share of late requests too." in page
    assert (feedback / "submission_secret.txt").read_text() == "secret-of-correct"
    assert (feedback / "timestamp.txt").is_file() or not (
        course / "_grading" / "submitted" / "correct" / ASSIGNMENT / "timestamp.txt"
    ).is_file()


def test_killed_run_loses_nothing_and_counts_nothing_twice(tmp_path, release_notebook):
    from citykit.grading import grade

    names = ["infinite_loop", "correct", "blank", "partly_right", "syntax_error", "sys_exit"]
    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, [BY_NAME[n] for n in names])
    submitted = course / "_grading" / "submitted"
    for name in names:  # a second student of each kind
        (submitted / f"{name}_2").mkdir()
        os.rename(submitted / name / ASSIGNMENT, submitted / f"{name}_2" / ASSIGNMENT)
        write_submissions(course, release_notebook, [BY_NAME[name]])
    expected = {n: BY_NAME[n].score for n in names} | {f"{n}_2": BY_NAME[n].score for n in names}

    db = course / "_grading" / "gradebook.db"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); from grading_helpers import run_cli; "
        "sys.exit(run_cli(sys.argv[2:]))"
    )
    argv = ["grade", ASSIGNMENT, "--course-root", str(course), "--workers", "2"]
    argv += ["--timeout", str(CELL_TIMEOUT), "--no-progress"]
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(HERE), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while len(_journal(db)) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _journal(db)
    assert 3 <= len(before) < len(expected)
    assert all(expected[s] == score for s, score in before.items())

    deadline = time.monotonic() + 20
    while sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert sandbox_processes() == []

    resumed = grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT)
    assert {o.student for o in resumed.outcomes} == set(expected) - set(before)
    assert set(resumed.skipped) == set(before)
    assert _journal(db) == expected
    assert _submission_counts(db) == {s: 1 for s in expected}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_gradebook_failure_for_one_student_stops_no_one_else(
    tmp_path, release_notebook, monkeypatch
):
    import citykit.grading.batch as batch

    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, [BY_NAME["correct"], BY_NAME["blank"]])
    real = batch.commit_student

    def flaky(layout, result, **kwargs):
        if result.student == "blank":
            raise RuntimeError("database went away")
        return real(layout, result, **kwargs)

    monkeypatch.setattr(batch, "commit_student", flaky)
    first = batch.grade(ASSIGNMENT, course_root=course, timeout=CELL_TIMEOUT, report=False)
    outcomes = first.by_student()
    assert outcomes["correct"].status == "ok" and outcomes["correct"].auto_score == 8
    assert outcomes["blank"].status == "error"
    assert "database went away" in " ".join(outcomes["blank"].notes)
    db = course / "_grading" / "gradebook.db"
    assert _journal(db) == {"correct": 8}

    monkeypatch.setattr(batch, "commit_student", real)
    second = batch.grade(ASSIGNMENT, course_root=course, timeout=CELL_TIMEOUT, report=False)
    assert [o.student for o in second.outcomes] == ["blank"]
    assert _journal(db) == {"correct": 8, "blank": 0}

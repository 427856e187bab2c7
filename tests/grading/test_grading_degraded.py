"""Without the unprivileged user (as on a machine where grading does not run as root), grading
still works with resource limits only, and the report says what is not protected."""

from __future__ import annotations

import pytest
from corpus import CASES
from grading_helpers import (
    ASSIGNMENT,
    CELL_TIMEOUT,
    copy_course,
    traced_processes,
    write_submissions,
)

pytestmark = pytest.mark.grading


def test_limits_only_sandbox_still_grades_exactly(tmp_path, release_notebook, monkeypatch):
    from citykit.grading import grade

    monkeypatch.setenv("CITYKIT_SANDBOX", "limits-only")
    names = ("correct", "infinite_loop", "memory_bomb", "os_exit", "leaves_traces")
    cases = [c for c in CASES if c.name in names]
    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, cases)
    summary = grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT)
    assert {o.student: (o.status, o.auto_score) for o in summary.outcomes} == {
        c.name: (c.status, c.score) for c in cases
    }
    assert any("limits-only" in note for note in summary.sandbox)
    assert traced_processes(course) == []  # the process started in a new session is gone too
    page = open(summary.report["html"], encoding="utf-8").read()
    assert "NOT fully protected" in page
    assert any("Not protected: network access" in note for note in summary.sandbox)


def test_kernels_started_without_the_zygote_are_sandboxed_alike(
    tmp_path, release_notebook, monkeypatch
):
    """CITYKIT_NO_ZYGOTE=1 starts each kernel as a new process through the same sandbox."""
    import os

    from citykit.grading import grade

    monkeypatch.setenv("CITYKIT_NO_ZYGOTE", "1")
    names = ("correct", "os_exit", "reads_secrets", "phones_home", "leaves_traces")
    cases = [c for c in CASES if c.name in names]
    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, cases)
    summary = grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT)
    assert {o.student: (o.status, o.auto_score) for o in summary.outcomes} == {
        c.name: (c.status, c.score) for c in cases
    }
    if os.geteuid() == 0:
        assert any("Kernels have no network" in note for note in summary.sandbox)
    assert traced_processes(course) == []

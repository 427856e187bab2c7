"""The wall-clock backstop scores a stopped cell exactly as the CPU clock does.

A cell's limit is the kernel's own CPU time; the wall clock is only a backstop (for code that
sleeps, waits or switches the CPU clock off). On a very busy machine a loop can reach the
backstop before its CPU limit. Either way the cell is stopped and scores 0, and the cells after
it still run -- unless the kernel no longer answers (its code ignores the interrupt): then they
do not run, and the status says the kernel stopped.

The backstop is shortened here (it is at least 30 s in real grading) so the test stays quick.
"""

from __future__ import annotations

import json

import pytest
from corpus import answered
from grading_helpers import ASSIGNMENT, CELL_TIMEOUT, copy_course

pytestmark = pytest.mark.grading

BACKSTOP = 15  # wall-clock seconds: far above an honest ps1 cell, even on a slow machine

SUBMISSIONS = {
    # sleeps: uses no CPU time, so only the wall clock can stop it
    "sleeper": "import time\ntime.sleep(600)",
    # sleeps and ignores the interrupt: the kernel never answers again
    "deaf_sleeper": "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "time.sleep(600)",
    # an ordinary loop, the CPU clock switched off: only the backstop can stop it
    "unclocked_loop": "import signal\nsignal.setitimer(signal.ITIMER_PROF, 0)\n"
    "signal.signal(signal.SIGPROF, signal.SIG_IGN)\nwhile True:\n    pass",
}


def test_backstop_stops_a_cell_and_later_cells_still_run(tmp_path, release_notebook, monkeypatch):
    from citykit.grading import grade, run

    monkeypatch.setattr(run, "wall_backstop", lambda cpu_seconds: BACKSTOP)
    course = copy_course(tmp_path / "course")
    for name, code in SUBMISSIONS.items():
        folder = course / "_grading" / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        nb = answered(release_notebook, q2_answer=code)
        (folder / "ps1.ipynb").write_text(json.dumps(nb))
    summary = grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT, report=False)
    got = {o.student: (o.status, o.auto_score) for o in summary.outcomes}
    # q2 (3 points) is lost; q1, q3 and q4 (5 points) still score when the kernel answers
    assert got == {
        "sleeper": ("timeout", 5),
        "unclocked_loop": ("timeout", 5),
        "deaf_sleeper": ("kernel_died", 2),
    }

"""Scores do not depend on machine load: a very busy machine grades exactly like an idle one.

Cell limits count the kernel's own CPU time, so a slow-but-honest cell on a loaded grading server
keeps its points, and a cell that really loops is still stopped. No timing is asserted: the
test asserts statuses and scores only.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from corpus import CASES
from grading_helpers import ASSIGNMENT, CELL_TIMEOUT, copy_course, write_submissions

pytestmark = pytest.mark.grading

BY_NAME = {c.name: c for c in CASES}
NAMES = ("correct", "huge_output", "infinite_loop", "partly_right", "stderr")
BUSY = 10  # CPU-bound processes on a 2-core machine: load average about 10
WRITERS = 2  # processes writing output as fast as they can


def _busy_machine():
    spin = [sys.executable, "-c", "while True:\n    pass"]
    write = [sys.executable, "-c", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)"]
    procs = [subprocess.Popen(spin) for _ in range(BUSY)]
    procs += [subprocess.Popen(write, stdout=subprocess.DEVNULL) for _ in range(WRITERS)]
    return procs


def test_scores_are_identical_on_a_very_busy_machine(tmp_path, release_notebook):
    from citykit.grading import grade

    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, [BY_NAME[n] for n in NAMES])
    procs = _busy_machine()
    try:
        summary = grade(
            ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT, report=False
        )
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
    got = {o.student: (o.status, o.auto_score) for o in summary.outcomes}
    assert got == {n: (BY_NAME[n].status, BY_NAME[n].score) for n in NAMES}

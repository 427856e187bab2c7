"""Build, verify and run the course: nbgrader for exercises, papermill for lessons.

``citykit course build``
    regenerates ``exercises/`` from ``solutions/`` with ``nbgrader generate_assignment``
    (deterministic, so a clean checkout stays clean).
``citykit course fingerprint ASSIGNMENT``
    executes the solution notebook, runs every question's methods (mistakes and alternatives)
    against the data, and writes the fingerprints and sealed worked answers the learner-facing
    checks use (``citykit/questions/<assignment>.answers.json``).
``citykit course verify``
    checks every notebook: exercises in sync with solutions; every solution passes every test
    (nbgrader's ``Validator`` from Python, because the ``nbgrader validate`` command exits 0 even
    on failure); every untouched exercise fails every graded test under nbgrader and runs to
    its end for a learner (every check "Not attempted"); every wrong method of the question
    banks, run against the data in the executed solution's kernel, is rejected by the check
    (with its own feedback) and by the hidden tests, and every defensible alternative is
    accepted by both; no feedback or hint shows the answer; no outputs or execution counts in
    git; a papermill ``parameters`` cell in every notebook; every lesson executes. Non-zero exit
    on any failure.
``citykit course run``
    executes the lessons with papermill into ``build/`` (optionally on another city's data).

One module per job: :mod:`~citykit.course.exercises` (build), :mod:`~citykit.course.answers`
(fingerprint, and running the question banks' methods), :mod:`~citykit.course.verification`
(verify) with :mod:`~citykit.course.notebook_checks` and :mod:`~citykit.course.jobs`,
:mod:`~citykit.course.running` and :mod:`~citykit.course.execution` (run),
:mod:`~citykit.course.command` (the ``citykit course`` command); :mod:`~citykit.course.layout`
finds the notebooks and :mod:`~citykit.course.kernel` talks to a notebook's kernel. The course
root is found by :func:`citykit.paths.course_root`; the answer-fingerprint rule lives in
:mod:`citykit.check`.
"""

from __future__ import annotations

from citykit.course.answers import fingerprint
from citykit.course.command import add_course_parser
from citykit.course.execution import execute_notebook
from citykit.course.exercises import build
from citykit.course.layout import assignments, lessons
from citykit.course.report import Problem, Report
from citykit.course.running import run
from citykit.course.verification import verify

__all__ = [
    "Problem",
    "Report",
    "lessons",
    "assignments",
    "build",
    "fingerprint",
    "verify",
    "run",
    "execute_notebook",
    "add_course_parser",
]

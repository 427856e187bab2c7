"""Instructor grading at cohort scale, on top of nbgrader (the grader of record).

``citykit grade ASSIGNMENT`` (or :func:`grade` from Python) imports submissions, repairs or
isolates broken notebooks (:mod:`~citykit.grading.preflight`), autogrades every student in a
private folder and a sandboxed kernel (:mod:`~citykit.grading.sandbox`) in parallel worker
processes (:mod:`~citykit.grading.run`), writes feedback without hidden tests
(:mod:`~citykit.grading.preprocessors`), commits each student atomically into the gradebook with
a journal (:mod:`~citykit.grading.gradebook`) and writes a cohort report
(:mod:`~citykit.grading.report`).

Sub-modules are imported on first use so that ``import citykit.grading`` stays fast.
"""

from __future__ import annotations

from citykit.grading.command import add_grade_parser, run_grade

__all__ = ["GradingSummary", "add_grade_parser", "grade", "load_course", "run_grade"]


def __getattr__(name: str):
    """Import the heavy parts lazily."""
    if name in ("grade", "GradingSummary"):
        from citykit.grading import batch

        return getattr(batch, name)
    if name == "load_course":
        from citykit.grading.layout import load_course

        return load_course
    raise AttributeError(f"module 'citykit.grading' has no attribute {name!r}")

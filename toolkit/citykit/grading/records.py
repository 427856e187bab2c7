"""What the grading modules hand each other: a worker's context and one student's result.

Both are frozen: a worker never changes the context it was given, and the main process makes a
changed copy of a result (:meth:`StudentResult.with_note`, :meth:`StudentResult.failed`) instead
of editing the one a worker sent.

Examples
--------
>>> r = StudentResult(assignment="ps1", student="ada", status="ok", max_score=3.0)
>>> r.failed("could not be saved").status, r.failed("could not be saved").notes
('error', ('could not be saved',))
>>> r.outcome()
ada: ok, 0/3 automatic points
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["StudentOutcome", "StudentResult", "VariantReference", "WorkerContext"]


@dataclass(frozen=True)
class StudentOutcome:
    """One student's result in a run, as :class:`~citykit.grading.batch.GradingSummary` shows it."""

    student: str
    status: str
    auto_score: float
    max_score: float
    notes: tuple = ()

    def __repr__(self) -> str:
        points = f"{self.auto_score:g}/{self.max_score:g}"
        return f"{self.student}: {self.status}, {points} automatic points"


@dataclass(frozen=True)
class VariantReference:
    """The variant city of ``--variant-seed`` and the solution's answers on it.

    Attributes
    ----------
    data_dir : str
        The folder of the variant city's tables.
    reference : dict
        Per notebook, the solution's answer values on the variant.
    """

    data_dir: str
    reference: dict


@dataclass(frozen=True)
class WorkerContext:
    """Everything a grading worker needs to grade any student of one assignment.

    Attributes
    ----------
    layout : CourseLayout
        The course.
    template : Template
        The assignment (template gradebook, source files, notebooks).
    run_dir : str
        The run's private folder.
    timeout : float
        CPU seconds a code cell may use.
    plan : SandboxPlan
        The sandbox the kernels run in.
    hide : tuple of str
        Folders covered by empty mounts in the kernel.
    feedback : bool
        Write feedback HTML.
    variant : VariantReference or None
        Set with ``--variant-seed``.
    slot : int
        The worker's number (set by the pool).
    uid : int or None
        The sandbox user id of the worker's kernels (None without user switch).
    zygote : int or None
        The process id of the kernel zygote the pool started for this worker (None: the worker
        starts its own).
    """

    layout: Any
    template: Any
    run_dir: str
    timeout: float
    plan: Any
    hide: tuple = ()
    feedback: bool = True
    variant: VariantReference | None = None
    slot: int = 0
    uid: int | None = None
    zygote: int | None = None

    def for_slot(self, slot: int, *, zygote: int | None = None) -> WorkerContext:
        """The context of worker ``slot``, with its sandbox user id and kernel zygote."""
        return dataclasses.replace(self, slot=slot, uid=self.plan.uid_for(slot), zygote=zygote)


@dataclass(frozen=True)
class StudentResult:
    """One student's grading, as a worker reports it to the main process.

    Attributes
    ----------
    assignment, student : str
        Whose grading this is.
    status : str
        The most serious status that applies (see ``STATUS_ORDER``).
    max_score, auto_score : float
        Points possible and automatic points earned.
    notes : tuple of str
        Everything the grader repaired, flagged or could not do.
    grades : dict or None
        Per-notebook grades and comments (``gradebook.read_student_grades``); None on error.
    root : str or None
        The student's private folder with ``autograded/`` and ``feedback/``.
    digest : str or None
        SHA-256 of the submitted files.
    seconds : float or None
        Wall time the worker spent.
    log : str
        Grading log text kept for a student whose status is not ``ok``.
    """

    assignment: str
    student: str
    status: str
    max_score: float
    auto_score: float = 0.0
    notes: tuple = ()
    grades: dict | None = None
    root: str | None = None
    digest: str | None = None
    seconds: float | None = None
    log: str = ""

    def with_note(self, note: str) -> StudentResult:
        """A copy with ``note`` added (once)."""
        if note in self.notes:
            return self
        return dataclasses.replace(self, notes=(*self.notes, note))

    def failed(self, reason: str) -> StudentResult:
        """A copy with status ``error`` and ``reason`` in its notes."""
        return dataclasses.replace(self.with_note(reason), status="error")

    def outcome(self) -> StudentOutcome:
        """The public :class:`StudentOutcome` of this result."""
        return StudentOutcome(
            self.student, self.status, float(self.auto_score), float(self.max_score), self.notes
        )

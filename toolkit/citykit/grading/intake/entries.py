"""What an import did: one entry per file of the download, and the students imported.

Examples
--------
>>> print(IntakeEntry("ada", "ada/notes.pdf", "no_notebook", "no .ipynb uploaded"))
ada/notes.pdf: ada: no_notebook -- no .ipynb uploaded
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Intake", "IntakeEntry"]


@dataclass(frozen=True)
class IntakeEntry:
    """One file of the download and what became of it.

    Attributes
    ----------
    student : str
        The nbgrader id ("" when the file names no student).
    source : str
        The file's path in the download.
    status : str
        See the module's documentation.
    detail : str
        Plain words: why, and what was graded instead.
    notebook : str
        The notebook it was filed as ("" if none).
    lms : str
        ``canvas``, ``moodle``, ``blackboard``, ``course`` (the course's regexp) or ``nbgrader``.
    """

    student: str
    source: str
    status: str
    detail: str = ""
    notebook: str = ""
    lms: str = ""

    def __str__(self) -> str:
        who = f"{self.student}: " if self.student else ""
        return f"{self.source}: {who}{self.status}" + (f" -- {self.detail}" if self.detail else "")


@dataclass
class Intake:
    """What an import did.

    Attributes
    ----------
    students : list of str
        Students whose submission was imported (new or changed).
    unchanged : list of str
        Students whose submission was already there, identical.
    skipped : list of str
        Every file that was not imported as it came (one line each: file, student, status, why).
    entries : list of IntakeEntry
        Every file of the download, ``ok`` ones included.
    report : Path or None
        The intake report (``_grading/<assignment>-intake.csv``).
    """

    students: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    report: Path | None = None

    def problems(self) -> list:
        """The entries whose status is not ``ok``."""
        return [e for e in self.entries if e.status != "ok"]

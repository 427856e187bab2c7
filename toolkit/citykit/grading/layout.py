"""Where a course keeps its files: read an nbgrader course root and its ``nbgrader_config.py``.

nbgrader resolves relative paths against the current directory; ``citykit grade`` resolves them
against the course root instead, so the command gives the same answer wherever it is started.

Examples
--------
>>> from citykit.grading.layout import sqlite_url_in
>>> sqlite_url_in("sqlite:///_grading/gradebook.db", "/srv/course")
'sqlite:////srv/course/_grading/gradebook.db'
>>> sqlite_url_in("postgresql+psycopg://grader@db/course", "/srv/course")
'postgresql+psycopg://grader@db/course'
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

from citykit.errors import CityKitError
from citykit.paths import course_root

__all__ = ["CourseLayout", "GradingSetupError", "load_course", "sqlite_url_in"]

_DEFAULTS = {
    "source_directory": "source",
    "release_directory": "release",
    "submitted_directory": "submitted",
    "autograded_directory": "autograded",
    "feedback_directory": "feedback",
    "db_url": "",
    "course_id": "default_course",
}


class GradingSetupError(CityKitError):
    """The course, an assignment or a submissions folder is not where or what it should be."""


def sqlite_url_in(db_url: str, root: str | os.PathLike) -> str:
    """Make a relative ``sqlite:///`` URL absolute, relative to ``root``; other URLs are kept.

    Parameters
    ----------
    db_url : str
        A SQLAlchemy database URL.
    root : str or path-like
        The folder that relative sqlite paths are relative to (the course root).

    Returns
    -------
    str
        The URL with an absolute sqlite path.
    """
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and not db_url.startswith(prefix + "/"):
        rest = db_url[len(prefix) :]
        if rest and rest != ":memory:":
            return prefix + str(Path(root, rest).resolve())
    return db_url


@dataclass(frozen=True)
class CourseLayout:
    """The folders and gradebook of one nbgrader course, all as absolute paths.

    Attributes
    ----------
    root : Path
        The course root (the folder holding ``nbgrader_config.py``).
    config : object
        The traitlets ``Config`` loaded from ``nbgrader_config.py`` (empty when there is none).
    course_id, db_url : str
        From ``CourseDirectory`` (``db_url`` absolute for sqlite).
    source, release, submitted, autograded, feedback : Path
        nbgrader's step folders.
    grading : Path
        The folder for citykit's own artefacts (reports, journal, staging): the parent of the
        submitted folder, ``_grading/`` in City Analyst Academy.
    """

    root: Path
    config: object
    course_id: str
    db_url: str
    source: Path
    release: Path
    submitted: Path
    autograded: Path
    feedback: Path
    grading: Path

    def fresh_config(self):
        """Return a deep copy of the course configuration that callers may modify."""
        return copy.deepcopy(self.config)

    def assignments(self) -> list[str]:
        """Return the assignments of the course: folders of ``source`` holding a notebook."""
        if not self.source.is_dir():
            return []
        return sorted(
            p.name for p in self.source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))
        )

    def students(self, assignment: str) -> list[str]:
        """Return the students who have a submission folder for ``assignment``."""
        if not self.submitted.is_dir():
            return []
        return sorted(
            p.name
            for p in self.submitted.iterdir()
            if p.is_dir() and (p / assignment).is_dir() and not p.name.startswith(".")
        )


def load_course(root: str | os.PathLike | None = None, *, db_url: str | None = None):
    """Read the course at ``root`` and its nbgrader configuration.

    Without ``root``: the course root at or above the current folder
    (:func:`citykit.paths.course_root`), else the current folder.

    Parameters
    ----------
    root : str or path-like, optional
        The course root. It should hold ``nbgrader_config.py``; without one, nbgrader's
        default folder names are used.
    db_url : str, optional
        A gradebook URL that replaces the configured one (e.g. a shared PostgreSQL gradebook).

    Returns
    -------
    CourseLayout
        The resolved folders.

    Raises
    ------
    GradingSetupError
        When the root is not a folder.
    """
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    root_path = Path(root or course_root(default=Path.cwd())).resolve()
    if not root_path.is_dir():
        raise GradingSetupError(
            f"course root {str(root_path)!r} is not a folder; pass --course-root with the folder "
            "that holds nbgrader_config.py"
        )
    config = Config()
    if (root_path / "nbgrader_config.py").is_file():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root_path)).load_config()
    course = config.get("CourseDirectory", Config())
    values = {key: course.get(key, default) for key, default in _DEFAULTS.items()}
    configured_root = course.get("root", ".")
    base = Path(root_path, configured_root).resolve() if configured_root else root_path

    def folder(key: str) -> Path:
        return Path(base, values[key]).resolve()

    url = db_url or values["db_url"] or "sqlite:///gradebook.db"
    submitted = folder("submitted_directory")
    grading = submitted.parent if submitted.parent != base else base / "_grading"
    return CourseLayout(
        root=base,
        config=config,
        course_id=values["course_id"],
        db_url=sqlite_url_in(url, base),
        source=folder("source_directory"),
        release=folder("release_directory"),
        submitted=submitted,
        autograded=folder("autograded_directory"),
        feedback=folder("feedback_directory"),
        grading=grading,
    )

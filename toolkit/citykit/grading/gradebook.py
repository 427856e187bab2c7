"""The gradebook: nbgrader's database, plus citykit's grading journal in the same database.

Workers never write to the course gradebook. Each student is autograded into a private copy of a
*template* gradebook (the assignment's structure only); the main process then copies that
student's grades into the course gradebook and writes the student's journal row **in one
transaction**. A run killed at any moment therefore leaves every student either fully recorded
(grades + journal) or not at all, and a re-run grades exactly the students without a journal row.

The gradebook is sqlite by default; any SQLAlchemy URL nbgrader supports works, e.g.
``postgresql+psycopg://grader@db.example/cohort7`` for a shared deployment.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import sqlalchemy as sa

from citykit.grading.layout import CourseLayout, GradingSetupError
from citykit.grading.records import StudentResult

__all__ = [
    "JOURNAL",
    "Template",
    "build_template",
    "commit_student",
    "ensure_assignment",
    "graded_students",
    "journal_rows",
    "read_student_grades",
]

_META = sa.MetaData()
#: citykit's journal: one row per graded (assignment, student), committed with the grades.
JOURNAL = sa.Table(
    "citykit_grading_journal",
    _META,
    sa.Column("assignment", sa.String(128), primary_key=True),
    sa.Column("student", sa.String(128), primary_key=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("auto_score", sa.Float),
    sa.Column("max_score", sa.Float),
    sa.Column("notes", sa.Text),
    sa.Column("digest", sa.String(64)),
    sa.Column("run_id", sa.String(40)),
    sa.Column("graded_at", sa.String(40)),
    sa.Column("seconds", sa.Float),
)


@dataclass(frozen=True)
class Template:
    """An assignment ready to grade: its release notebooks and a gradebook holding its structure.

    Attributes
    ----------
    assignment : str
        The assignment name.
    root : Path
        A private folder (mode 0700): ``source/`` (copy of the source folder), ``release/`` and
        ``template.db``.
    notebooks : tuple of str
        Notebook names (without ``.ipynb``).
    kernels : tuple of str
        Kernel names used by the source notebooks.
    cells : tuple of dict
        Graded cells: ``notebook``, ``name``, ``max_score``, ``kind`` (``auto``,
        ``manual`` or ``task``).
    """

    assignment: str
    root: Path
    notebooks: tuple
    kernels: tuple
    cells: tuple

    @property
    def db_path(self) -> Path:
        """The template sqlite gradebook."""
        return self.root / "template.db"

    @property
    def release(self) -> Path:
        """The generated student version of the assignment."""
        return self.root / "release" / self.assignment

    @property
    def source_files(self) -> Path:
        """The copied source folder (notebooks are not given to students' sandboxes)."""
        return self.root / "source" / self.assignment

    def release_notebook(self, name: str):
        """Read the release version of notebook ``name``."""
        return nbformat.read(self.release / f"{name}.ipynb", as_version=4)

    @property
    def code_cells(self) -> int:
        """Number of code cells over all notebooks (for the per-student time budget)."""
        return sum(
            sum(c.cell_type == "code" for c in self.release_notebook(n).cells)
            for n in self.notebooks
        )


def _alembic_head() -> str:
    """Nbgrader's newest gradebook schema version, read in-process (no ``alembic`` subprocess)."""
    from alembic.script import ScriptDirectory
    from nbgrader import api

    folder = os.path.join(os.path.dirname(api.__file__), "alembic")
    return ScriptDirectory(folder).get_current_head()


def use_fast_schema_version() -> None:
    """Make nbgrader read its schema version in-process; it starts ``alembic`` once per new db.

    Falls back to nbgrader's own function if alembic's Python API cannot read the scripts.
    """
    from nbgrader import api

    if getattr(api.get_alembic_version, "_citykit", False):
        return
    original = api.get_alembic_version

    def version() -> str:
        try:
            return _alembic_head()
        except Exception:  # any problem: nbgrader's own way
            return original()

    version._citykit = True
    api.get_alembic_version = version


def _generate(
    layout: CourseLayout, assignment: str, root: Path, db_url: str, log, release: str = "release"
) -> None:
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    config = layout.fresh_config()
    course = config.CourseDirectory
    course.root = str(root)
    course.source_directory = "source"
    course.release_directory = release
    course.db_url = db_url
    course.course_id = layout.course_id
    course.assignment_id = assignment
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_assignment = True
    if log is not None:
        converter.log = log
    converter.start()


def build_template(layout: CourseLayout, assignment: str, root: Path, *, log=None) -> Template:
    """Generate the assignment once into a private folder and a template gradebook.

    Parameters
    ----------
    layout : CourseLayout
        The course.
    assignment : str
        The assignment (a folder of the source folder).
    root : Path
        An empty private folder to build in.
    log : logging.Logger, optional
        Where nbgrader's messages go.

    Returns
    -------
    Template
        The assignment's structure.
    """
    from nbgrader.api import Gradebook

    use_fast_schema_version()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    shutil.copytree(layout.source / assignment, root / "source" / assignment)
    db_url = f"sqlite:///{root / 'template.db'}"
    _generate(layout, assignment, root, db_url, log)
    cells, notebooks, kernels = [], [], set()
    with Gradebook(db_url, layout.course_id) as gb:
        for notebook in gb.find_assignment(assignment).notebooks:
            notebooks.append(notebook.name)
            if notebook.kernelspec:
                kernels.add(json.loads(notebook.kernelspec).get("name", "python3"))
            solution = {c.name for c in notebook.solution_cells}
            for cell in notebook.grade_cells:
                kind = "manual" if cell.name in solution else "auto"
                cells.append(
                    {
                        "notebook": notebook.name,
                        "name": cell.name,
                        "max_score": float(cell.max_score),
                        "kind": kind,
                    }
                )
            for cell in notebook.task_cells:
                cells.append(
                    {
                        "notebook": notebook.name,
                        "name": cell.name,
                        "max_score": float(cell.max_score),
                        "kind": "task",
                    }
                )
    os.chmod(root / "template.db", 0o600)
    return Template(
        assignment,
        root,
        tuple(sorted(notebooks)),
        tuple(sorted(kernels or {"python3"})),
        tuple(cells),
    )


def _prepare_sqlite(db_url: str) -> None:
    if db_url.startswith("sqlite:///"):
        path = Path(db_url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)


def ensure_assignment(layout: CourseLayout, template: Template, *, log=None) -> None:
    """Make sure the course gradebook knows the assignment (and the journal table exists).

    Raises
    ------
    GradingSetupError
        When the gradebook holds a different version of the assignment (other questions or
        points) than the source folder.
    """
    from nbgrader.api import Gradebook, MissingEntry

    use_fast_schema_version()
    _prepare_sqlite(layout.db_url)
    if layout.db_url.startswith("sqlite:///"):
        path = Path(layout.db_url[len("sqlite:///") :])
        if not path.exists():  # a new gradebook: start from the template (same course id)
            shutil.copyfile(template.db_path, path)
            os.chmod(path, 0o600)
    with Gradebook(layout.db_url, layout.course_id) as gb:
        _META.create_all(gb.engine)
        try:
            existing = gb.find_assignment(template.assignment)
        except MissingEntry:
            existing = None
        if existing is not None:
            found = {
                (nb.name, c.name, float(c.max_score))
                for nb in existing.notebooks
                for c in [*nb.grade_cells, *nb.task_cells]
            }
    if layout.db_url.startswith("sqlite:///"):
        os.chmod(layout.db_url[len("sqlite:///") :], 0o600)
    if existing is None:
        _copy_structure(template, layout)
        return
    wanted = {(c["notebook"], c["name"], c["max_score"]) for c in template.cells}
    if found != wanted:
        missing = sorted(f"{n}/{c} ({p:g} pts)" for n, c, p in wanted - found)
        extra = sorted(f"{n}/{c} ({p:g} pts)" for n, c, p in found - wanted)
        raise GradingSetupError(
            f"the gradebook's version of assignment {template.assignment!r} differs from the "
            f"source folder (only in the source: {missing or 'none'}; only in the gradebook: "
            f"{extra or 'none'}). Grade with the version the students received, or remove the "
            "assignment from the gradebook (nbgrader db assignment remove) before re-grading."
        )


def _copy_structure(template: Template, layout: CourseLayout) -> None:
    """Copy the assignment's notebooks and cells from the template into the course gradebook."""
    from nbgrader.api import Gradebook

    aid = template.assignment
    with Gradebook(f"sqlite:///{template.db_path}", layout.course_id) as src:
        source = src.find_assignment(aid)
        info = {
            "duedate": source.duedate,
            "notebooks": [
                {
                    "name": nb.name,
                    "kernelspec": nb.kernelspec,
                    "grade": [(c.name, c.max_score, c.cell_type) for c in nb.grade_cells],
                    "solution": [c.name for c in nb.solution_cells],
                    "task": [(c.name, c.max_score, c.cell_type) for c in nb.task_cells],
                    "source": [
                        (c.name, c.cell_type, c.locked, c.source, c.checksum)
                        for c in nb.source_cells
                    ],
                }
                for nb in source.notebooks
            ],
        }
    with Gradebook(layout.db_url, layout.course_id) as gb:
        gb.update_or_create_assignment(aid, duedate=info["duedate"])
        for nb in info["notebooks"]:
            gb.update_or_create_notebook(nb["name"], aid, kernelspec=nb["kernelspec"])
            for name, points, kind in nb["grade"]:
                gb.update_or_create_grade_cell(
                    name, nb["name"], aid, max_score=points, cell_type=kind
                )
            for name in nb["solution"]:
                gb.update_or_create_solution_cell(name, nb["name"], aid)
            for name, points, kind in nb["task"]:
                gb.update_or_create_task_cell(
                    name, nb["name"], aid, max_score=points, cell_type=kind
                )
            for name, kind, locked, text, checksum in nb["source"]:
                gb.update_or_create_source_cell(
                    name,
                    nb["name"],
                    aid,
                    cell_type=kind,
                    locked=locked,
                    source=text,
                    checksum=checksum,
                )


def read_student_grades(db_path: Path, course_id: str, assignment: str, student: str) -> dict:
    """Read one student's autograde results from a private gradebook (plain, picklable data)."""
    from nbgrader.api import Gradebook

    out = {"timestamp": None, "notebooks": {}}
    with Gradebook(f"sqlite:///{db_path}", course_id) as gb:
        submission = gb.find_submission(assignment, student)
        out["timestamp"] = submission.timestamp
        for nb in submission.notebooks:
            out["notebooks"][nb.name] = {
                "late_submission_penalty": nb.late_submission_penalty,
                "grades": {
                    g.name: {
                        "auto_score": g.auto_score,
                        "max_score": float(g.max_score),
                        "needs_manual_grade": bool(g.needs_manual_grade),
                    }
                    for g in nb.grades
                },
                "comments": {c.name: c.auto_comment for c in nb.comments},
            }
    return out


def commit_student(layout: CourseLayout, result: StudentResult, *, run_id: str) -> None:
    """Write one student's grades and journal row into the course gradebook, atomically.

    Manual grades and comments already entered for this student are kept when a submission is
    re-graded with ``--force``.
    """
    from nbgrader.api import (
        Comment,
        Grade,
        Gradebook,
        MissingEntry,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    aid, sid = result.assignment, result.student
    grades = result.grades
    with Gradebook(layout.db_url, layout.course_id) as gb:
        db = gb.db
        try:
            assignment = gb.find_assignment(aid)
            student = db.get(Student, sid)
            if student is None:
                student = Student(id=sid)
                db.add(student)
            kept: dict = {}
            try:
                old = gb.find_submission(aid, sid)
            except MissingEntry:
                old = None
            if old is not None:
                for nb in old.notebooks:
                    for g in nb.grades:
                        kept[(nb.name, g.name, "grade")] = (g.manual_score, g.extra_credit)
                    for c in nb.comments:
                        kept[(nb.name, c.name, "comment")] = c.manual_comment
                    for row in [*nb.grades, *nb.comments, nb]:
                        db.delete(row)
                db.delete(old)
                db.flush()
            with db.no_autoflush:
                submission = SubmittedAssignment(
                    assignment=assignment, student=student, timestamp=grades.get("timestamp")
                )
                db.add(submission)
                for notebook in assignment.notebooks:
                    data = grades["notebooks"].get(notebook.name, {"grades": {}, "comments": {}})
                    snb = SubmittedNotebook(
                        notebook=notebook,
                        assignment=submission,
                        late_submission_penalty=data.get("late_submission_penalty"),
                    )
                    db.add(snb)
                    for cell in [*notebook.grade_cells, *notebook.task_cells]:
                        got = data["grades"].get(cell.name, {})
                        manual, extra = kept.get((notebook.name, cell.name, "grade"), (None, None))
                        needs = got.get("needs_manual_grade", False) and manual is None
                        db.add(
                            Grade(
                                cell_id=cell.id,
                                notebook=snb,
                                auto_score=got.get("auto_score", None if needs else 0.0),
                                manual_score=manual,
                                extra_credit=extra,
                                needs_manual_grade=needs,
                            )
                        )
                    for cell in [*notebook.solution_cells, *notebook.task_cells]:
                        db.add(
                            Comment(
                                cell_id=cell.id,
                                notebook=snb,
                                auto_comment=data["comments"].get(cell.name),
                                manual_comment=kept.get((notebook.name, cell.name, "comment")),
                            )
                        )
            db.execute(
                sa.delete(JOURNAL).where(JOURNAL.c.assignment == aid, JOURNAL.c.student == sid)
            )
            db.execute(
                sa.insert(JOURNAL).values(
                    assignment=aid,
                    student=sid,
                    status=result.status,
                    auto_score=result.auto_score,
                    max_score=result.max_score,
                    notes=json.dumps(list(result.notes)),
                    digest=result.digest,
                    run_id=run_id,
                    graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    seconds=result.seconds,
                )
            )
            db.commit()
        except BaseException:
            db.rollback()
            raise


def graded_students(layout: CourseLayout, assignment: str) -> set[str]:
    """Students with a journal row for ``assignment`` (already graded by citykit)."""
    return {row["student"] for row in journal_rows(layout, assignment)}


def journal_rows(layout: CourseLayout, assignment: str | None = None) -> list[dict]:
    """The journal rows (all assignments, or one), as dicts."""
    engine = sa.create_engine(layout.db_url)
    try:
        if not sa.inspect(engine).has_table(JOURNAL.name):
            return []
        query = sa.select(JOURNAL)
        if assignment is not None:
            query = query.where(JOURNAL.c.assignment == assignment)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
    finally:
        engine.dispose()
    for row in rows:
        row["notes"] = json.loads(row["notes"] or "[]")
    return rows

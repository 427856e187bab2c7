"""Grades out of the gradebook, in the CSV files Canvas and Moodle import.

* **Canvas** (*Grades → Import*): the columns of Canvas's own gradebook export, ``Student``,
  ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment, and a
  ``Points Possible`` row under the header. Canvas matches a row to a student by ``ID`` (its user
  id) or the SIS ids, and a column to an assignment by its header, ``Name (<canvas id>)``; a
  header it does not know becomes a new assignment.
* **Moodle** (*Grade administration → Import → CSV file*): one identifier column, mapped in the
  import form to the user's email address, username or ID number, then one column per grade item
  (mapped in the same form).

Give the LMS's own gradebook export as ``roster``: the rows, ids and sections are then the
LMS's own, an assignment column already in the LMS keeps its header (``00-foundations (4471)``
updates Canvas's assignment 4471), and every student is matched by an id the LMS knows: the
LMS identity recorded at intake (``_grading/lms-students.csv``), else the login name (the
nbgrader id on the cohort's JupyterHub). Without a roster, rows are written for the gradebook's
students (Canvas: ``SIS Login ID``, or ``ID`` for students imported from a Canvas download;
Moodle: ``Username``).

Nothing is silent: students of the gradebook the roster does not list, roster rows without a
grade, and submissions still waiting for manual grading (their cell is left blank, so an import
does not post a provisional grade) are counted and named in the result.

Scores are nbgrader's totals (automatic, manual and extra credit) less its late penalty.

Examples
--------
>>> from citykit.grading.lms_export import canvas_header
>>> canvas_header(["00-foundations"])
['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', '00-foundations']
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from citykit.grading.intake import student_id
from citykit.grading.layout import CourseLayout, GradingSetupError

__all__ = ["CANVAS_COLUMNS", "LMS", "ExportResult", "canvas_header", "export_grades", "read_scores"]

#: The student columns of a Canvas gradebook import, in Canvas's order.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The LMSs :func:`export_grades` writes for.
LMS = ("canvas", "moodle")
_MOODLE_IDS = ("Email address", "Username", "ID number")
_CANVAS_ID = re.compile(r"^(?P<name>.*?)\s*\((?P<id>\d+)\)\s*$")


@dataclass
class ExportResult:
    """What an export wrote and what it could not.

    Attributes
    ----------
    path : Path
        The CSV file.
    lms : str
        ``canvas`` or ``moodle``.
    columns : dict
        Assignment -> its column header in the file.
    rows : int
        Student rows written.
    graded : int
        Cells holding a grade.
    unmatched : list of str
        Gradebook students with a grade that the roster does not list (not in the file).
    without_grade : list of str
        Rows of the file without any grade (no submission, or one waiting for manual grading).
    pending : list of str
        ``student/assignment`` submissions waiting for manual grading (left blank, or not in
        the file when the roster does not list the student).
    """

    path: Path
    lms: str
    columns: dict = field(default_factory=dict)
    rows: int = 0
    graded: int = 0
    unmatched: list = field(default_factory=list)
    without_grade: list = field(default_factory=list)
    pending: list = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.lms} grades: {self.path} ({self.rows} students, {self.graded} grades)"]
        if self.pending:
            lines.append(
                f"  {len(self.pending)} left blank, waiting for manual grading: "
                + ", ".join(self.pending)
            )
        if self.unmatched:
            lines.append(
                f"  {len(self.unmatched)} graded students not in the roster (not exported): "
                + ", ".join(self.unmatched)
            )
        if self.without_grade:
            lines.append(f"  {len(self.without_grade)} roster rows without a grade")
        return "\n".join(lines)


def canvas_header(columns) -> list[str]:
    """The header row of a Canvas gradebook import with these assignment columns."""
    return [*CANVAS_COLUMNS, *columns]


def read_scores(layout: CourseLayout, assignments=None) -> tuple[dict, dict, dict, dict]:
    """Read the gradebook: scores, maximum points, pending manual grading, student names.

    Returns
    -------
    tuple
        ``scores`` {(student, assignment): points after late penalty}, ``maxima``
        {assignment: points}, ``pending`` {(student, assignment)}, ``names`` {student:
        (first, last, email)}.
    """
    from nbgrader.api import Gradebook

    from citykit.grading.gradebook import use_fast_schema_version

    use_fast_schema_version()
    if layout.db_url.startswith("sqlite:///"):
        path = Path(layout.db_url[len("sqlite:///") :])
        if not path.is_file():
            raise GradingSetupError(
                f"no gradebook at {path}; grade an assignment first (citykit grade ASSIGNMENT)"
            )
    scores, maxima, pending, names = {}, {}, set(), {}
    with Gradebook(layout.db_url, layout.course_id) as gb:
        known = [a.name for a in gb.assignments]
        wanted = list(assignments) if assignments else sorted(known)
        missing = [a for a in wanted if a not in known]
        if missing:
            raise GradingSetupError(
                f"assignment {', '.join(missing)} is not in the gradebook; graded assignments: "
                f"{', '.join(sorted(known)) or 'none'}"
            )
        for student in gb.students:
            names[student.id] = (student.first_name or "", student.last_name or "", student.email)
        for aid in wanted:
            assignment = gb.find_assignment(aid)
            maxima[aid] = float(assignment.max_score)
            for submission in assignment.submissions:
                key = (submission.student.id, aid)
                if submission.needs_manual_grade:
                    pending.add(key)
                    continue
                penalty = float(submission.late_submission_penalty or 0.0)
                scores[key] = max(float(submission.score) - penalty, 0.0)
    return scores, maxima, pending, names


def _read_roster(path) -> tuple[list[str], list[dict]]:
    path = Path(path)
    if not path.is_file():
        raise GradingSetupError(f"--roster {str(path)!r} does not exist; pass the LMS's export")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if any((v or "").strip() for v in r.values())]
        header = [h.strip() for h in (reader.fieldnames or [])]
    rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in rows]
    return header, rows


def _registry(layout: CourseLayout) -> dict:
    path = layout.grading / "lms-students.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _fmt(points: float) -> str:
    return f"{points:.2f}".rstrip("0").rstrip(".") if points != int(points) else str(int(points))


def export_grades(
    layout: CourseLayout,
    lms: str,
    *,
    roster=None,
    assignments=None,
    path=None,
    identifier: str | None = None,
) -> ExportResult:
    """Write the gradebook's grades as a CSV file that ``lms`` imports.

    Parameters
    ----------
    layout : CourseLayout
        The course.
    lms : {"canvas", "moodle"}
        The LMS.
    roster : path-like, optional
        The LMS's own gradebook export (Canvas: *Grades → Export*; Moodle: *Export → Plain text
        file*).
    assignments : sequence of str, optional
        Assignments to export (default: every assignment of the gradebook).
    path : path-like, optional
        Where to write (default ``_grading/reports/<lms>-grades.csv``).
    identifier : str, optional
        Moodle only: the roster column that identifies a user (default: ``Email address``, else
        ``Username``, else ``ID number``).

    Returns
    -------
    ExportResult
        The file, and who could not be exported.

    Raises
    ------
    GradingSetupError
        For an unknown LMS or assignment, a missing gradebook, or a roster without the
        columns the LMS needs.

    Examples
    --------
    >>> from citykit.grading import load_course
    >>> from citykit.grading.lms_export import export_grades
    >>> export_grades(load_course("."), "canvas")  # doctest: +SKIP
    """
    if lms not in LMS:
        raise GradingSetupError(
            f"--export {lms!r} is not supported; choose one of {', '.join(LMS)}"
        )
    scores, maxima, pending, names = read_scores(layout, assignments)
    stem = f"{assignments[0]}-{lms}" if assignments and len(assignments) == 1 else lms
    out = Path(path) if path else layout.grading / "reports" / f"{stem}-grades.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    header, rows = _read_roster(roster) if roster is not None else (None, None)
    registry = _registry(layout)
    students = sorted({s for s, _ in scores} | {s for s, _ in pending} | set(names))
    active = {s for s, _ in scores} | {s for s, _ in pending}
    if lms == "canvas":
        table, result = _canvas(students, maxima, header, rows, registry, names, active)
    else:
        table, result = _moodle(students, maxima, header, rows, registry, identifier, active)
    result.path, result.lms = out, lms
    keyed = table.pop("keyed")
    for row, sid in keyed:
        filled = False
        for aid, column in result.columns.items():
            if sid is not None and (sid, aid) in scores:
                row[column] = _fmt(scores[(sid, aid)])
                result.graded += 1
                filled = True
        if not filled:
            result.without_grade.append(sid or row.get(table["label"], "?"))
    result.rows = len(keyed)
    result.pending = [f"{sid}/{aid}" for sid, aid in sorted(pending)]
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=table["header"], extrasaction="ignore")
        writer.writeheader()
        for extra in table.get("before", []):
            writer.writerow(extra)
        for row, _ in keyed:
            writer.writerow(row)
    return result


def _canvas(students, maxima, header, rows, registry, names, graded_or_pending):
    result = ExportResult(Path(), "canvas")
    if header is None:
        result.columns = {aid: aid for aid in maxima}
        keyed = []
        for sid in students:
            who = registry.get(sid, {})
            first, last, _ = names.get(sid, ("", "", None))
            is_canvas = who.get("lms") == "canvas"
            label = f"{last}, {first}" if (first or last) else who.get("name") or sid
            keyed.append(
                (
                    {
                        "Student": label,
                        "ID": who.get("lms_id", "") if is_canvas else "",
                        "SIS Login ID": "" if is_canvas else sid,
                    },
                    sid,
                )
            )
    else:
        lost = [c for c in ("Student", "ID") if c not in header]
        if lost:
            raise GradingSetupError(
                f"--roster lacks the column(s) {', '.join(lost)} of a Canvas gradebook export "
                f"(found: {', '.join(header[:8])}); export it from Canvas: Grades -> Export"
            )
        result.columns = {}
        for aid in maxima:
            known = [
                h
                for h in header
                if (m := _CANVAS_ID.match(h)) and m["name"].strip().lower() == aid.lower()
            ]
            result.columns[aid] = known[0] if known else aid
        by_id = {sid: who["lms_id"] for sid, who in registry.items() if who.get("lms") == "canvas"}
        index = {}
        for row in rows:
            if row.get("Student", "").strip().lower() in ("points possible", "student, test"):
                continue
            for column in ("SIS Login ID", "SIS User ID"):
                if row.get(column):
                    index.setdefault(("login", student_id(row[column])), row)
            if row.get("ID"):
                index.setdefault(("canvas", row["ID"]), row)
        keyed, used = [], set()
        for sid in students:
            row = index.get(("canvas", by_id[sid])) if sid in by_id else None
            row = row or index.get(("login", sid))
            if row is None:
                continue
            used.add(id(row))
            keyed.append(({c: row.get(c, "") for c in CANVAS_COLUMNS}, sid))
        for row in rows:
            if id(row) not in used and row.get("Student", "").strip().lower() not in (
                "points possible",
                "student, test",
            ):
                keyed.append(({c: row.get(c, "") for c in CANVAS_COLUMNS}, None))
        matched = {sid for _, sid in keyed if sid is not None}
        result.unmatched = [s for s in students if s not in matched and s in graded_or_pending]
    table = {
        "header": canvas_header(result.columns.values()),
        "before": [
            {
                "Student": "    Points Possible",
                **{result.columns[a]: _fmt(m) for a, m in maxima.items()},
            }
        ],
        "keyed": keyed,
        "label": "Student",
    }
    return table, result


def _moodle(students, maxima, header, rows, registry, identifier, graded_or_pending):
    result = ExportResult(Path(), "moodle")
    result.columns = {aid: aid for aid in maxima}
    if header is None:
        column = identifier or "Username"
        keyed = []
        for sid in students:
            who = registry.get(sid, {})
            if who.get("lms") == "moodle":  # a full name: Moodle cannot match it
                result.unmatched.append(sid)
                continue
            keyed.append(({column: sid}, sid))
    else:
        column = identifier or next((c for c in _MOODLE_IDS if c in header), None)
        if column is None or column not in header:
            raise GradingSetupError(
                f"--roster has no identifier column ({identifier or ' / '.join(_MOODLE_IDS)}); "
                f"found: {', '.join(header[:8])}. Export it from Moodle: Grade administration -> "
                "Export -> Plain text file"
            )
        index: dict = {}
        for row in rows:
            full = f"{row.get('First name', '')} {row.get('Last name', '')}".strip()
            if full:  # namesakes cannot be told apart by name: neither is matched by it
                key = ("name", student_id(full))
                index[key] = None if key in index else row
            for key in ("Username", "Email address", "ID number"):
                value = row.get(key, "")
                if value:
                    index.setdefault(("login", student_id(value)), row)
                    if key == "Email address":
                        index.setdefault(("login", student_id(value.split("@")[0])), row)
        keyed, used = [], set()
        for sid in students:
            who = registry.get(sid, {})
            row = None
            if who.get("lms") == "moodle":
                row = index.get(("name", student_id(who.get("name", ""))))
            row = row or index.get(("login", sid))
            if row is None or id(row) in used:
                if sid in graded_or_pending:
                    result.unmatched.append(sid)
                continue
            used.add(id(row))
            keyed.append(({column: row[column]}, sid))
        for row in rows:
            if id(row) not in used:
                keyed.append(({column: row[column]}, None))
    table = {"header": [column, *result.columns.values()], "keyed": keyed, "label": column}
    return table, result

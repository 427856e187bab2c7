"""Grades exported as the CSV files Canvas and Moodle import, checked against files shaped like
each LMS's own gradebook export (tests/grading/lms/)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from grading_helpers import ASSIGNMENT, copy_course, run_cli

pytestmark = pytest.mark.grading

LMS_FILES = Path(__file__).resolve().parent / "lms"
#: student -> (automatic points of q1 /6, manual points of the memo /5 or None = not graded yet)
SCORES = {
    "jane_smith": (6, 4),  # a hub login, = Canvas's SIS Login ID
    "smithjohn_12346": (3, 2),  # imported from a Canvas download: Canvas user 12346
    "o~27brien": (6, 5),  # SIS Login ID "o'brien"
    "ghost": (1, 1),  # nobody in the LMS roster
    "pat": (5, None),  # the memo waits for manual grading
    "mary~20jane": (4, 1),  # imported from a Moodle download: "Mary Jane"
    "ann~20lee_1002": (2, 2),  # Moodle namesakes: not matched by name
    "bchen": (6, 3),  # a hub login, = the local part of Moodle's email address
}
REGISTRY = [
    ("smithjohn_12346", "canvas", "12346", "smithjohn"),
    ("mary~20jane", "moodle", "77", "Mary Jane"),
    ("ann~20lee_1002", "moodle", "1002", "Ann Lee"),
]


@pytest.fixture
def graded(tmp_path):
    """A course whose gradebook holds ps1 (11 points) and the students of SCORES."""
    from citykit.grading.gradebook import use_fast_schema_version
    from citykit.grading.layout import load_course
    from nbgrader.api import Gradebook

    use_fast_schema_version()
    layout = load_course(copy_course(tmp_path / "course"))
    layout.grading.mkdir()
    with Gradebook(layout.db_url, layout.course_id) as gb:
        gb.update_or_create_assignment(ASSIGNMENT)
        gb.update_or_create_notebook("ps1", ASSIGNMENT)
        gb.update_or_create_grade_cell("q1", "ps1", ASSIGNMENT, max_score=6, cell_type="code")
        gb.update_or_create_grade_cell("memo", "ps1", ASSIGNMENT, max_score=5, cell_type="markdown")
        gb.update_or_create_solution_cell("memo", "ps1", ASSIGNMENT)
        for sid, (auto, manual) in SCORES.items():
            gb.update_or_create_student(sid)
            gb.add_submission(ASSIGNMENT, sid)
            q1 = gb.find_grade("q1", "ps1", ASSIGNMENT, sid)
            q1.auto_score, q1.needs_manual_grade = auto, False
            memo = gb.find_grade("memo", "ps1", ASSIGNMENT, sid)
            memo.manual_score, memo.needs_manual_grade = manual, manual is None
        gb.update_or_create_student("nosub")  # enrolled, never submitted
        gb.db.commit()
    with open(layout.grading / "lms-students.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "lms", "lms_id", "name"])
        writer.writerows(REGISTRY)
    return layout


def _rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_export_fills_the_lms_own_roster(graded):
    from citykit.grading.lms_export import export_grades

    result = export_grades(
        graded, "canvas", roster=LMS_FILES / "canvas-gradebook-export.csv", assignments=["ps1"]
    )
    rows = _rows(result.path)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1 (4471)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "11"]
    body = {r[1]: r for r in rows[2:]}
    assert body["12345"] == ["Smith, Jane", "12345", "S-0001", "jane_smith", "Cohort 7", "10"]
    assert body["12346"][-1] == "5"  # matched through the Canvas identity recorded at intake
    assert body["12347"][-1] == "11"  # SIS Login ID o'brien
    assert body["12348"][-1] == ""  # in Canvas, no submission: left blank
    assert "99999" not in body  # Canvas's test student is not exported
    assert result.unmatched == ["ann~20lee_1002", "bchen", "ghost", "mary~20jane", "pat"]
    assert result.graded == 3 and result.rows == 4
    assert result.pending == ["pat/ps1"]
    assert "Lee, Ann" in result.without_grade


def test_canvas_export_without_a_roster_and_with_late_penalty(graded):
    from citykit.grading.lms_export import export_grades
    from nbgrader.api import Gradebook

    with Gradebook(graded.db_url, graded.course_id) as gb:
        gb.find_submission_notebook("ps1", ASSIGNMENT, "bchen").late_submission_penalty = 2.5
        gb.db.commit()
    result = export_grades(graded, "canvas")
    rows = _rows(result.path)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1"]
    body = {r[3] or r[1]: r for r in rows[2:]}
    assert body["bchen"][-1] == "6.5"  # 9 less the late penalty
    assert body["12346"][0] == "smithjohn" and body["12346"][-1] == "5"
    assert body["pat"][-1] == "" and body["nosub"][-1] == ""
    assert result.path.name == "canvas-grades.csv"


def test_moodle_export_uses_an_identifier_moodle_matches(graded):
    from citykit.grading.lms_export import export_grades

    result = export_grades(graded, "moodle", roster=LMS_FILES / "moodle-grades-export.csv")
    rows = _rows(result.path)
    assert rows[0] == ["Email address", "ps1"]
    body = dict(rows[1:])
    assert body == {
        "mj@example.org": "5",  # "Mary Jane" of the Moodle download
        "bchen@example.org": "9",  # login = the email's local part
        "ann.lee@example.org": "",  # two Ann Lees: neither is guessed
        "ann.lee2@example.org": "",
        "ezola@example.org": "",
    }
    assert "ann~20lee_1002" in result.unmatched and "ghost" in result.unmatched
    plain = export_grades(graded, "moodle", path=graded.grading / "m.csv")
    rows = _rows(plain.path)
    assert rows[0] == ["Username", "ps1"]
    assert ["jane_smith", "10"] in rows and ["pat", ""] in rows
    assert "mary~20jane" in plain.unmatched  # a full name is no Moodle username


def test_export_errors_name_the_fix(graded, tmp_path):
    from citykit.errors import CityKitError
    from citykit.grading.lms_export import export_grades

    with pytest.raises(CityKitError, match="blackboard"):
        export_grades(graded, "blackboard")
    with pytest.raises(CityKitError, match="ps9"):
        export_grades(graded, "canvas", assignments=["ps9"])
    odd = tmp_path / "odd.csv"
    odd.write_text("name,score\nann,3\n")
    with pytest.raises(CityKitError, match="Grades -> Export"):
        export_grades(graded, "canvas", roster=odd)
    with pytest.raises(CityKitError, match="identifier column"):
        export_grades(graded, "moodle", roster=odd)


def test_grade_command_imports_a_canvas_download_and_exports_for_canvas(
    tmp_path, release_notebook, capsys
):
    import json
    import zipfile

    from corpus import answered

    course = copy_course(tmp_path / "course")
    download = tmp_path / "submissions.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("smithjane_12345_67890_ps1.ipynb", json.dumps(answered(release_notebook)))
        zf.writestr("leeann_12348_67891_answers.pdf", "%PDF-1.4")
    roster = LMS_FILES / "canvas-gradebook-export.csv"
    code = run_cli(
        ["grade", ASSIGNMENT, "--course-root", str(course), "--no-progress", "--timeout", "5"]
        + ["--submissions", str(download), "--export", "canvas", "--roster", str(roster)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "leeann_12348_67891_answers.pdf: leeann_12348: no_notebook" in printed
    written = course / "_grading" / "reports" / f"{ASSIGNMENT}-canvas-grades.csv"
    assert written.is_file() and "canvas grades:" in printed
    jane = [r for r in _rows(written) if r[1] == "12345"][0]
    assert jane[0] == "Smith, Jane" and jane[-1] == ""  # the memo waits for manual grading
    assert "waiting for manual grading: smithjane_12345/ps1" in printed

    # The memo is graded in the formgrader; exporting again (nobody is re-graded) posts it.
    from citykit.grading.layout import load_course
    from nbgrader.api import Gradebook

    layout = load_course(course)
    with Gradebook(layout.db_url, layout.course_id) as gb:
        submission = gb.find_submission(ASSIGNMENT, "smithjane_12345")
        for grade in submission.notebooks[0].grades:
            if grade.needs_manual_grade:
                grade.manual_score, grade.needs_manual_grade = 2, False  # as the formgrader does
        gb.db.commit()
    code = run_cli(
        ["grade", ASSIGNMENT, "--course-root", str(course), "--no-progress"]
        + ["--export", "canvas", "--roster", str(roster)]
    )
    assert code == 0 and "0 graded" in capsys.readouterr().out
    jane = [r for r in _rows(written) if r[1] == "12345"][0]
    assert jane[-1] == "10"  # 8 automatic points and 2 for the memo


def test_doctests_of_the_export():
    import doctest

    from citykit.grading import lms_export

    result = doctest.testmod(lms_export, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0

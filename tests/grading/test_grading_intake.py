"""Submissions arrive as nbgrader's folder layout or as an LMS zip (zip_collect conventions)."""

from __future__ import annotations

import json
import zipfile

import pytest
from corpus import answered
from grading_helpers import ASSIGNMENT, CELL_TIMEOUT, copy_course

pytestmark = pytest.mark.grading


def test_lms_zip_is_imported_newest_attempt_wins_and_graded(tmp_path, release_notebook):
    from citykit.grading import grade

    course = copy_course(tmp_path / "course")
    right = json.dumps(answered(release_notebook))
    wrong = json.dumps(answered(release_notebook, q1_answer="mean_days = 0.5"))
    archive = tmp_path / "gradebook-download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        # Blackboard-style names: <assignment>_<student>_attempt_<timestamp>_<notebook>.ipynb
        zf.writestr("ps1_ann_attempt_2024-03-01-09-00-00_ps1.ipynb", wrong)
        zf.writestr("ps1_ann_attempt_2024-03-02-18-30-00_ps1.ipynb", right)  # newer: graded
        zf.writestr("ps1_bo_attempt_2024-03-01-10-00-00_ps1.ipynb", wrong)
        zf.writestr("notes/readme.ipynb", right)  # no student in the name: skipped
        zf.writestr("../escape.ipynb", right)  # path traversal: ignored
    summary = grade(
        ASSIGNMENT, course_root=course, submissions=archive, timeout=CELL_TIMEOUT, report=False
    )
    assert {o.student: o.auto_score for o in summary.outcomes} == {"ann": 8, "bo": 6}
    stamp = (course / "_grading" / "submitted" / "ann" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp.startswith("2024-03-02 18:30:00")
    skipped = (course / "_grading" / f"{ASSIGNMENT}-intake-skipped.txt").read_text()
    assert "readme.ipynb" in skipped and "older attempt" in skipped
    assert not (tmp_path / "escape.ipynb").exists()


def test_folder_in_nbgrader_layout_is_imported(tmp_path, release_notebook):
    from citykit.grading.course import load_course
    from citykit.grading.intake import import_submissions

    course = copy_course(tmp_path / "course")
    incoming = tmp_path / "incoming" / "submitted" / "cy" / ASSIGNMENT
    incoming.mkdir(parents=True)
    (incoming / "ps1.ipynb").write_text(json.dumps(answered(release_notebook)))
    (incoming / "timestamp.txt").write_text("2024-03-05 08:00:00 UTC\n")
    layout = load_course(course)
    first = import_submissions(tmp_path / "incoming", layout, ASSIGNMENT, notebooks=["ps1"])
    second = import_submissions(tmp_path / "incoming", layout, ASSIGNMENT, notebooks=["ps1"])
    assert first.students == ["cy"] and second.unchanged == ["cy"]
    assert (layout.submitted / "cy" / ASSIGNMENT / "ps1.ipynb").is_file()

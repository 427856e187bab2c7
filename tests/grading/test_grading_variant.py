"""Answers typed in by hand lose their points when the grader also runs a variant sample city."""

from __future__ import annotations

import os
import sys

import nbformat
import pytest
from citykit.grading.variant import (
    VARIANT_NOTE,
    same_answer,
    typed_in_questions,
    unchecked_questions,
)
from grading_helpers import copy_course

pytestmark = pytest.mark.grading

SEED = 2027
ASSIGNMENT = "pv"


def _meta(gid: str, *, test: bool) -> dict:
    meta = {"grade": test, "grade_id": gid, "locked": test, "schema_version": 3}
    meta.update(solution=not test, task=False)
    if test:
        meta["points"] = 1
    return {"nbgrader": meta}


def _answers(permits) -> tuple[float, int]:
    return round(float(permits["valuation"].sum()), 2), int((permits["status"] == "issued").sum())


def _source_notebook(total: float, issued: int):
    cells = [
        nbformat.v4.new_code_cell(
            'import citykit.datasets as ds\ntable = "building_permits"\npermits = ds.load(table)',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\n"
            'total_valuation = round(float(permits["valuation"].sum()), 2)\n'
            "### END SOLUTION",
            metadata=_meta("q1_answer", test=False),
        ),
        nbformat.v4.new_code_cell(
            "assert isinstance(total_valuation, float)\n"
            f"### BEGIN HIDDEN TESTS\nassert abs(total_valuation - {total!r}) < 0.01\n"
            "### END HIDDEN TESTS",
            metadata=_meta("q1_test", test=True),
        ),
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\n"
            'n_issued = int((permits["status"] == "issued").sum())\n'
            "### END SOLUTION",
            metadata=_meta("q2_answer", test=False),
        ),
        nbformat.v4.new_code_cell(
            f"assert isinstance(n_issued, int)\n### BEGIN HIDDEN TESTS\nassert n_issued == {issued}\n"
            "### END HIDDEN TESTS",
            metadata=_meta("q2_test", test=True),
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with one assignment on the sample city and two submissions of it."""
    import citykit.datasets as ds
    from citykit.grading.gradebook import build_template
    from citykit.grading.layout import load_course
    from citykit.grading.variant import build_variant

    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    root = copy_course(tmp_path_factory.mktemp("variant") / "course")
    total, issued = _answers(ds.load("building_permits"))
    variant = build_variant(root / "_grading", seed=SEED)
    other = _answers(ds.load("building_permits", data_dir=variant))
    # the test discriminates only if both answers differ on the variant
    assert other[0] != total and other[1] != issued, (other, total, issued)
    (root / "solutions" / ASSIGNMENT).mkdir()
    nbformat.write(
        _source_notebook(total, issued), root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    )
    template = build_template(load_course(root), ASSIGNMENT, root.parent / "template")
    release = template.release_notebook(ASSIGNMENT)
    computed = {
        "q1_answer": 'total_valuation = round(float(permits["valuation"].sum()), 2)',
        "q2_answer": 'n_issued = int((permits["status"] == "issued").sum())',
    }
    typed = {"q1_answer": f"total_valuation = {total!r}", "q2_answer": f"n_issued = {issued}"}
    for student, answers in (("typist", typed), ("analyst", computed)):
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in answers:
                cell.source = answers[gid]
        folder = root / "_grading" / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return root


def _grade(course, **options):
    from citykit.grading.batch import grade

    return grade(
        ASSIGNMENT,
        course_root=course,
        workers=1,
        force=True,
        report=False,
        **{"feedback": False, **options},
    ).by_student()


def test_typed_in_answers_score_without_the_variant(course):
    outcomes = _grade(course)
    assert outcomes["typist"].auto_score == 2
    assert outcomes["analyst"].auto_score == 2


def test_typed_in_answers_score_zero_with_the_variant(course):
    outcomes = _grade(course, variant_seed=SEED, feedback=True)
    assert outcomes["typist"].auto_score == 0, outcomes["typist"].notes
    assert f"q1_test: {VARIANT_NOTE}" in outcomes["typist"].notes
    assert f"q2_test: {VARIANT_NOTE}" in outcomes["typist"].notes
    assert outcomes["analyst"].auto_score == 2, outcomes["analyst"].notes
    assert not any(VARIANT_NOTE in n or "not checked" in n for n in outcomes["analyst"].notes)
    feedback = course / "_grading" / "feedback"
    assert VARIANT_NOTE in (feedback / "typist" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert (
        VARIANT_NOTE not in (feedback / "analyst" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    )


def test_the_variant_seed_cannot_be_the_sample_citys(course):
    from citykit import synth
    from citykit.errors import CityKitError

    with pytest.raises(CityKitError, match="sample city's own seed"):
        _grade(course, variant_seed=synth.DEFAULT_SEED)


def test_comparison_discriminates():
    ref = {
        "q1": {"x": {"kind": "value", "value": 1.5}},
        "q2": {"f": {"kind": "function"}},
    }
    assert typed_in_questions(ref, {"q1": {"x": {"kind": "value", "value": 1.5000001}}}) == []
    assert typed_in_questions(ref, {"q1": {"x": {"kind": "value", "value": 1.6}}}) == ["q1"]
    assert typed_in_questions(ref, {"q1": {"x": {"kind": "unsupported"}}}) == ["q1"]
    assert typed_in_questions(ref, {}) == ["q1"]
    assert not same_answer(1, True) and not same_answer("1", 1)
    assert unchecked_questions({"q1": {"x": {"kind": "missing"}}}) != []
    assert unchecked_questions(ref) == []

"""The checks in a real kernel: Run All reaches the end for a learner, nbgrader still scores,
hints show wherever they are called, and an assignment's setup switches the tips on."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient
from repo_paths import ROOT

pytestmark = pytest.mark.notebooks

EXERCISE = ROOT / "exercises" / "00-foundations" / "311-first-look.ipynb"


def _execute(nb, *, grading: str | None = None, allow_errors: bool = False):
    old = dict(os.environ)
    os.environ.pop("NBGRADER_EXECUTION", None)
    if grading:
        os.environ["NBGRADER_EXECUTION"] = grading
    try:
        client = NotebookClient(
            nb,
            timeout=180,
            kernel_name="python3",
            allow_errors=allow_errors,
            resources={"metadata": {"path": str(EXERCISE.parent)}},
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


def _text(cell) -> str:
    return json.dumps(
        [
            o.get("data", {}).get("text/plain", "") + o.get("text", "")
            for o in cell.get("outputs", [])
        ]
    )


def _grade_cells(nb):
    return [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def test_an_untouched_exercise_runs_to_the_end_for_a_learner():
    nb = _execute(nbformat.read(EXERCISE, as_version=4))  # allow_errors=False: Run All
    checks = [c for c in _grade_cells(nb) if c.cell_type == "code"]
    assert checks and all("Not attempted" in _text(c) for c in checks)
    assert not any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    n = len(checks)
    assert f"0 of {n} questions Correct, {n} not attempted" in _text(nb.cells[-1])


def test_under_nbgrader_every_failing_check_fails_its_cell():
    nb = _execute(nbformat.read(EXERCISE, as_version=4), grading="autograde", allow_errors=True)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if cell in _grade_cells(nb):
            assert [e.ename for e in errors] == ["NotYet"], cell.source[:40]
            assert "has no answer yet" in errors[0].evalue
        else:
            assert not errors, cell.source[:80]


def test_hints_show_wherever_they_are_called_and_tips_are_on():
    nb = nbformat.read(EXERCISE, as_version=4)
    setup = [c for c in nb.cells if "check = Exercise(" in c.source]
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    cells = [
        *params,
        *setup,
        nbformat.v4.new_code_cell('check.hint("q1_requests")\ncheck.hint("q1_requests")\nx = 1'),
        nbformat.v4.new_code_cell('check.hint("q1_requests")'),
        nbformat.v4.new_code_cell('requests[requests["status"] == Open]'),
        nbformat.v4.new_code_cell('n_requests = 12\ncheck("q1_requests")\nprint("went on")'),
    ]
    nb.cells = cells
    nb = _execute(nb, allow_errors=True)
    two, last, unquoted, wrong = nb.cells[-4:]
    shown = [o for o in two.outputs if o.output_type == "display_data"]
    assert len(shown) == 2, "each call in one cell shows its hint"
    assert "(1/3)" in _text(two) and "(2/3)" in _text(two)
    assert _text(last).count("(3/3)") == 1, "a hint on the last line shows once"
    kinds = [o.output_type for o in unquoted.outputs]
    assert kinds == ["display_data", "error"], kinds
    assert "quotes" in _text(unquoted) and "not been run" not in _text(unquoted)
    assert "Not yet" in _text(wrong) and "went on" in _text(wrong)
    assert not [o for o in wrong.outputs if o.output_type == "error"], "no error block for Not yet"

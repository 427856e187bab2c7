"""An exercise in JupyterLab, as a learner does it: a wrong answer, then the right one, then
nbgrader's Validate button."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

pytestmark = pytest.mark.browser

EXERCISE = "exercises/00-foundations/311-first-look.ipynb"
WRONG = "n_requests = 12"
RIGHT = "n_requests = len(requests)"


def _copy_exercise(lab_server, folder: str) -> str:
    source = lab_server.root / EXERCISE
    if not source.is_file():
        pytest.skip(f"{EXERCISE} is not in the course")
    target = lab_server.root / folder / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return f"{folder}/{source.name}"


def test_check_says_not_yet_then_correct(lab):
    path = _copy_exercise(lab.server, "learner-checks")
    lab.open(path)

    # Run the two setup cells (parameters, then data loading) as the notebook asks.
    lab.run_cell(lab.code_cell("data_dir = None"))
    setup = lab.code_cell("check = Exercise(")
    lab.run_cell(setup)
    assert lab.error_outputs(setup) == []
    assert re.search(r"[\d,]+ requests loaded", setup.locator(".jp-Cell-outputArea").inner_text())

    check = lab.code_cell('check("q1_requests")')
    answer = lab.code_cell('check("q1_requests")', offset=-1)  # the answer cell just above
    assert "# YOUR CODE HERE" in answer.inner_text()

    lab.type_into(answer, WRONG)
    lab.run_cell(answer)
    lab.run_cell(check)
    verdict = check.locator(".jp-OutputArea-output").filter(has_text="Not yet")
    verdict.first.wait_for(state="visible")
    text = check.locator(".jp-Cell-outputArea").inner_text()
    assert "q1_requests" in text
    assert "Correct" not in text
    lab.screenshot("1-not-yet", verdict.first)

    lab.type_into(answer, RIGHT)
    lab.run_cell(answer)
    lab.run_cell(check)
    verdict = check.locator(".jp-OutputArea-output").filter(has_text="Correct")
    verdict.first.wait_for(state="visible")
    text = check.locator(".jp-Cell-outputArea").inner_text()
    assert "Not yet" not in text
    assert lab.error_outputs(check) == [], "a correct answer must not show an error"
    lab.screenshot("2-correct", verdict.first)


def test_validate_button_reports_the_unanswered_questions(lab):
    path = _copy_exercise(lab.server, "learner-validate")
    # The learner answered question 1 (only) and saved the notebook.
    file = lab.server.root / path
    notebook = nbformat.read(file, as_version=4)
    cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id")]
    (q1,) = [c for c in cells if c.metadata["nbgrader"]["grade_id"] == "q1_answer"]
    q1.source = RIGHT
    nbformat.write(notebook, file)

    lab.open(path)
    lab.page.get_by_role("button", name=re.compile(r"^Validate")).click()
    dialog = lab.page.get_by_role("dialog").filter(has_text="Validation Results")
    dialog.wait_for(state="visible", timeout=60_000)  # nbgrader runs the whole notebook
    message = dialog.locator("#validation-message")
    text = message.inner_text()
    lab.screenshot("validation-results")

    assert "The following cell failed" in text, text[:2000]
    failed_checks = re.findall(r'check\("(q\d+_\w+)"\)', text)
    assert "q1_requests" not in failed_checks, "question 1 was answered correctly"
    assert {"q2_open", "q3_top_type", "q8_late_ranking"} <= set(failed_checks), failed_checks
    assert "not attempted" in text.lower()

"""Run All in JupyterLab reaches the last cell of an exercise: a wrong answer shows "Not yet"
without an error block, the other checks say "Not attempted", and progress sums it up."""

from __future__ import annotations

import re
import shutil

import pytest

pytestmark = pytest.mark.browser

EXERCISE = "exercises/00-foundations/311-first-look.ipynb"


def test_run_all_reaches_the_end_with_a_wrong_answer(lab):
    source = lab.server.root / EXERCISE
    if not source.is_file():
        pytest.skip(f"{EXERCISE} is not in the course")
    target = lab.server.root / "learner-run-all" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    lab.open(f"learner-run-all/{source.name}")

    answer = lab.code_cell('check("q1_requests")', offset=-1)
    lab.type_into(answer, "n_requests = 12")
    lab.run_all()

    assert lab.error_outputs() == [], (
        "no error block: a check that is not Correct lets Run All go on"
    )
    prompts = lab.prompts()
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts
    check = lab.code_cell('check("q1_requests")')
    assert "Not yet" in check.locator(".jp-Cell-outputArea").inner_text()
    last = (
        lab.code_cells.nth(lab.code_cells.count() - 1).locator(".jp-Cell-outputArea").inner_text()
    )
    assert "0 of 8 questions Correct, 1 not yet, 7 not attempted" in last, last[:300]
    lab.screenshot("run-all-progress", lab.code_cells.nth(lab.code_cells.count() - 1))

"""The course pipeline: the real course verifies, and each verification catches what it should."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from citykit import course
from citykit.course import answers, notebook_checks
from repo_paths import ROOT


@pytest.mark.notebooks
def test_the_course_verifies():
    """`citykit course verify` on the repository: every notebook, every check (CI's gate)."""
    done = subprocess.run(
        [sys.executable, "-m", "citykit.cli", "course", "verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(done.stdout[-6000:])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "PASSED" in done.stdout
    for check in (
        "every solution passes every test",
        "every untouched exercise fails",
        "every wrong method is rejected and every alternative accepted",
        "every untouched exercise runs to its end for a learner",
        "exercises in sync",
    ):
        assert check in done.stdout


def test_course_build_leaves_the_checkout_clean(tmp_path):
    course.build(ROOT, release_dir=tmp_path)
    for notebook in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        rebuilt = tmp_path / notebook.parent.name / notebook.name
        assert rebuilt.read_bytes() == notebook.read_bytes(), notebook


@pytest.fixture
def mini_course(tmp_path):
    """A copy of the course's notebooks and config, to break on purpose."""
    for folder in ("solutions", "exercises", "curriculum"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    return tmp_path


def _first(path_glob, root):
    return sorted(root.glob(path_glob))[0]


def test_outputs_and_missing_parameters_cell_are_caught(mini_course):
    path = _first("exercises/*/*.ipynb", mini_course)
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
    code[1]["execution_count"] = 3
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("tags", None)
    path.write_text(json.dumps(nb))
    report = course.verify(mini_course, execute=False, progress=False)
    checks = {p.check for p in report.problems}
    assert "no outputs or execution counts in git" in checks
    assert "a papermill `parameters` cell" in checks
    assert "exercises in sync with solutions" in checks, "hand-edited exercises are caught"
    assert not report.ok
    assert "FAILED" in str(report)


def test_a_failing_solution_and_a_passing_blank_are_caught(mini_course):
    solution = _first("solutions/*/*.ipynb", mini_course)
    nb = nbformat.read(solution, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q2_open":
            cell.source = cell.source.replace(
                "### END HIDDEN TESTS", "assert n_open < 0\n### END HIDDEN TESTS"
            )
    nbformat.write(nb, solution)
    result = notebook_checks.validate(str(solution), False)
    assert result.get("failed"), "a failing hidden test must fail validation"

    # a test that cannot fail, written in the solution, reaches the exercise: caught
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_requests":
            cell.source = "assert True\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    nbformat.write(nb, solution)
    course.build(mini_course)
    exercise = _first("exercises/*/*.ipynb", mini_course)
    result = notebook_checks.validate(str(exercise), True)
    assert [c["source"] for c in result.get("passed", [])] == ["assert True"]


def _broken_bank(tmp_path, monkeypatch) -> Path:
    """A copy of the 00 bank with a wrong method that is right, an alternative that is wrong,
    a method that uses the solution's own working variable, and feedback that shows the answer."""
    banks = tmp_path / "banks"
    banks.mkdir()
    source = ROOT / "toolkit" / "citykit" / "questions"
    text = (source / "00-foundations.toml").read_text()
    replacements = {
        "n_requests = requests.size": "n_requests = requests.shape[0]",
        'n_open = requests["status"].value_counts()["Open"]': 'n_open = requests["status"].value_counts()["Cancelled"]',
        'district_medians = table["days_to_close"]\n': 'district_medians = table["days_to_close"] + 0 * len(valid_days)\n',
        "That is the number of columns.": "That is the number of columns, not 49600.",
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    (banks / "00-foundations.toml").write_text(text)
    shutil.copy(source / "00-foundations.answers.json", banks)
    monkeypatch.setenv("CITYKIT_QUESTIONS_DIR", str(banks))
    return banks


@pytest.mark.notebooks
def test_wrong_methods_accepted_and_alternatives_rejected_are_caught(
    mini_course, tmp_path, monkeypatch
):
    """verify runs every method against the data: each kind of fault is named."""
    _broken_bank(tmp_path, monkeypatch)
    solution = _first("solutions/00-foundations/*.ipynb", mini_course)
    nb = nbformat.read(solution, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "q2_open":  # hidden tests that accept anything above zero
            cell.source = (
                'check("q2_open")\n### BEGIN HIDDEN TESTS\nassert n_open > 0\n### END HIDDEN TESTS'
            )
        if grade_id == "q5_on_time":  # hidden tests that use a working variable of the learner
            cell.source = cell.source.replace(
                "### END HIDDEN TESTS", "assert valid is not None\n### END HIDDEN TESTS"
            )
    nbformat.write(nb, solution)
    result = answers.verify_methods(str(mini_course), "00-foundations")
    problems = [f"{qid}: {message}" for qid, message in result["problems"]]
    text = "\n".join(problems)
    assert "q1_requests: the check says 'correct' to mistake 3" in text
    assert "q1_requests: the hidden tests accept mistake 3" in text
    assert "q2_open: the check says 'not yet' to alternative 2" in text
    assert "q2_open: the hidden tests accept mistake 1" in text, "weak hidden tests are caught"
    assert "q6_district_medians: alternative 1" in text, (
        "the solution's working variables are out of reach"
    )
    assert "NameError: name 'valid_days' is not defined" in text
    assert "q5_on_time: the hidden tests fail the solution's answer" in text
    assert "q1_requests: a feedback shows the answer ('49600')" in text
    assert result["mistakes"] >= 3 * 8 and result["alternatives"] >= 8
    # the same run on the real bank finds nothing
    monkeypatch.delenv("CITYKIT_QUESTIONS_DIR")
    clean = answers.verify_methods(str(ROOT), "00-foundations")
    assert clean["problems"] == []


def test_a_question_with_too_few_methods_or_hints_is_caught():
    results = {
        "q1_requests": {"methods": [], "entry": {"status": "correct", "hidden_passed": True}}
    }
    problems = answers.judge_methods("00-foundations", results)["problems"]
    mine = [message for qid, message in problems if qid == "q1_requests"]
    assert "lists 0 wrong methods; at least 3" in mine
    assert "lists no defensible alternative method" in mine
    assert any("q2_open" == qid for qid, _ in problems), "questions left out are reported too"


@pytest.mark.notebooks
def test_an_exercise_that_stops_a_learner_run_is_caught(mini_course):
    exercise = _first("exercises/00-foundations/*.ipynb", mini_course)
    nb = nbformat.read(exercise, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_answer":
            cell.source += "\nprint(n_requests)"  # uses the learner's answer outside the solution
    nbformat.write(nb, exercise)
    result = notebook_checks.learner_run(str(exercise))
    assert result["stopped"] and "NameError" in result["stopped"]
    untouched = notebook_checks.learner_run(
        str(ROOT / "exercises" / "00-foundations" / exercise.name)
    )
    assert untouched["stopped"] is None
    assert set(untouched["verdicts"].values()) == {"Not attempted"}
    assert "0 of 8 questions Correct, 8 not attempted" in untouched["last"]


def _lesson(path: Path, cells: list) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = cells
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_course_run_reports_a_failing_lesson_and_goes_on(tmp_path):
    params = nbformat.v4.new_code_cell("data_dir = None")
    params.metadata["tags"] = ["parameters"]
    shown_error = nbformat.v4.new_code_cell("1 / 0")
    shown_error.metadata["tags"] = ["raises-exception"]
    _lesson(
        tmp_path / "curriculum" / "09-x" / "01-bad.ipynb",
        [
            params,
            shown_error,
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("raise KeyError('closed_at')"),
        ],
    )
    _lesson(
        tmp_path / "curriculum" / "09-x" / "02-good.ipynb",
        [
            params,
            nbformat.v4.new_code_cell(
                "from citykit import datasets\n"
                "t = datasets.load('service_requests', data_dir=data_dir)\nprint('ROWS', len(t))"
            ),
        ],
    )
    own = tmp_path / "my-city"
    own.mkdir()
    lines = (ROOT / "datasets" / "service_requests.csv").read_text().splitlines()[:41]
    (own / "service_requests.csv").write_text("\n".join(lines) + "\n")
    report = course.run(tmp_path, data_dir=str(own), out=tmp_path / "build", progress=False)
    assert report.checked["every lesson executes"] == 2
    assert [p.notebook for p in report.problems] == ["curriculum/09-x/01-bad.ipynb"]
    assert report.problems[0].message == "cell 3: KeyError: 'closed_at'"
    good = nbformat.read(tmp_path / "build" / "09-x" / "02-good.ipynb", as_version=4)
    assert "ROWS 40" in "".join(o.get("text", "") for c in good.cells for o in c.get("outputs", []))


def test_fingerprint_replaces_stale_fingerprints(mini_course, tmp_path, monkeypatch):
    """Answers changed since the last fingerprint run: the solution's checks must not block it."""
    banks = tmp_path / "banks"
    banks.mkdir()
    source = ROOT / "toolkit" / "citykit" / "questions"
    shutil.copy(source / "00-foundations.toml", banks)
    right = json.loads((source / "00-foundations.answers.json").read_text())
    stale = {
        qid: {**entry, "fingerprint": "0" * len(entry["fingerprint"])}
        for qid, entry in right.items()
    }
    (banks / "00-foundations.answers.json").write_text(json.dumps(stale))
    monkeypatch.setenv("CITYKIT_QUESTIONS_DIR", str(banks))
    written = course.fingerprint(mini_course, "00-foundations")
    assert written == banks / "00-foundations.answers.json"
    assert json.loads(written.read_text()) == right


def test_execute_notebook_runs_again_after_a_cell_that_never_answers(tmp_path):
    """A kernel that goes quiet (a lost message) costs one timeout, not the whole run."""
    marker = tmp_path / "first-run"
    params = nbformat.v4.new_code_cell(f"marker = {str(marker)!r}")
    params.metadata["tags"] = ["parameters"]
    quiet_once = nbformat.v4.new_code_cell(
        "import os, time\n"
        "if not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    time.sleep(60)\n"
        "answer = 42\n"
        "print(answer)"
    )
    lesson = tmp_path / "quiet.ipynb"
    _lesson(lesson, [params, quiet_once])
    output = tmp_path / "build" / "quiet.ipynb"
    course.execute_notebook(lesson, output, cell_timeout=5)
    executed = nbformat.read(output, as_version=4)
    assert marker.exists()
    assert executed.cells[-1].outputs[0]["text"] == "42\n"


def test_execute_notebook_gives_up_on_a_cell_that_always_hangs(tmp_path):
    params = nbformat.v4.new_code_cell("pass")
    params.metadata["tags"] = ["parameters"]
    lesson = tmp_path / "hang.ipynb"
    _lesson(lesson, [params, nbformat.v4.new_code_cell("import time\ntime.sleep(60)")])
    with pytest.raises(TimeoutError):
        course.execute_notebook(lesson, tmp_path / "out.ipynb", cell_timeout=2, attempts=2)

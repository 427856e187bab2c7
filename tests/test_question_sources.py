"""One source per graded question, and everything else checked against it (no execution needed).

A graded question's source is its solution notebook (``solutions/<assignment>/*.ipynb``: the
answer cell and the grade cell with its visible check and hidden tests) together with its entry
in the question bank (``citykit/questions/<assignment>.toml``: variable, kind, hints, mistakes,
alternatives). Generated from them: ``exercises/`` (``citykit course build``) and
``<assignment>.answers.json`` (``citykit course fingerprint``). This test holds them together;
``citykit course verify`` then executes them.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib

import pytest
from citykit.course.layout import assignments, grade_cells, solution_notebook, visible_part
from citykit.methods import assigned_names
from repo_paths import ROOT

BANKS = ROOT / "toolkit" / "citykit" / "questions"
CHECK_CALL = re.compile(r"""check\(\s*["'](\w+)["']""")


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def answer_cell(nb: dict, grade_index: int) -> dict | None:
    """The solution cell just before a grade cell (where the learner writes the answer)."""
    for cell in reversed(nb["cells"][:grade_index]):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            return cell
    return None


def question_problems(solution: dict, bank: dict, answers: dict, exercise: dict) -> list[str]:
    """What does not agree between a question's source and what is generated from it."""
    problems = []
    graded = grade_cells(solution)
    questions = bank.get("questions", {})
    for qid in sorted(set(graded) - set(questions)):
        problems.append(f"grade cell {qid} has no entry in the question bank")
    for qid in sorted(set(questions) - set(graded)):
        problems.append(f"bank question {qid} has no grade cell")
    for qid in sorted(set(answers) - set(questions)):
        problems.append(f"answers.json holds {qid}, which the bank no longer has")
    for qid in sorted(set(questions) - set(answers)):
        problems.append(f"bank question {qid} has no fingerprint in answers.json")
    released = grade_cells(exercise)
    for qid, index in graded.items():
        cell_source = source(solution["cells"][index])
        named = set(CHECK_CALL.findall(visible_part(cell_source)))
        if named != {qid}:
            problems.append(f"grade cell {qid} checks {sorted(named)} instead of itself")
        spec = questions.get(qid)
        answer = answer_cell(solution, index)
        if spec and (answer is None or spec["variable"] not in assigned_names(source(answer))):
            problems.append(f"{qid}: the answer cell does not assign {spec.get('variable')!r}")
        if qid not in released:
            problems.append(f"the exercise has no grade cell {qid}")
            continue
        shown = source(exercise["cells"][released[qid]])
        if "HIDDEN TESTS" in shown or visible_part(cell_source).strip() not in shown:
            problems.append(f"the exercise's grade cell {qid} is not the solution's visible part")
    return problems


def sources(assignment: str):
    solution = json.loads(solution_notebook(ROOT, assignment).read_text(encoding="utf-8"))
    bank = tomllib.loads((BANKS / f"{assignment}.toml").read_text(encoding="utf-8"))
    answers = json.loads((BANKS / f"{assignment}.answers.json").read_text(encoding="utf-8"))
    path = ROOT / "exercises" / assignment / solution_notebook(ROOT, assignment).name
    exercise = json.loads(path.read_text(encoding="utf-8"))
    return solution, bank, answers, exercise


@pytest.mark.parametrize("assignment", assignments(ROOT))
def test_a_question_agrees_with_its_sources(assignment):
    assert question_problems(*sources(assignment)) == []


def test_every_assignment_has_a_bank_and_fingerprints():
    names = assignments(ROOT)
    assert names
    assert sorted(p.stem for p in BANKS.glob("*.toml")) == names
    assert sorted(p.name.split(".")[0] for p in BANKS.glob("*.answers.json")) == names


def _first_grade(solution: dict) -> tuple[str, int]:
    return next(iter(grade_cells(solution).items()))


@pytest.mark.parametrize(
    ("break_it", "said"),
    [
        ("stale answer", "which the bank no longer has"),
        ("missing fingerprint", "has no fingerprint"),
        ("bank without cell", "has no grade cell"),
        ("check names another question", "instead of itself"),
        ("answer variable renamed", "does not assign"),
        ("exercise shows hidden tests", "not the solution's visible part"),
    ],
)
def test_each_disagreement_is_caught(break_it, said):
    solution, bank, answers, exercise = copy.deepcopy(sources("00-foundations"))
    qid, index = _first_grade(solution)
    if break_it == "stale answer":
        answers["q99_gone"] = {"fingerprint": "0"}
    elif break_it == "missing fingerprint":
        del answers[qid]
    elif break_it == "bank without cell":
        bank["questions"]["q99_new"] = {"variable": "x"}
    elif break_it == "check names another question":
        cell = solution["cells"][index]
        cell["source"] = source(cell).replace(f'check("{qid}"', 'check("q99_other"')
    elif break_it == "answer variable renamed":
        bank["questions"][qid]["variable"] = "not_assigned_anywhere"
    else:
        _, released = next(iter(grade_cells(exercise).items()))
        exercise["cells"][released]["source"] = source(solution["cells"][index])
    problems = question_problems(solution, bank, answers, exercise)
    assert any(said in problem for problem in problems), problems

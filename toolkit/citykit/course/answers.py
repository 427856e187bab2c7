"""Run every question's methods against the data: ``citykit course fingerprint`` and its check.

The solution notebook is executed cell by cell in a kernel; before each question's answer cell
the question bank's mistakes and alternatives run there (:func:`citykit.methods.run_question`),
after it the solution's own answer is judged or fingerprinted
(:func:`citykit.methods.solution_entry`). The rules (canonical forms, fingerprints, sealed worked
answers) belong to :mod:`citykit.check` and :mod:`citykit.methods`; this module only drives the
kernel and writes ``<assignment>.answers.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from citykit.course.kernel import Kernel, error_outputs, stdout_text
from citykit.course.layout import between, child_env, grade_cells, solution_notebook
from citykit.grading.hidden import hidden_part
from citykit.methods import kernel_call

__all__ = ["METHODS_TIMEOUT", "fingerprint", "run_methods", "judge_methods", "verify_methods"]


#: Seconds the cell that runs every method of one question may take (a busy machine).
METHODS_TIMEOUT = 900


def fingerprint(root: Path, assignment: str) -> Path:
    """Execute the solution of ``assignment`` and write its answer fingerprints; return the file.

    The fingerprints cover the right answer, every defensible alternative of the question bank
    (accepted too) and every listed mistake (recognised, with its feedback), each computed by
    running the method against the data in the executed solution's kernel.
    """
    from citykit import check

    root = Path(root).resolve()
    payload = {}
    for qid, entry in run_methods(root, assignment, mode="fingerprint").items():
        payload[qid] = entry["entry"]
    path = check.bank_path(assignment).with_name(f"{assignment}.answers.json")
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class _Question:
    """Where a question lives in the solution notebook, and what its methods may not use."""

    qid: str
    answer: int  # index of the answer cell
    grade: int  # index of the grade cell
    solution_code: str
    hidden: str
    drop: frozenset


def _questions(nb, bank: dict) -> tuple[dict[int, _Question], list[str]]:
    """Map answer-cell index -> question, and list the parameters' names."""
    from citykit.methods import assigned_names

    cells = nb.cells
    grade = grade_cells(nb)
    parameters: set[str] = set()
    given: set[str] = set()
    for cell in cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            parameters |= assigned_names(cell.source)
        if not meta.get("solution") and not meta.get("grade"):
            given |= assigned_names(cell.source)
    found: dict[int, _Question] = {}
    for qid in bank["questions"]:
        if qid not in grade:
            continue
        answer = next(
            (
                i
                for i in range(grade[qid] - 1, -1, -1)
                if cells[i].cell_type == "code"
                and cells[i].get("metadata", {}).get("nbgrader", {}).get("solution")
            ),
            None,
        )
        if answer is None:
            raise RuntimeError(f"question {qid!r} has no answer cell before its grade cell")
        found[answer] = _Question(
            qid,
            answer,
            grade[qid],
            between(cells[answer].source, "### BEGIN SOLUTION", "### END SOLUTION"),
            hidden_part(cells[grade[qid]].source),
            frozenset(),
        )
    # a method may use the data, what given cells build and what earlier questions asked the
    # learner to keep; not the solution's own working variables or the hidden tests' names
    working: set[str] = set()
    kept: set[str] = set()
    for index in sorted(found):
        question = found[index]
        found[index] = _Question(**{**question.__dict__, "drop": frozenset(working - given - kept)})
        spec = bank["questions"][question.qid]
        working |= assigned_names(question.solution_code)
        working |= assigned_names(cells[question.grade].source)
        kept |= {spec["variable"], *spec.get("keeps", ())}
    return found, sorted(parameters)


def _kernel_result(outputs: list[dict], what: str) -> dict:
    """The result :func:`citykit.methods.print_result` printed in a cell's outputs."""
    from citykit.methods import read_result

    errors = error_outputs(outputs)
    if errors:
        raise RuntimeError(f"{what} failed: {errors[0]['ename']}: {errors[0]['evalue']}")
    text = stdout_text(outputs)
    result = read_result(text)
    if result is None:
        raise RuntimeError(f"{what} printed no result: {text[-500:]}")
    return result


def run_methods(root: Path, assignment: str, *, mode: str) -> dict[str, dict]:
    """Execute the solution of ``assignment`` cell by cell, running each question's methods.

    Before each question's answer cell, its mistakes and alternatives run on the namespace the
    learner has at that point; after it, the solution's own answer is judged (``verify``) or
    fingerprinted (``fingerprint``). Grade cells are not run (``validate`` runs them). Returns,
    per question, ``{"methods": [...], "entry": {...}}``.
    """
    from citykit import check

    root = Path(root).resolve()
    notebook = solution_notebook(root, assignment)
    env = child_env(root)
    env.pop("NBGRADER_EXECUTION", None)
    if mode == "fingerprint":
        env[check.REFINGERPRINT_ENV] = "1"  # the checks must not judge by the fingerprints replaced
    kernel = Kernel(notebook, env)
    results: dict[str, dict] = {}
    try:
        bank = check.load_bank(assignment)
        questions, parameters = _questions(kernel.nb, bank)
        graded = set(grade_cells(kernel.nb).values())
        for i, cell in enumerate(kernel.nb.cells):
            if cell.cell_type != "code" or i in graded:
                continue
            question = questions.get(i)
            if question is not None:
                code = kernel_call(
                    "run_question",
                    assignment=assignment,
                    question=question.qid,
                    drop=sorted(question.drop),
                    hidden=question.hidden,
                    parameters=parameters,
                    mode=mode,
                )
                # every method and its hidden tests run in this one cell: give it time on a busy
                # machine (a cell of the notebook gets CELL_TIMEOUT)
                ran = _kernel_result(
                    kernel.run_code(code, timeout=METHODS_TIMEOUT), f"the methods of {question.qid}"
                )
                results[question.qid] = {"methods": ran["methods"]}
            errors = error_outputs(kernel.run_cell(i))
            if errors:
                raise RuntimeError(
                    f"{notebook.name} cell {i} failed: {errors[0]['ename']}: {errors[0]['evalue']}"
                )
            if question is not None:
                alternatives = [
                    m for m in results[question.qid]["methods"] if m["kind"] == "alternative"
                ]
                code = kernel_call(
                    "solution_entry",
                    assignment=assignment,
                    question=question.qid,
                    hidden=question.hidden,
                    parameters=parameters,
                    mode=mode,
                    solution_code=question.solution_code,
                    alternatives=[
                        {"fingerprint": m.get("fingerprint"), "canonical": m.get("canonical")}
                        for m in alternatives
                    ],
                )
                entry = _kernel_result(
                    kernel.run_code(code), f"judging the answer to {question.qid}"
                )
                if mode == "fingerprint":
                    failed = [m for m in results[question.qid]["methods"] if m.get("error")]
                    if failed:
                        raise RuntimeError(
                            f"{question.qid}: {failed[0]['kind']} {failed[0]['index'] + 1} "
                            f"failed: {failed[0]['error']}\n{failed[0]['code']}"
                        )
                    entry["mistakes"] = [
                        m["fingerprint"]
                        for m in results[question.qid]["methods"]
                        if m["kind"] == "mistake"
                    ]
                results[question.qid]["entry"] = entry
    finally:
        kernel.close()
    missing = sorted(set(bank["questions"]) - set(results))
    if missing:
        raise RuntimeError(f"questions with no answer cell in {notebook.name}: {missing}")
    return results


def _required_mistakes(spec: dict) -> int:
    if spec.get("kind") == "choice" and spec.get("options"):
        return min(3, len(spec["options"]) - 1)
    return 3


def judge_methods(assignment: str, results: dict[str, dict]) -> dict:
    """Turn a verify run of :func:`run_methods` into problems and counts."""
    from citykit import check

    bank = check.load_bank(assignment)
    problems: list[tuple[str, str]] = []
    counted = {"mistakes": 0, "alternatives": 0, "seconds": 0.0}
    for qid, spec in bank["questions"].items():
        ran = results.get(qid, {"methods": [], "entry": {}})
        mistakes = [m for m in ran["methods"] if m["kind"] == "mistake"]
        alternatives = [m for m in ran["methods"] if m["kind"] == "alternative"]
        if len(mistakes) < _required_mistakes(spec):
            problems.append(
                (qid, f"lists {len(mistakes)} wrong methods; at least {_required_mistakes(spec)}")
            )
        if not alternatives:
            problems.append((qid, "lists no defensible alternative method"))
        needed = 2 if spec.get("kind") == "choice" else 3
        if len(spec["hints"]) < needed:
            problems.append((qid, f"has {len(spec['hints'])} hints; at least {needed}"))
        for m in ran["methods"]:
            counted["seconds"] += m.get("seconds", 0.0)
            name = f"{m['kind']} {m['index'] + 1} ({m['code'].splitlines()[-1][:70]})"
            if m.get("error"):
                problems.append((qid, f"{name} raised {m['error']}"))
                continue
            if m.get("hidden_error") and m["hidden_error"].startswith("NameError"):
                problems.append((qid, f"the hidden tests raised {m['hidden_error']} on {name}"))
            if m["kind"] == "mistake":
                counted["mistakes"] += 1
                feedback = spec["mistakes"][m["index"]]["feedback"]
                if m.get("status") != "not yet":
                    problems.append(
                        (qid, f"the check says {m.get('status')!r} to {name}: {m['value']}")
                    )
                elif m.get("message") != feedback:
                    problems.append(
                        (
                            qid,
                            f"the check rejects {name} but says {m.get('message')!r}, not its feedback",
                        )
                    )
                if m.get("hidden_passed"):
                    problems.append((qid, f"the hidden tests accept {name}: {m['value']}"))
            else:
                counted["alternatives"] += 1
                if m.get("status") != "correct":
                    problems.append(
                        (
                            qid,
                            f"the check says {m.get('status')!r} to {name}: {m['value']} ({m.get('message')})",
                        )
                    )
                if not m.get("hidden_passed"):
                    problems.append(
                        (
                            qid,
                            f"the hidden tests reject {name}: {m['value']} {m.get('hidden_error') or ''}",
                        )
                    )
        entry = ran.get("entry", {})
        if entry.get("status") != "correct":
            problems.append(
                (qid, f"the check says {entry.get('status')!r} to the solution's answer")
            )
        if not entry.get("hidden_passed"):
            problems.append(
                (
                    qid,
                    "the hidden tests fail the solution's answer when they see only the answer "
                    f"variables, the modules and the parameters: {entry.get('hidden_error')}",
                )
            )
        for leak in entry.get("leaks", []):
            problems.append((qid, leak))
    return {"problems": problems, **counted}


def verify_methods(root: str, assignment: str) -> dict:
    """Verify job: run every question's methods against the data and judge them."""
    return judge_methods(assignment, run_methods(Path(root), assignment, mode="verify"))

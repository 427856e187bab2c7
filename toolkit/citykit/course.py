"""Build, verify and run the course: nbgrader for exercises, papermill for lessons.

``citykit course build``
    regenerates ``exercises/`` from ``solutions/`` with ``nbgrader generate_assignment``
    (deterministic, so a clean checkout stays clean).
``citykit course fingerprint ASSIGNMENT``
    executes the solution notebook, runs every question's methods (mistakes and alternatives)
    against the data, and writes the fingerprints and sealed worked answers the learner-facing
    checks use (``citykit/questions/<assignment>.answers.json``).
``citykit course verify``
    checks every notebook: exercises in sync with solutions; every solution passes every test
    (nbgrader's ``Validator`` from Python, because the ``nbgrader validate`` command exits 0 even
    on failure); every untouched exercise fails every graded test under nbgrader and runs to
    its end for a learner (every check "Not attempted"); every wrong method of the question
    banks, run against the data in the executed solution's kernel, is rejected by the check
    (with its own feedback) and by the hidden tests, and every defensible alternative is
    accepted by both; no feedback or hint shows the answer; no outputs or execution counts in
    git; a papermill ``parameters`` cell in every notebook; every lesson executes. Non-zero exit
    on any failure.
``citykit course run``
    executes the lessons with papermill into ``build/`` (optionally on another city's data).
"""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from citykit.grading.hidden import has_hidden, hidden_part, visible_part

__all__ = [
    "Problem",
    "Report",
    "lessons",
    "assignments",
    "build",
    "fingerprint",
    "verify",
    "run",
    "execute_notebook",
    "add_course_parser",
]

CELL_TIMEOUT = 120
METHODS_TIMEOUT = 900
METHODS_CHECK = "every wrong method is rejected and every alternative accepted"
METHODS_CHECK_LEARNER = "every untouched exercise runs to its end for a learner"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one notebook."""

    check: str
    notebook: str
    message: str


@dataclass
class Report:
    """The result of :func:`verify` or :func:`run`: what was checked and what failed."""

    checked: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.problems

    def count(self, check: str, n: int = 1) -> None:
        """Record that ``n`` items passed through ``check``."""
        self.checked[check] = self.checked.get(check, 0) + n

    def fail(self, check: str, notebook: str | Path, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(check, str(notebook), message))

    def __str__(self) -> str:
        lines = ["Course verification" if self.checked else "Course run", ""]
        for check, n in self.checked.items():
            failed = sum(p.check == check for p in self.problems)
            mark = "FAIL" if failed else " ok "
            lines.append(f"  [{mark}] {check}: {n} checked, {failed} failed")
        if self.notes:
            lines += ["", *(f"  {note}" for note in self.notes)]
        if self.problems:
            lines += ["", "Problems:"]
            for p in self.problems:
                lines.append(f"  - {p.check} — {p.notebook}\n      {p.message}")
        verdict = "PASSED" if self.ok else f"FAILED ({len(self.problems)} problems)"
        lines += ["", f"{verdict} in {self.seconds:.0f} s"]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Finding things


def lessons(root: Path) -> list[Path]:
    """Every lesson notebook under ``curriculum/``, in module order."""
    return sorted(Path(root, "curriculum").glob("*/*.ipynb"))


def assignments(root: Path) -> list[str]:
    """Every assignment (a folder of ``solutions/``)."""
    return (
        sorted(p.name for p in Path(root, "solutions").iterdir() if p.is_dir())
        if Path(root, "solutions").is_dir()
        else []
    )


def _notebooks(root: Path, folder: str) -> list[Path]:
    return sorted(Path(root, folder).glob("*/*.ipynb"))


def _env(root: Path) -> dict:
    """Environment for child processes: the venv's bin on PATH, no stray Jupyter config."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("JUPYTER_CONFIG_DIR", str(Path(root, "build", "jupyter-config")))
    env["PYTHONWARNINGS"] = env.get("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


def _read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Build


def build(
    root: Path, *, release_dir: Path | None = None, assignment: str | None = None
) -> list[str]:
    """Regenerate the learner's copies (``exercises/``) from ``solutions/``; return the assignments.

    ``release_dir`` writes them elsewhere (used by :func:`verify` to compare without touching
    the working tree).
    """
    root = Path(root).resolve()
    names = [assignment] if assignment else assignments(root)
    for name in names:
        cmd = [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            name,
            "--force",
            "--no-db",
            "--log-level=ERROR",
        ]
        if release_dir is not None:
            cmd.append(f"--CourseDirectory.release_directory={release_dir}")
        done = subprocess.run(cmd, cwd=root, env=_env(root), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"nbgrader could not generate {name}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        _clean_release(Path(release_dir or root / "exercises") / name)
    return names


def _clean_release(folder: Path) -> None:
    """Make generated notebooks byte-stable (nbgrader keeps source formatting; we normalise)."""
    for path in sorted(folder.glob("*.ipynb")):
        nb = _read(path)
        path.write_text(
            json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )


# ---------------------------------------------------------------------------------------------
# Executing notebooks in a kernel we can talk to


class _Kernel:
    """A notebook's kernel, for running the notebook's cells and then our own code."""

    def __init__(self, notebook: Path, env: dict):
        import nbformat
        from nbclient import NotebookClient

        self.nb = nbformat.read(notebook, as_version=4)
        self.client = NotebookClient(
            self.nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(notebook.parent)}},
        )
        self._old_env = dict(os.environ)
        os.environ.update(env)
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel()
        self.client.start_new_kernel_client()

    def run_cell(self, index: int) -> list[dict]:
        cell = self.nb.cells[index]
        self.client.execute_cell(cell, index)
        return cell.get("outputs", [])

    def run_code(self, code: str, *, timeout: int | None = None) -> list[dict]:
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        self.nb.cells.append(cell)
        index = len(self.nb.cells) - 1
        usual = self.client.timeout
        if timeout is not None:
            self.client.timeout = timeout
        try:
            self.client.execute_cell(cell, index)
        finally:
            self.nb.cells.pop()
            self.client.timeout = usual
        return cell.get("outputs", [])

    def close(self) -> None:
        try:
            self.client._cleanup_kernel()
        finally:
            os.environ.clear()
            os.environ.update(self._old_env)


def _errors(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if o.get("output_type") == "error"]


def _stdout(outputs: list[dict]) -> str:
    return "".join(
        o.get("text", "")
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def _grade_cells(nb) -> dict[str, int]:
    """Map grade_id -> cell index for autograded code cells."""
    out = {}
    for i, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell["cell_type"] == "code":
            out[meta["grade_id"]] = i
    return out


def _visible_part(source: str) -> str:
    """The learner-visible part of a grade cell (hidden tests removed)."""
    return visible_part(source)


def _solution_notebook(root: Path, assignment: str) -> Path:
    found = sorted(Path(root, "solutions", assignment).glob("*.ipynb"))
    if len(found) != 1:
        raise RuntimeError(
            f"solutions/{assignment} must hold exactly one notebook, found {len(found)}"
        )
    return found[0]


def fingerprint(root: Path, assignment: str) -> Path:
    """Execute the solution of ``assignment`` and write its answer fingerprints; return the file.

    The fingerprints cover the right answer, every defensible alternative of the question bank
    (accepted too) and every listed mistake (recognised, with its feedback), each computed by
    running the method against the data in the executed solution's kernel.
    """
    from citykit import check

    root = Path(root).resolve()
    payload = {}
    for qid, entry in _run_methods(root, assignment, mode="fingerprint").items():
        payload[qid] = entry["entry"]
    path = check.bank_path(assignment).with_name(f"{assignment}.answers.json")
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Verify


def _check_clean(path: Path, report: Report, rel: str) -> None:
    try:
        nb = _read(path)
    except (OSError, json.JSONDecodeError) as exc:
        report.fail("notebooks are valid JSON", rel, str(exc))
        return
    dirty = [
        i
        for i, c in enumerate(nb.get("cells", []))
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    report.count("no outputs or execution counts in git")
    if dirty:
        report.fail(
            "no outputs or execution counts in git",
            rel,
            f"cells {dirty[:5]} carry outputs; clear them (Kernel > Restart and Clear "
            "Outputs) before committing",
        )
    report.count("a papermill `parameters` cell")
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.get("cells", [])):
        report.fail(
            "a papermill `parameters` cell",
            rel,
            "no cell is tagged `parameters`; tag the cell that sets data_dir and the "
            "other inputs (View > Cell tags)",
        )


def _validate(path: str, invert: bool) -> dict:
    from nbgrader.validator import Validator
    from traitlets.config import Config

    config = Config()
    config.Validator.invert = invert
    config.Execute.timeout = CELL_TIMEOUT
    config.Execute.kernel_name = "python3"
    return Validator(config=config).validate(path)


def _between(source: str, begin: str, end: str) -> str:
    """The lines of ``source`` between the marker lines ``begin`` and ``end``."""
    keep, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            keep.append(line)
    return "\n".join(keep)


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
    grade = _grade_cells(nb)
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
            _between(cells[answer].source, "### BEGIN SOLUTION", "### END SOLUTION"),
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


_RUN_QUESTION = """
import json as _cm_json
from citykit import methods as _cm
print(_cm.MARKER + _cm_json.dumps(_cm.run_question(
    globals(), assignment={assignment!r}, question={qid!r}, drop={drop!r}, hidden={hidden!r},
    parameters={parameters!r}, mode={mode!r}), default=str))
"""

_SOLUTION_ENTRY = """
import json as _cm_json
from citykit import methods as _cm
print(_cm.MARKER + _cm_json.dumps(_cm.solution_entry(
    globals(), assignment={assignment!r}, question={qid!r}, hidden={hidden!r},
    parameters={parameters!r}, mode={mode!r}, solution_code={code!r},
    alternatives={alternatives!r}), default=str))
"""


def _marked(outputs: list[dict], what: str) -> dict:
    errors = _errors(outputs)
    if errors:
        raise RuntimeError(f"{what} failed: {errors[0]['ename']}: {errors[0]['evalue']}")
    from citykit.methods import MARKER

    text = _stdout(outputs)
    if MARKER not in text:
        raise RuntimeError(f"{what} printed no result: {text[-500:]}")
    return json.loads(text.rsplit(MARKER, 1)[1].splitlines()[0])


def _run_methods(root: Path, assignment: str, *, mode: str) -> dict[str, dict]:
    """Execute the solution of ``assignment`` cell by cell, running each question's methods.

    Before each question's answer cell, its mistakes and alternatives run on the namespace the
    learner has at that point; after it, the solution's own answer is judged (``verify``) or
    fingerprinted (``fingerprint``). Grade cells are not run (``_validate`` runs them). Returns,
    per question, ``{"methods": [...], "entry": {...}}``.
    """
    from citykit import check

    root = Path(root).resolve()
    notebook = _solution_notebook(root, assignment)
    env = _env(root)
    env.pop("NBGRADER_EXECUTION", None)
    if mode == "fingerprint":
        env[check._REFINGERPRINT] = "1"  # the checks must not judge by the fingerprints replaced
    kernel = _Kernel(notebook, env)
    results: dict[str, dict] = {}
    try:
        bank = check.load_bank(assignment)
        questions, parameters = _questions(kernel.nb, bank)
        grade_cells = set(_grade_cells(kernel.nb).values())
        for i, cell in enumerate(kernel.nb.cells):
            if cell.cell_type != "code" or i in grade_cells:
                continue
            question = questions.get(i)
            if question is not None:
                code = _RUN_QUESTION.format(
                    assignment=assignment,
                    qid=question.qid,
                    drop=sorted(question.drop),
                    hidden=question.hidden,
                    parameters=parameters,
                    mode=mode,
                )
                # every method and its hidden tests run in this one cell: give it time on a busy
                # machine (a cell of the notebook gets CELL_TIMEOUT)
                ran = _marked(
                    kernel.run_code(code, timeout=METHODS_TIMEOUT), f"the methods of {question.qid}"
                )
                results[question.qid] = {"methods": ran["methods"]}
            errors = _errors(kernel.run_cell(i))
            if errors:
                raise RuntimeError(
                    f"{notebook.name} cell {i} failed: {errors[0]['ename']}: {errors[0]['evalue']}"
                )
            if question is not None:
                alternatives = [
                    m for m in results[question.qid]["methods"] if m["kind"] == "alternative"
                ]
                code = _SOLUTION_ENTRY.format(
                    assignment=assignment,
                    qid=question.qid,
                    hidden=question.hidden,
                    parameters=parameters,
                    mode=mode,
                    code=question.solution_code,
                    alternatives=[
                        {"fingerprint": m.get("fingerprint"), "canonical": m.get("canonical")}
                        for m in alternatives
                    ],
                )
                entry = _marked(kernel.run_code(code), f"judging the answer to {question.qid}")
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


def _judge_methods(assignment: str, results: dict[str, dict]) -> dict:
    """Turn a verify run of :func:`_run_methods` into problems and counts."""
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


def _methods(root: str, assignment: str) -> dict:
    """Verify job: run every question's methods against the data and judge them."""
    return _judge_methods(assignment, _run_methods(Path(root), assignment, mode="verify"))


def _learner_run(path: str) -> dict:
    """Execute an untouched exercise as a learner does (Run All, no nbgrader); report what it shows."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=False,
            resources={"metadata": {"path": str(Path(path).parent)}},
        )
        try:
            client.execute()
            stopped = None
        except Exception as exc:  # Run All stops at the first error, as JupyterLab does
            stopped = f"{type(exc).__name__}: {str(exc)[-300:]}"
    finally:
        os.environ.clear()
        os.environ.update(old)
    grade = _grade_cells(nb)
    verdicts = {}
    for qid, index in grade.items():
        text = json.dumps(
            [o.get("data", {}).get("text/plain", "") for o in nb.cells[index].outputs]
        )
        verdicts[qid] = next(
            (label for label in ("Not attempted", "Not yet", "Correct") if label in text), None
        )
    last = nb.cells[-1]
    shown = json.dumps([o.get("data", {}).get("text/plain", "") for o in last.get("outputs", [])])
    return {"stopped": stopped, "verdicts": verdicts, "last": shown}


def execute_notebook(
    path: str | Path,
    output: str | Path,
    *,
    parameters: dict | None = None,
    cell_timeout: int = CELL_TIMEOUT,
    attempts: int = 2,
) -> None:
    """Execute a notebook with papermill in its own folder, writing the result to ``output``.

    A cell that gives no answer within ``cell_timeout`` seconds stops the run; the notebook is
    then run once more in a fresh kernel (``attempts=2``), because a kernel that lost a message
    waits forever though its work is done. A notebook that fails raises what papermill raises
    (``PapermillExecutionError`` names the cell and the error).

    Parameters
    ----------
    path, output : str or Path
        The notebook to run and where to write the executed copy.
    parameters : dict, optional, keyword-only
        Values for the notebook's ``parameters`` cell.
    cell_timeout : int, keyword-only
        Seconds a cell may take.
    attempts : int, keyword-only
        Runs allowed when a cell times out.

    Examples
    --------
    >>> from citykit import course
    >>> course.execute_notebook("lesson.ipynb", "build/lesson.ipynb")  # doctest: +SKIP
    """
    import papermill as pm

    Path(output).parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, attempts + 1):
        try:
            pm.execute_notebook(
                str(path),
                str(output),
                parameters=parameters or {},
                progress_bar=False,
                kernel_name="python3",
                cwd=str(Path(path).parent),
                execution_timeout=cell_timeout,
                log_output=False,
            )
            return
        except TimeoutError:  # nbclient's CellTimeoutError
            if attempt == attempts:
                raise


def _execute_lesson(path: str, output: str, parameters: dict) -> str | None:
    """Execute one lesson with papermill; return None or a description of the first error."""
    from papermill.exceptions import PapermillExecutionError

    try:
        execute_notebook(path, output, parameters=parameters)
    except PapermillExecutionError:
        nb = _read(Path(output))
        original = [
            c
            for c in nb["cells"]
            if not {"injected-parameters", "papermill-error-cell-tag"}
            & set(c.get("metadata", {}).get("tags", []))
        ]
        for i, cell in enumerate(original):
            if "raises-exception" in cell.get("metadata", {}).get("tags", []):
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    return f"cell {i}: {out['ename']}: {out['evalue']}"
        return None
    except Exception as exc:  # kernel died, bad notebook JSON, missing parameter
        return f"{type(exc).__name__}: {exc}"
    return None


def _task(kind: str, *args):
    work = {
        "validate": _validate,
        "methods": _methods,
        "learner": _learner_run,
        "lesson": _execute_lesson,
    }[kind]
    try:
        return work(*args)
    except TimeoutError:
        # a kernel that lost a message waits forever though its work is done: run once more
        return work(*args)


def verify(root: Path, *, workers: int = 2, execute: bool = True, progress: bool = True) -> Report:
    """Check every notebook of the course; return a :class:`Report`."""
    started = time.perf_counter()
    root = Path(root).resolve()
    report = Report()
    for folder in ("curriculum", "solutions", "exercises"):
        for path in _notebooks(root, folder):
            _check_clean(path, report, str(path.relative_to(root)))

    # exercises in sync with solutions
    with tempfile.TemporaryDirectory() as tmp:
        try:
            build(root, release_dir=Path(tmp))
        except RuntimeError as exc:
            report.fail("exercises regenerate from solutions", "solutions/", str(exc))
        for name in assignments(root):
            report.count("exercises in sync with solutions")
            mine, theirs = Path(tmp, name), root / "exercises" / name
            if not theirs.is_dir():
                report.fail(
                    "exercises in sync with solutions",
                    f"exercises/{name}",
                    "missing: run `citykit course build` and commit exercises/",
                )
                continue
            cmp = filecmp.dircmp(mine, theirs)
            diff = cmp.diff_files + cmp.left_only + cmp.right_only
            if diff:
                report.fail(
                    "exercises in sync with solutions",
                    f"exercises/{name}",
                    f"differs from solutions/{name} in {diff}: run `citykit course build`",
                )

    # question banks match the notebooks
    from citykit import check

    for name in assignments(root):
        report.count("question bank matches the notebook")
        try:
            bank = check.load_bank(name)
            nb = _read(_solution_notebook(root, name))
        except Exception as exc:
            report.fail("question bank matches the notebook", f"solutions/{name}", str(exc))
            continue
        graded = _grade_cells(nb)
        for qid in sorted(set(graded) - set(bank["questions"])):
            report.fail(
                "question bank matches the notebook",
                f"solutions/{name}",
                f"grade cell {qid!r} has no entry in questions/{name}.toml",
            )
        for qid in sorted(set(bank["questions"]) - set(graded)):
            report.fail(
                "question bank matches the notebook",
                f"solutions/{name}",
                f"question {qid!r} of the bank has no grade cell",
            )
        for qid, index in graded.items():
            source = "".join(nb["cells"][index]["source"])
            if not has_hidden(source):
                report.fail(
                    "question bank matches the notebook",
                    f"solutions/{name}",
                    f"grade cell {qid!r} has no hidden tests",
                )
            if "check(" not in _visible_part(source):
                report.fail(
                    "question bank matches the notebook",
                    f"solutions/{name}",
                    f"grade cell {qid!r} has no visible check(...) call",
                )
        for qid, spec in bank["questions"].items():
            if "fingerprint" not in spec.get("answer", {}):
                report.fail(
                    "question bank matches the notebook",
                    f"solutions/{name}",
                    f"{qid!r} has no fingerprint: run `citykit course fingerprint {name}`",
                )

    if execute:
        jobs = []
        for name in assignments(root):
            sol = _solution_notebook(root, name)
            jobs.append(
                (
                    "every solution passes every test",
                    str(sol.relative_to(root)),
                    ("validate", str(sol), False),
                )
            )
            for ex in sorted(Path(root, "exercises", name).glob("*.ipynb")):
                jobs.append(
                    (
                        "every untouched exercise fails every graded test",
                        str(ex.relative_to(root)),
                        ("validate", str(ex), True),
                    )
                )
                jobs.append(
                    (
                        METHODS_CHECK_LEARNER,
                        str(ex.relative_to(root)),
                        ("learner", str(ex)),
                    )
                )
            jobs.append(
                (
                    METHODS_CHECK,
                    str(sol.relative_to(root)),
                    ("methods", str(root), name),
                )
            )
        with tempfile.TemporaryDirectory() as tmp:
            for lesson in lessons(root):
                out = str(Path(tmp, lesson.parent.name, lesson.name))
                jobs.append(
                    (
                        "every lesson executes",
                        str(lesson.relative_to(root)),
                        ("lesson", str(lesson), out, {}),
                    )
                )
            _run_jobs(jobs, report, workers=workers, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def _run_jobs(jobs, report: Report, *, workers: int, progress: bool) -> None:
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="verifying notebooks", unit="nb", file=sys.stdout)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [(check, rel, pool.submit(_task, *args)) for check, rel, args in jobs]
        for check, rel, future in futures:
            report.count(check)
            try:
                result = future.result()
            except Exception as exc:
                report.fail(check, rel, f"{type(exc).__name__}: {exc}")
            else:
                _judge(check, rel, result, report)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()


def _judge(check: str, rel: str, result, report: Report) -> None:
    if check == "every solution passes every test" and result:
        failed = [c.get("source", "")[:80] for c in result.get("failed", [])]
        changed = result.get("changed", []) + result.get("type_changed", [])
        report.fail(check, rel, f"failing cells: {failed or changed or result}")
    elif check == "every untouched exercise fails every graded test" and result:
        passed = [c.get("source", "")[:80] for c in result.get("passed", [])]
        report.fail(check, rel, f"these tests pass without an answer: {passed or result}")
    elif check == METHODS_CHECK:
        for qid, message in result["problems"]:
            report.fail(check, rel, f"{qid}: {message}")
        report.notes.append(
            f"{Path(rel).parent.name}: {result['mistakes']} wrong methods and "
            f"{result['alternatives']} alternatives run against the data "
            f"({result['seconds']:.0f} s)"
        )
    elif check == METHODS_CHECK_LEARNER:
        if result["stopped"]:
            report.fail(check, rel, f"Run All stops: {result['stopped']}")
        for qid, verdict in result["verdicts"].items():
            if verdict != "Not attempted":
                report.fail(check, rel, f"{qid} shows {verdict!r}, not 'Not attempted'")
        n = len(result["verdicts"])
        if f"0 of {n} questions Correct, {n} not attempted" not in result["last"]:
            report.fail(
                check,
                rel,
                f"the last cell does not summarise every question: {result['last'][:200]}",
            )
    elif check == "every lesson executes" and result:
        report.fail(check, rel, result)


# ---------------------------------------------------------------------------------------------
# Run


def run(
    root: Path,
    *,
    data_dir: str | None = None,
    parameters: dict | None = None,
    out: Path | None = None,
    workers: int = 2,
    progress: bool = True,
    only: list[str] | None = None,
) -> Report:
    """Execute every lesson (or those whose path contains one of ``only``) into ``out``."""
    started = time.perf_counter()
    root = Path(root).resolve()
    out = Path(out) if out else root / "build" / "lessons"
    params = dict(parameters or {})
    if data_dir:
        params["data_dir"] = str(Path(data_dir).resolve())
    jobs = []
    for lesson in lessons(root):
        rel = str(lesson.relative_to(root))
        if only and not any(o in rel for o in only):
            continue
        jobs.append(
            (
                "every lesson executes",
                rel,
                ("lesson", str(lesson), str(out / lesson.parent.name / lesson.name), params),
            )
        )
    report = Report()
    _run_jobs(jobs, report, workers=workers, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


# ---------------------------------------------------------------------------------------------
# Command line


def _root(args) -> Path:
    from citykit.cli import _repo_root

    return Path(args.root).resolve() if getattr(args, "root", None) else _repo_root()


def _cmd_build(args) -> int:
    root = _root(args)
    names = build(root, assignment=args.assignment)
    print(f"Regenerated exercises/ for {len(names)} assignments: {', '.join(names)}")
    return 0


def _cmd_fingerprint(args) -> int:
    root = _root(args)
    for name in args.assignment or assignments(root):
        path = fingerprint(root, name)
        print(f"Wrote {path.name}")
    return 0


def _cmd_verify(args) -> int:
    report = verify(_root(args), workers=args.workers, execute=not args.no_execute)
    print(report)
    return 0 if report.ok else 1


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _cmd_run(args) -> int:
    params = {name: _parse_value(value) for name, value in args.parameter or []}
    report = run(
        _root(args),
        data_dir=args.data_dir,
        parameters=params,
        out=Path(args.out) if args.out else None,
        workers=args.workers,
        only=args.only,
    )
    executed = report.checked.get("every lesson executes", 0)
    print(f"Executed {executed} lessons in {report.seconds:.0f} s; {len(report.problems)} failed.")
    for p in report.problems:
        print(f"  FAILED {p.notebook}: {p.message}")
    return 0 if report.ok else 1


def add_course_parser(sub) -> None:
    """Add the ``course`` sub-command (build, fingerprint, verify, run) to ``sub``."""
    parser = sub.add_parser("course", help="build, verify or run the course notebooks")
    parser.add_argument("--root", help="course repository (default: found from the current folder)")
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("build", help="regenerate exercises/ from solutions/")
    p.add_argument("assignment", nargs="?", help="one assignment (default: all)")
    p.set_defaults(func=_cmd_build)
    p = actions.add_parser("fingerprint", help="write answer fingerprints from the solutions")
    p.add_argument("assignment", nargs="*", help="assignments (default: all)")
    p.set_defaults(func=_cmd_fingerprint)
    p = actions.add_parser("verify", help="check every notebook (non-zero exit on failure)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-execute", action="store_true", help="skip executing notebooks")
    p.set_defaults(func=_cmd_verify)
    p = actions.add_parser("run", help="execute the lessons with papermill into build/")
    p.add_argument("--data-dir", help="a folder with your own city's tables")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a lesson parameter (repeatable)",
    )
    p.add_argument("--out", help="output folder (default build/lessons)")
    p.add_argument("--only", nargs="*", help="run only lessons whose path contains these")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=_cmd_run)

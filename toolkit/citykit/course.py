"""Build, verify and run the course: nbgrader for exercises, papermill for lessons.

``citykit course build``
    regenerates ``exercises/`` from ``solutions/`` with ``nbgrader generate_assignment``
    (deterministic, so a clean checkout stays clean).
``citykit course fingerprint ASSIGNMENT``
    executes the solution notebook and writes the answer fingerprints the learner-facing checks
    compare against (``citykit/questions/<assignment>.answers.json``).
``citykit course verify``
    checks every notebook: exercises in sync with solutions; every solution passes every test
    (nbgrader's ``Validator`` from Python, because the ``nbgrader validate`` command exits 0 even
    on failure); every untouched exercise fails every graded test; a plausible wrong answer to
    every question fails its check; no outputs or execution counts in git; a papermill
    ``parameters`` cell in every notebook; every lesson executes. Non-zero exit on any failure.
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

    def run_code(self, code: str) -> list[dict]:
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        self.nb.cells.append(cell)
        index = len(self.nb.cells) - 1
        try:
            self.client.execute_cell(cell, index)
        finally:
            self.nb.cells.pop()
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
    keep, hidden = [], False
    for line in source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            keep.append(line)
    return "\n".join(keep)


_FINGERPRINT_CODE = r"""
import json as _json
from citykit import check as _check
_bank = _check.load_bank({assignment!r})
_out = {{}}
for _qid, _spec in _bank["questions"].items():
    _kind = _spec.get("kind", "number")
    _value = globals().get(_spec["variable"])
    _val = _check.Exercise._call_cases(_spec, _value) if _kind == "function" else _value
    _k = "list" if _kind == "function" else _kind
    _shape = _check.describe_value(_value) if _kind != "function" else {{}}
    if _kind in ("integer", "number", "text", "bool", "choice"):
        _shape = {{}}
    _cols = _shape.get("columns") if _kind == "frame" else None
    _q = {assignment!r} + "/" + _qid
    _fp = lambda v: _check.fingerprint(v, question=_q, kind=_k, digits=int(_spec.get("digits", 6)),
                                       ordered=bool(_spec.get("ordered", False)), columns=_cols)
    _entry = {{"fingerprint": _fp(_val), "shape": _shape, "mistakes": []}}
    if _kind == "number":
        _entry["coarse"] = _check.fingerprint(_value, question=_q, kind="number", digits=2)
    for _m in _spec.get("mistakes", []):
        _wrong = eval(_m["code"], globals())
        _wrong = _check.Exercise._call_cases(_spec, _wrong) if _kind == "function" else _wrong
        _entry["mistakes"].append(_fp(_wrong))
    _out[_qid] = _entry
print("CITYKIT-FINGERPRINTS " + _json.dumps(_out, sort_keys=True))
"""


def _solution_notebook(root: Path, assignment: str) -> Path:
    found = sorted(Path(root, "solutions", assignment).glob("*.ipynb"))
    if len(found) != 1:
        raise RuntimeError(
            f"solutions/{assignment} must hold exactly one notebook, found {len(found)}"
        )
    return found[0]


def fingerprint(root: Path, assignment: str) -> Path:
    """Execute the solution of ``assignment`` and write its answer fingerprints; return the file."""
    from citykit import check

    root = Path(root).resolve()
    notebook = _solution_notebook(root, assignment)
    env = _env(root)
    env[check._REFINGERPRINT] = "1"  # the checks must not judge by the fingerprints being replaced
    kernel = _Kernel(notebook, env)
    try:
        for i, cell in enumerate(kernel.nb.cells):
            if cell.cell_type != "code":
                continue
            errors = _errors(kernel.run_cell(i))
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if errors and not (meta.get("grade") and errors[0]["ename"] in ("CityKitError",)):
                if meta.get("grade") and "fingerprint" in errors[0].get("evalue", ""):
                    continue  # a check run before its fingerprint exists
                raise RuntimeError(
                    f"{notebook.name} cell {i} failed: {errors[0]['ename']}: {errors[0]['evalue']}"
                )
        outputs = kernel.run_code(_FINGERPRINT_CODE.format(assignment=assignment))
    finally:
        kernel.close()
    errors = _errors(outputs)
    if errors:
        raise RuntimeError(
            f"fingerprinting {assignment} failed: {errors[0]['ename']}: {errors[0]['evalue']}"
        )
    text = _stdout(outputs)
    payload = json.loads(text.split("CITYKIT-FINGERPRINTS ", 1)[1])
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


def _wrong_answers(root: str, assignment: str) -> list[tuple[str, str]]:
    """Feed every question's plausible wrong answers; return (question, problem) for each miss."""
    from citykit import check

    notebook = _solution_notebook(Path(root), assignment)
    bank = check.load_bank(assignment)
    kernel = _Kernel(notebook, _env(Path(root)))
    problems = []
    try:
        grade = _grade_cells(kernel.nb)
        for i, cell in enumerate(kernel.nb.cells):
            if cell.cell_type == "code":
                kernel.run_cell(i)
        for qid, spec in bank["questions"].items():
            if qid not in grade:
                problems.append((qid, "no grade cell with this grade_id in the solution"))
                continue
            visible = _visible_part(kernel.nb.cells[grade[qid]].source)
            if not spec.get("mistakes"):
                problems.append((qid, "the question bank lists no plausible mistake to test"))
            for mistake in spec.get("mistakes", []):
                var = spec["variable"]
                code = (
                    f"_saved = {var}\n{var} = eval({mistake['code']!r})\n"
                    f"try:\n    _failed = False\n"
                    + "\n".join("    " + line for line in visible.splitlines())
                    + f"\nexcept AssertionError:\n    _failed = True\nfinally:\n    {var} = _saved\n"
                    "print('CITYKIT-WRONG', _failed)"
                )
                out = kernel.run_code(code)
                errs = _errors(out)
                text = _stdout(out)
                html = json.dumps([o.get("data", {}) for o in out])
                if errs:
                    problems.append(
                        (
                            qid,
                            f"wrong answer {mistake['code']!r} raised "
                            f"{errs[0]['ename']}: {errs[0]['evalue']}",
                        )
                    )
                elif "CITYKIT-WRONG True" not in text:
                    problems.append(
                        (qid, f"the check accepted the wrong answer {mistake['code']!r}")
                    )
                elif json.dumps(mistake["feedback"])[1:-1][:40] not in html:
                    problems.append(
                        (
                            qid,
                            f"the check failed {mistake['code']!r} but did not show "
                            "its feedback (refresh fingerprints?)",
                        )
                    )
    finally:
        kernel.close()
    return problems


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
    work = {"validate": _validate, "wrong": _wrong_answers, "lesson": _execute_lesson}[kind]
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
            if "### BEGIN HIDDEN TESTS" not in source:
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
                    "a plausible wrong answer fails its check",
                    str(sol.relative_to(root)),
                    ("wrong", str(root), name),
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
    elif check == "a plausible wrong answer fails its check":
        for qid, message in result:
            report.fail(check, rel, f"{qid}: {message}")
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

"""Grade a whole cohort: intake, preflight, isolated parallel autograde, feedback, report.

:func:`grade` is what ``citykit grade`` runs. It is resumable: a student with a journal row for
the assignment is skipped unless ``force=True``; a run killed at any point loses nothing and
counts nothing twice (see :mod:`citykit.grading.gradebook`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from citykit.errors import did_you_mean
from citykit.grading.gradebook import (
    build_template,
    commit_student,
    ensure_assignment,
    graded_students,
)
from citykit.grading.intake import import_submissions
from citykit.grading.layout import CourseLayout, GradingSetupError, load_course
from citykit.grading.processes import UidLease
from citykit.grading.records import StudentOutcome, StudentResult, VariantReference, WorkerContext
from citykit.grading.run import STATUS_ORDER, WorkerPool, start_zygotes, stop_zygotes
from citykit.grading.sandbox import detect_sandbox, probe_user_switch
from citykit.grading.zygote import given_modules

__all__ = ["GradingSummary", "StudentOutcome", "grade"]

DEFAULT_LIMITS = {"cpu_seconds": 600, "memory_mb": 4096, "file_mb": 200, "processes": 256}


@dataclass(frozen=True)
class GradingSummary:
    """What a :func:`grade` run did.

    Attributes
    ----------
    assignment : str
        The assignment graded.
    outcomes : tuple of StudentOutcome
        Students graded in this run.
    skipped : tuple of str
        Students already graded in an earlier run (not re-graded without ``force``).
    report : dict
        Paths of the report files (``html``, ``students_csv``, ``questions_csv``, ``grades_csv``).
    sandbox : tuple of str
        What was and was not protected.
    """

    assignment: str
    outcomes: tuple
    skipped: tuple
    report: dict = field(default_factory=dict)
    sandbox: tuple = ()

    def by_student(self) -> dict:
        """Outcomes keyed by student id."""
        return {o.student: o for o in self.outcomes}

    def counts(self) -> dict:
        """Number of students per status."""
        out: dict = {}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: STATUS_ORDER.index(kv[0])))

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts().items()) or "nobody new"
        return (
            f"GradingSummary({self.assignment}: {len(self.outcomes)} graded ({counts}), "
            f"{len(self.skipped)} already graded)"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{o.student}</td><td>{o.status}</td><td>{o.auto_score:g}/{o.max_score:g}</td></tr>"
            for o in self.outcomes
        )
        return f"<table><tr><th>student</th><th>status</th><th>points</th></tr>{rows}</table>"


def _with_venv_path() -> None:
    """Nbgrader runs ``alembic`` for a new gradebook: put this interpreter's bin dir first."""
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[0] != bindir:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def _quiet_logger(path: Path):
    import logging

    log = logging.getLogger("citykit.grading.setup")
    log.handlers.clear()
    log.propagate = False
    log.addHandler(logging.FileHandler(path))
    log.setLevel(logging.WARNING)
    return log


def _commit_files(layout: CourseLayout, result: StudentResult) -> None:
    """Move the autograded notebooks and feedback into the course, replacing older ones."""
    root = Path(result.root)
    sid, aid = result.student, result.assignment
    staging_root = layout.grading / ".staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    for step, dest_root, patterns in (
        ("autograded", layout.autograded, ("*.ipynb", "timestamp.txt", "submission_secret.txt")),
        ("feedback", layout.feedback, ("*.html", "timestamp.txt", "submission_secret.txt")),
    ):
        src = root / step / sid / aid
        if not src.is_dir():
            continue
        staging = staging_root / uuid.uuid4().hex
        staging.mkdir()
        for pattern in patterns:
            for path in src.glob(pattern):
                if path.is_file() and not path.is_symlink():
                    shutil.copyfile(path, staging / path.name)
        _carry_secret(layout.submitted / sid / aid, staging)
        dest = dest_root / sid / aid
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            trash = staging_root / f"old-{uuid.uuid4().hex}"
            os.replace(dest, trash)
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(staging, dest)


def _carry_secret(submitted: Path, staging: Path) -> None:
    """Copy ``submission_secret.txt`` (``nbgrader submit`` writes it) next to the grades.

    ``nbgrader release_feedback`` names each released feedback file with it, and stops without
    it; nbgrader's own autograde and generate_feedback carry it the same way.
    """
    secret = submitted / "submission_secret.txt"
    if secret.is_file() and not secret.is_symlink() and secret.stat().st_size <= 4096:
        shutil.copyfile(secret, staging / secret.name)


def _clean_stale_runs(base: Path) -> None:
    for folder in base.glob("citykit-grade-*"):
        pid_file = folder / "pid"
        try:
            pid = int(pid_file.read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue


def git_folders(root) -> list[str]:
    """The git folders of the course (its history holds every solution): hidden from kernels.

    Looks at ``root`` and its parents; a ``.git`` file (a worktree) names its real folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> (base / ".git").mkdir()
    >>> git_folders(base / "course") == [str(base / ".git")]
    True
    """
    found = []
    for folder in [Path(root), *Path(root).parents]:
        dot = folder / ".git"
        if dot.is_dir() and not dot.is_symlink():
            found.append(str(dot))
        elif dot.is_file():
            try:
                text = dot.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if text.startswith("gitdir:"):
                target = Path(folder, text[len("gitdir:") :].strip()).resolve()
                if target.is_dir():
                    found.append(str(target))
                    common = target / "commondir"
                    if common.is_file():
                        shared = Path(target, common.read_text().strip()).resolve()
                        if shared.is_dir():
                            found.append(str(shared))
    return list(dict.fromkeys(found))


def _feedback_with_manual_grades(layout, template, result: StudentResult) -> StudentResult:
    """Re-write a re-graded student's feedback from the course gradebook.

    The worker's feedback knows only the automatic scores; the course gradebook also holds
    the manual scores and comments entered in the formgrader, which ``--force`` keeps.
    """
    from citykit.grading.run import write_feedback

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            write_feedback(
                layout,
                template,
                result.student,
                autograded=layout.autograded,
                feedback=layout.feedback,
                db_url=layout.db_url,
            )
    except Exception as exc:  # the grade is recorded; say why the feedback is older
        return result.with_note(
            f"feedback with manual scores could not be written ({type(exc).__name__}: {exc})"
        )
    return result


def _keep_log(layout, result: StudentResult) -> StudentResult:
    """Keep the grading log of a student whose status is not "ok" with the results.

    The per-student folder is deleted after each student; its log (the real cause of an
    ``error``, with the traceback) is copied to ``_grading/logs/<assignment>/<student>.log``
    and the notes say where.
    """
    logs = layout.grading / "logs" / result.assignment
    text = result.log or ""
    if result.root:
        source = Path(result.root) / "grading.log"
        if source.is_file() and not source.is_symlink():
            text = source.read_text(encoding="utf-8", errors="replace")[-200_000:] + text
    if not text.strip():
        return result
    logs.mkdir(parents=True, exist_ok=True)
    dest = logs / f"{result.student}.log"
    dest.write_text(text, encoding="utf-8")
    return result.with_note(f"details: {dest.relative_to(layout.root)}")


def grade(
    assignment: str,
    *,
    course_root=None,
    submissions=None,
    workers: int = 2,
    timeout: float | None = None,
    students=None,
    force: bool = False,
    db_url: str | None = None,
    progress: bool = False,
    feedback: bool = True,
    report: bool = True,
    limits: dict | None = None,
    variant_seed: int | None = None,
    variant_scale: float = 1.0,
) -> GradingSummary:
    """Grade every (or the selected) student's submission of ``assignment``.

    Parameters
    ----------
    assignment : str
        Assignment name (a folder of the course's source folder).
    course_root : path-like, optional
        The nbgrader course root (default: the current folder).
    submissions : path-like, optional
        A folder or LMS zip to import into the submitted folder first.
    workers : int
        Parallel grading processes.
    timeout : float, optional
        Seconds a code cell may run (default: the course's ``Execute.timeout``, else 60).
    students : sequence of str, optional
        Only these students.
    force : bool
        Re-grade students already graded (manual grades are kept).
    db_url : str, optional
        Gradebook URL replacing the course's (e.g. PostgreSQL).
    progress : bool
        Show a progress bar with ETA on stderr.
    feedback, report : bool
        Write feedback HTML / the cohort report.
    limits : dict, optional
        Kernel resource limits (``cpu_seconds``, ``memory_mb``, ``file_mb``, ``processes``).
    variant_seed : int, optional
        Also run each submission on a sample city built with this seed; a question keeps its
        points only if its answers there equal the solution's (see
        :mod:`citykit.grading.variant`). Off by default (it doubles the execution time).
    variant_scale : float
        The size of the variant city (1, the default, is the sample city's).

    Returns
    -------
    GradingSummary
        Per-student outcomes and report paths.
    """
    _with_venv_path()
    layout = load_course(course_root, db_url=db_url)
    timeout = _check_arguments(layout, assignment, workers=workers, timeout=timeout)
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    run_dir = _new_run_dir(layout)
    run_id = uuid.uuid4().hex[:12]
    zygotes: dict = {}
    try:
        log = _quiet_logger(run_dir / "setup.log")
        probe = probe_user_switch()
        # the kernel zygotes import while the template, the gradebook and the hidden tests are
        # prepared; the worker pool takes them over
        zygotes = start_zygotes(
            run_dir,
            _workers_needed(
                layout,
                assignment,
                workers=workers,
                students=students,
                force=force,
                submissions=submissions,
            ),
            modules=given_modules(layout.source / assignment),
        )
        template = build_template(layout, assignment, run_dir / "template", log=log)
        if submissions is not None:
            _import(layout, assignment, submissions, template)
        ensure_assignment(layout, template, log=log)
        todo, skipped = _students_to_grade(layout, assignment, students=students, force=force)
        sensitive = _sensitive_folders(layout)
        plan = detect_sandbox(
            limits=limits, sensitive=sensitive, probe=probe.result(), run_dir=run_dir
        )
        plan, lease = _lease_user_ids(plan, workers=workers, students=len(todo))
        outcomes = []
        if todo:
            ctx = WorkerContext(
                layout=layout,
                template=template,
                run_dir=str(run_dir),
                timeout=timeout,
                plan=plan,
                hide=sensitive,
                feedback=feedback,
                variant=None
                if variant_seed is None
                else _variant_reference(
                    layout, template, run_dir, seed=variant_seed, scale=variant_scale
                ),
            )
            n = len(lease.uids) if lease else workers
            outcomes = _grade_all(
                ctx,
                todo,
                workers=n,
                zygotes=zygotes,
                run_id=run_id,
                force=force,
                progress=progress,
                report=report,
            )
        paths = _report(layout, assignment, outcomes, plan) if report else {}
        outcomes = tuple(sorted(outcomes, key=lambda o: o.student))
        return GradingSummary(assignment, outcomes, skipped, paths, plan.notes)
    finally:
        stop_zygotes(zygotes)  # those no worker took over
        if "probe" in locals():
            probe.result()  # let the probe remove its own temporary folder
        if locals().get("lease"):
            lease.release()
        shutil.rmtree(run_dir, ignore_errors=True)


def _check_arguments(layout, assignment: str, *, workers: int, timeout) -> float:
    """Refuse an unknown assignment or no workers; return the per-cell CPU limit."""
    known = layout.assignments()
    if assignment not in known:
        hint = did_you_mean(assignment, known)
        raise GradingSetupError(
            f"assignment {assignment!r} not found in {layout.source}; the assignments are: "
            f"{', '.join(known) or 'none'}.{(' ' + hint) if hint else ''}"
        )
    if workers < 1:
        raise GradingSetupError(f"--workers must be 1 or more, got {workers}")
    if timeout is None:
        timeout = layout.config.get("Execute", {}).get("timeout", 60) or 60
    return timeout


def _new_run_dir(layout) -> Path:
    """The run's private folder (stale folders of dead runs are removed first)."""
    layout.grading.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.gettempdir())
    _clean_stale_runs(base)
    run_dir = Path(tempfile.mkdtemp(prefix="citykit-grade-", dir=base))
    os.chmod(run_dir, 0o711)
    (run_dir / "pid").write_text(str(os.getpid()))
    (run_dir / "students").mkdir(mode=0o711)
    os.chmod(run_dir / "students", 0o711)
    return run_dir


def _import(layout, assignment: str, submissions, template) -> None:
    intake = import_submissions(submissions, layout, assignment, notebooks=template.notebooks)
    if intake.skipped:
        (layout.grading / f"{assignment}-intake-skipped.txt").write_text(
            "\n".join(intake.skipped) + "\n"
        )


def _students_to_grade(layout, assignment: str, *, students, force: bool):
    """The students to grade now and those already graded (kept unless ``force``)."""
    everyone = layout.students(assignment)
    if students:
        unknown = [s for s in students if s not in everyone]
        if unknown:
            raise GradingSetupError(
                f"no submission of {assignment!r} from {', '.join(map(repr, unknown))} in "
                f"{layout.submitted}; students with a submission: "
                f"{', '.join(everyone) or 'none'}"
            )
        everyone = [s for s in everyone if s in set(students)]
    done = graded_students(layout, assignment)
    todo = [s for s in everyone if force or s not in done]
    return todo, tuple(s for s in everyone if s not in todo)


def _sensitive_folders(layout) -> tuple:
    """Folders the kernel must not see: solutions, grading, submissions, gradebook, git."""
    db_dir = []
    if layout.db_url.startswith("sqlite:///"):
        db_dir = [str(Path(layout.db_url[len("sqlite:///") :]).parent)]
    return tuple(
        dict.fromkeys(
            [str(layout.source), str(layout.grading), str(layout.submitted)]
            + [str(layout.autograded), str(layout.feedback), *db_dir]
            + git_folders(layout.root)
        )
    )


def _workers_needed(layout, assignment: str, *, workers, students, force, submissions) -> int:
    """How many workers the run will use, as far as known before the template is built."""
    if submissions is not None:  # imported once the template is built
        return workers
    found = set(layout.students(assignment))
    if students:
        found &= set(students)
    if found and not force and _gradebook_exists(layout):
        found -= graded_students(layout, assignment)
    return min(workers, len(found))


def _gradebook_exists(layout) -> bool:
    """False for a SQLite gradebook not created yet (opening it would create an empty one)."""
    if layout.db_url.startswith("sqlite:///"):
        return Path(layout.db_url[len("sqlite:///") :]).is_file()
    return True


def _lease_user_ids(plan, *, workers: int, students: int):
    """Lease one sandbox user id per worker when kernels switch user (else no lease)."""
    if not plan.switch_user:
        return plan, None
    lease = UidLease(min(workers, max(1, students)))
    if not lease.uids:
        raise GradingSetupError(
            "every sandbox user id is in use by other grading runs; wait for them to "
            "finish or set CITYKIT_SANDBOX_UID_BASE to another free range"
        )
    return dataclasses.replace(plan, uids=tuple(lease.uids)), lease


def _grade_all(
    ctx: WorkerContext, todo, *, workers, zygotes, run_id, force, progress, report
) -> list:
    """Grade ``todo`` in a worker pool, recording each student as soon as it is done."""
    from tqdm import tqdm

    template = ctx.template
    budget = float(ctx.timeout) * (template.code_cells + 3) + 120
    bar = tqdm(
        total=len(todo),
        desc=f"grading {template.assignment}",
        unit="student",
        file=sys.stderr,
        disable=not progress,
        smoothing=0.1,
    )
    pool = WorkerPool(min(workers, len(todo)), ctx, budget=budget, zygotes=zygotes)
    outcomes = []
    try:
        _prepare_trusted(template)  # meanwhile, once, for the workers to inherit
        pool.start()
        if report:
            _warm_report_imports()
        for result in pool.run(todo):
            result = _record(ctx, result, run_id=run_id, force=force)
            outcomes.append(result.outcome())
            bar.set_postfix_str(f"{result.student}: {result.status}", refresh=False)
            bar.update(1)
    finally:
        bar.close()
        pool.close()
    return outcomes


def _prepare_trusted(template) -> None:
    """Run the source notebooks' given cells for the hidden tests once, before the workers fork.

    Each worker evaluates the hidden tests on the names these cells bind (imports, parameters,
    data; :func:`citykit.grading.trusted.trusted_notebook`). Prepared here, in the grader, from
    the instructor's notebooks only, the workers inherit the result instead of each running the
    cells again (seconds per worker: the analytics packages' imports and the data).
    """
    from citykit.grading.trusted import trusted_notebook

    for name in template.notebooks:
        path = Path(template.source_files) / f"{name}.ipynb"
        if path.is_file():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    trusted_notebook(path)
            except Exception:  # each worker tries again and reports it with the student
                pass


def _record(ctx: WorkerContext, result: StudentResult, *, run_id: str, force: bool):
    """Move one student's files into the course and commit grades and journal row together."""
    layout = ctx.layout
    if result.status != "error":
        try:
            _commit_files(layout, result)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                commit_student(layout, result, run_id=run_id)
        except Exception as exc:  # a gradebook problem stops no one else
            result = result.failed(
                f"could not be saved in the gradebook ({type(exc).__name__}: "
                f"{exc}); nothing was recorded -- run again to retry"
            )
        else:
            with open(layout.grading / "journal.jsonl", "a") as journal:
                journal.write(json.dumps(_journal_line(result, run_id)) + "\n")
            if force and ctx.feedback:
                result = _feedback_with_manual_grades(layout, ctx.template, result)
    if result.status not in ("ok", "repaired"):
        result = _keep_log(layout, result)
    if result.root:
        shutil.rmtree(result.root, ignore_errors=True)
    return result


def _report(layout, assignment: str, outcomes, plan) -> dict:
    from citykit.grading.report import write_report

    try:
        return write_report(layout, assignment, outcomes=outcomes, sandbox=plan.notes)
    except Exception as exc:  # the grades are saved; say why the report is missing
        return {"report_error": f"{type(exc).__name__}: {exc}"}


def _variant_reference(
    layout, template, run_dir: Path, *, seed: int, scale: float
) -> VariantReference:
    """Build (or reuse) the variant city and the solution's answers on it."""
    from citykit.grading.variant import answers_on_variant, build_variant

    data_dir = build_variant(layout.grading, seed=seed, scale=scale)
    reference = {}
    for name in template.notebooks:
        source = Path(template.source_files) / f"{name}.ipynb"
        if source.is_file():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reference[name] = answers_on_variant(
                    source,
                    data_dir=data_dir,
                    source_dir=template.source_files,
                    work_dir=run_dir / "variant-reference" / name,
                )
    return VariantReference(str(data_dir), reference)


def _warm_report_imports() -> None:
    """Import the plotting libraries in the background while workers grade (after forking)."""
    import threading

    def work() -> None:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot
            import seaborn  # noqa: F401
        except Exception:  # the report imports them again and reports any problem
            pass

    threading.Thread(target=work, daemon=True).start()


def _journal_line(result: StudentResult, run_id: str) -> dict:
    return {
        "run": run_id,
        "assignment": result.assignment,
        "student": result.student,
        "status": result.status,
        "auto_score": result.auto_score,
        "max_score": result.max_score,
        "notes": list(result.notes),
    }

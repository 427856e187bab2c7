"""Autograde one student in a private folder, and a pool of worker processes that does it.

Each student is graded in ``<run>/students/<slot>-<student>-<random>/``, a complete miniature
nbgrader course: a copy of the template gradebook, the non-notebook files of the source folder,
and the student's preflighted notebooks. No solutions notebook is ever copied there. nbgrader's
``Autograde`` and the feedback exporter run *in* the long-lived worker process (nbgrader and
Jupyter are imported once per worker, not once per student), the kernel starts through
:mod:`citykit.grading.sandbox`.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import logging
import multiprocessing
import os
import shutil
import signal
import time
import traceback
import uuid
import warnings
from multiprocessing.connection import wait
from pathlib import Path

import nbformat

from citykit.grading.gradebook import Template, read_student_grades
from citykit.grading.preflight import preflight_file
from citykit.grading.preprocessors import (
    DID_NOT_RUN,
    KERNEL_DIED,
    TYPED_IN,
    CapOutputs,
    RedactHiddenTests,
    SafeExecute,
    StripWarnings,
)
from citykit.grading.processes import SANDBOX_GID, kill_user_processes
from citykit.grading.records import StudentResult, WorkerContext
from citykit.grading.sandbox import socket_folder, write_kernelspec

__all__ = [
    "STATUS_ORDER",
    "WorkerPool",
    "grade_student",
    "start_zygotes",
    "stop_zygotes",
    "wall_backstop",
    "write_feedback",
]

#: Statuses from most to least serious; a student's status is the most serious that applies.
STATUS_ORDER = (
    "error",
    "unreadable",
    "missing",
    "kernel_died",
    "timeout",
    "memory",
    "exited",
    "repaired",
    "ok",
)
_FLAG_BY_ENAME = {
    "CellTimeoutError": ("timeout", "a cell ran longer than the time limit and was stopped"),
    KERNEL_DIED: ("kernel_died", "the kernel stopped (exit, kill or memory); later cells got 0"),
    "MemoryError": ("memory", "the code hit the memory limit"),
    "SystemExit": ("exited", "the code called sys.exit(); the kernel kept running"),
}


def wall_backstop(cpu_seconds: float) -> int:
    """Wall-clock seconds after which a cell is stopped even if it used little CPU.

    Examples
    --------
    Five times the CPU limit (a cell keeps its limit while it gets a fifth of a core), and at
    least 30 s more than it.

    Examples
    --------
    >>> wall_backstop(5), wall_backstop(60)
    (35, 300)
    """
    return int(max(5 * float(cpu_seconds), float(cpu_seconds) + 30))


def _worst(statuses) -> str:
    return min(statuses, key=STATUS_ORDER.index)


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                sha.update(str(path.relative_to(folder)).encode())
                sha.update(path.read_bytes())
    return sha.hexdigest()


def _logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"citykit.grading.worker.{os.getpid()}")
    log.handlers.clear()
    log.propagate = False
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log


def _config(ctx: WorkerContext, root: Path, student: str):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    config = ctx.layout.fresh_config()
    course = config.CourseDirectory
    course.root = str(root)
    course.source_directory = "source"
    course.release_directory = "release"
    course.submitted_directory = "submitted"
    course.autograded_directory = "autograded"
    course.feedback_directory = "feedback"
    course.db_url = f"sqlite:///{root / 'gradebook.db'}"
    course.course_id = ctx.layout.course_id
    course.assignment_id = ctx.template.assignment
    course.student_id = student
    # the limit is the kernel's CPU time per cell; wall clock is only a generous backstop
    config.SafeExecute.cpu_timeout = float(ctx.timeout)
    config.SafeExecute.timeout = wall_backstop(ctx.timeout)
    config.SafeExecute.source_dir = str(ctx.template.source_files)
    config.SafeExecute.sandbox_uid = ctx.uid
    config.SafeExecute.extra_arguments = []
    config.Autograde.autograde_preprocessors = [
        SafeExecute,
        StripWarnings,
        CapOutputs,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    return config


_EXPORTERS: dict = {}
#: Files of a submission carried to its autograded and feedback folders (``release_feedback``
#: needs both: the time stamp and the secret that names the feedback file).
_CARRIED = ("timestamp.txt", "submission_secret.txt")


def _feedback_exporter(layout):
    """One HTML exporter per worker, with nbgrader's feedback template (compiled once)."""
    if "html" not in _EXPORTERS:
        from nbconvert.exporters import HTMLExporter
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.converters import generate_feedback
        from nbgrader.preprocessors import GetGrades

        config = layout.fresh_config()
        base = Path(generate_feedback.__file__).resolve().parent.parent / "server_extensions"
        if "template_name" not in config.HTMLExporter:
            config.HTMLExporter.template_name = "feedback"
        if "extra_template_basedirs" not in config.HTMLExporter:
            config.HTMLExporter.extra_template_basedirs = [str(base / "formgrader" / "templates")]
        css = base / "formgrader" / "static" / "node_modules" / "bootstrap" / "dist" / "css"
        config.HTMLExporter.extra_template_paths = [str(css)]
        exporter = HTMLExporter(config=config)
        for preprocessor in (GetGrades, CSSHTMLHeaderPreprocessor, RedactHiddenTests):
            exporter.register_preprocessor(preprocessor, enabled=True)
        _EXPORTERS["html"] = exporter
    return _EXPORTERS["html"]


def write_feedback(
    layout, template, student: str, *, autograded: Path, feedback: Path, db_url: str
) -> None:
    """Feedback HTML like ``nbgrader generate_feedback``, with hidden tests redacted.

    Scores and comments come from the gradebook at ``db_url``: the private one of the run
    while grading, the course's after it (manual scores and comments of the formgrader).

    Parameters
    ----------
    layout : CourseLayout
        The course.
    template : Template
        The assignment.
    student : str
        The student id.
    autograded, feedback : Path
        The folders holding ``<student>/<assignment>/`` autograded notebooks and feedback.
    db_url : str
        The gradebook to read scores and comments from.
    """
    aid = template.assignment
    source = autograded / student / aid
    dest = feedback / student / aid
    dest.mkdir(parents=True, exist_ok=True)
    exporter = _feedback_exporter(layout)
    for name in template.notebooks:
        path = source / f"{name}.ipynb"
        if not path.is_file():
            continue
        resources = {
            "unique_key": name,
            "output_files_dir": f"{name}_files",
            "metadata": {"name": name, "path": str(source)},
            "nbgrader": {
                "notebook": name,
                "assignment": aid,
                "student": student,
                "db_url": db_url,
            },
        }
        body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4), resources)
        (dest / f"{name}.html").write_text(body, encoding="utf-8")
    for carried in _CARRIED:
        if (source / carried).is_file() and not (source / carried).is_symlink():
            shutil.copyfile(source / carried, dest / carried)


def _write_feedback(ctx: WorkerContext, root: Path, student: str) -> None:
    write_feedback(
        ctx.layout,
        ctx.template,
        student,
        autograded=root / "autograded",
        feedback=root / "feedback",
        db_url=f"sqlite:///{root / 'gradebook.db'}",
    )


def _bad_timestamp(path: Path) -> str | None:
    """Why nbgrader cannot read ``timestamp.txt`` as a time, or None when it can (or is absent)."""
    if not path.is_file():
        return None
    from nbgrader.utils import parse_utc

    text = path.read_text(encoding="utf-8", errors="replace").strip()
    try:
        parse_utc(text)
    except Exception as exc:  # dateutil raises several kinds
        return (
            f"timestamp.txt ({text[:40]!r}) is not a time ({type(exc).__name__}): graded "
            "without a submission time (no late penalty)"
        )
    return None


def _execution_flags(folder: Path, template: Template) -> tuple[set, list]:
    statuses, notes = set(), []
    for name in template.notebooks:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            where = f" ({gid})" if gid else ""
            for output in cell.get("outputs", []):
                if output.output_type == "error" and output.ename in _FLAG_BY_ENAME:
                    status, text = _FLAG_BY_ENAME[output.ename]
                    statuses.add(status)
                    notes.append(text + where)
                elif output.output_type == "error" and output.ename == DID_NOT_RUN:
                    pass
                elif (
                    output.output_type == "stream"
                    and output.name == "stderr"
                    and cell.metadata.get("nbgrader", {}).get("grade")
                ):
                    notes.append(f"a test cell wrote to stderr{where}: nbgrader scores it 0")
    return statuses, list(dict.fromkeys(notes))


def _check_variant(ctx: WorkerContext, root: Path, student: str, config) -> list[str]:
    """Run the submission on the variant city; zero the questions whose answers do not follow.

    A question that passed on the sample city but whose answer on the variant differs from the
    solution's loses its automatic points, with a note in the results and in its test cell.
    """
    from nbgrader.api import Gradebook

    from citykit.grading.variant import (
        VARIANT_NOTE,
        answers_on_variant,
        typed_in_questions,
        unchecked_questions,
    )

    variant, template = ctx.variant, ctx.template
    aid = template.assignment
    data = root / "variant-city"
    if not data.is_dir():
        shutil.copytree(variant.data_dir, data)
    notes, zeroed = [], {}
    for name in template.notebooks:
        reference = variant.reference.get(name)
        path = root / "submitted" / student / aid / f"{name}.ipynb"
        if not reference or not path.is_file():
            continue
        answers = answers_on_variant(
            path,
            data_dir=data,
            source_dir=template.source_files,
            work_dir=root / "variant-run" / name,
            config=config,
        )
        zeroed[name] = typed_in_questions(reference, answers)
        prefix = f"{name}.ipynb: " if len(template.notebooks) > 1 else ""
        notes += [prefix + note for note in unchecked_questions(reference)]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for name, gids in zeroed.items():
            lost = []
            for gid in gids:
                grade = gb.find_grade(gid, name, aid, student)
                if (grade.auto_score or 0) > 0:
                    grade.auto_score = 0.0
                    lost.append(gid)
            gb.db.commit()
            prefix = f"{name}.ipynb: " if len(template.notebooks) > 1 else ""
            notes += [f"{prefix}{gid}: {VARIANT_NOTE}" for gid in lost]
            if lost:
                _mark_cells(root / "autograded" / student / aid / f"{name}.ipynb", lost)
    return notes


def _mark_cells(path: Path, gids) -> None:
    """Say in the autograded notebook's test cells why they lost their points."""
    from citykit.grading.variant import VARIANT_NOTE

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in gids:
            message = (
                f"{VARIANT_NOTE} On another sample city (another seed) this answer differs "
                "from the solution's, so it was not computed from the data."
            )
            cell.outputs.append(
                nbformat.NotebookNode(
                    output_type="error",
                    ename=TYPED_IN,
                    evalue=message,
                    traceback=[f"{TYPED_IN}: {message}"],
                )
            )
    nbformat.write(nb, path)


def grade_student(ctx: WorkerContext, student: str) -> StudentResult:
    """Preflight, autograde and write feedback for one student.

    Parameters
    ----------
    ctx : WorkerContext
        What the worker grades with (course, assignment, sandbox, limits).
    student : str
        The student id (a folder of the course's submitted folder).

    Returns
    -------
    StudentResult
        Status, notes, grades (see :func:`~citykit.grading.gradebook.read_student_grades`),
        points, the private folder with ``autograded/`` and ``feedback/``, digest, seconds.
    """
    started = time.monotonic()
    template = ctx.template
    aid = template.assignment
    root = Path(ctx.run_dir, "students", f"{ctx.slot}-{student}-{uuid.uuid4().hex[:8]}")
    root.mkdir(mode=0o711, parents=True)
    os.chmod(root, 0o711)
    submitted = ctx.layout.submitted / student / aid
    base = StudentResult(
        assignment=aid,
        student=student,
        status="error",
        max_score=sum(c["max_score"] for c in template.cells),
        root=str(root),
        digest=_digest(submitted),
    )
    log = _logger(root / "grading.log")
    try:
        result = _autograde(ctx, root, student, base, log)
    except Exception as exc:
        log.error(traceback.format_exc())
        result = base.failed(f"grading failed: {type(exc).__name__}: {exc}")
    finally:
        for handler in log.handlers:
            handler.close()
        if ctx.uid is not None:
            kill_user_processes(ctx.uid)
    return dataclasses.replace(result, seconds=round(time.monotonic() - started, 3))


def _prepare(ctx: WorkerContext, root: Path, student: str) -> tuple[set, list]:
    """The student's miniature course: gradebook copy, data files, preflighted notebooks."""
    template = ctx.template
    aid = template.assignment
    submitted = ctx.layout.submitted / student / aid
    shutil.copyfile(template.db_path, root / "gradebook.db")
    os.chmod(root / "gradebook.db", 0o600)
    shutil.copytree(
        template.source_files,
        root / "source" / aid,
        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"),
    )
    target = root / "submitted" / student / aid
    target.mkdir(parents=True)
    statuses, notes = set(), []
    for name in template.notebooks:
        check = preflight_file(submitted / f"{name}.ipynb", template.release_notebook(name))
        nbformat.write(check.notebook, target / f"{name}.ipynb")
        statuses.add(check.status)
        prefix = f"{name}.ipynb: " if len(template.notebooks) > 1 else ""
        notes += [prefix + n for n in check.notes]
    for carried in _CARRIED:  # regular small files only (no FIFO, link or device)
        path = submitted / carried
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 65536:
            shutil.copyfile(path, target / carried)
    problem = _bad_timestamp(target / "timestamp.txt")
    if problem:
        (target / "timestamp.txt").unlink()
        statuses.add("repaired")
        notes.append(problem)
    return statuses, notes


def _autograde(ctx: WorkerContext, root: Path, student: str, base: StudentResult, log):
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    aid = ctx.template.assignment
    statuses, notes = _prepare(ctx, root, student)
    config = _config(ctx, root, student)
    os.environ["CITYKIT_SANDBOX_ROOT"] = str(root)
    converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
    converter.log = log
    converter.start()
    if ctx.variant is not None:
        notes += _check_variant(ctx, root, student, config)
    flags, flagged = _execution_flags(root / "autograded" / student / aid, ctx.template)
    statuses |= flags
    notes += flagged
    if ctx.feedback:
        try:
            _write_feedback(ctx, root, student)
        except Exception as exc:  # feedback must not lose the grade
            log.error(traceback.format_exc())
            notes.append(f"feedback could not be generated: {exc}")
    grades = read_student_grades(root / "gradebook.db", ctx.layout.course_id, aid, student)
    auto = sum(
        g["auto_score"] or 0.0 for nb in grades["notebooks"].values() for g in nb["grades"].values()
    )
    return dataclasses.replace(
        base,
        status=_worst(statuses or {"ok"}),
        notes=(*base.notes, *notes),
        grades=grades,
        auto_score=auto,
    )


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def start_zygotes(run_dir, count: int, *, modules=()) -> dict:
    """Start the kernel zygotes of workers ``0 .. count-1``, importing ``modules`` ahead.

    The grader starts them first thing, so their imports overlap its own start (the template,
    the gradebook, the hidden tests' given cells); :class:`WorkerPool` takes them over. Each
    runs with a worker's umask, writes to that worker's log and dies with the thread that
    started it (``PR_SET_PDEATHSIG``, in :func:`citykit.grading.zygote.serve`). Until
    :func:`stop_zygotes` they are not reaped, so their process ids are never reused while a
    worker may kill their descendants.

    Parameters
    ----------
    run_dir : path-like
        The run's private folder.
    count : int
        How many workers will need one.
    modules : sequence of str
        What to import ahead (:func:`citykit.grading.zygote.given_modules`).

    Returns
    -------
    dict
        ``{slot: subprocess.Popen}``; empty when zygotes are turned off (``CITYKIT_NO_ZYGOTE``).
    """
    started: dict = {}
    try:
        for slot in range(count):
            zygote = _start_zygote(Path(run_dir), slot, modules)
            if zygote is not None:
                started[slot] = zygote
    except BaseException:
        stop_zygotes(started)
        raise
    return started


def stop_zygotes(zygotes: dict, *, keep: int = 0) -> None:
    """Stop (and reap) the zygotes of slots ``keep`` and above, with their descendants."""
    from citykit.grading.processes import kill_descendants

    for slot in [s for s in zygotes if s >= keep]:
        zygote = zygotes.pop(slot)
        kill_descendants(zygote.pid)
        zygote.kill()
        zygote.wait()


def _start_zygote(base: Path, slot: int, modules):
    """Start the kernel zygote of worker ``slot``; None when zygotes are turned off."""
    import subprocess
    import sys

    if os.environ.get("CITYKIT_NO_ZYGOTE"):
        return None
    path = _zygote_socket(base, slot)
    path.unlink(missing_ok=True)  # a stopped zygote's socket: kernels wait for the new one
    from citykit.grading.sandbox import kernel_environment

    log_fd = os.open(base / f"worker-{slot}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "citykit.grading.zygote", str(path), *modules],
            # /proc/<pid>/environ of kernels stays clean; the zygote dies with its parent, and
            # exits at once if that ended before the zygote could ask for it
            env={**kernel_environment(dict(os.environ)), "CITYKIT_ZYGOTE_PARENT": str(os.getpid())},
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=log_fd,
            umask=0o077,
        )
    finally:
        os.close(log_fd)


_OWN_ZYGOTE = None  # in a worker that started its own zygote


def _modules(template: Template) -> tuple[str, ...]:
    from citykit.grading.zygote import given_modules

    return given_modules(template.source_files)


def _zygote_socket(base: Path, slot: int) -> Path:
    return base / f"zygote-{slot}.sock"


def _use_zygote(base: Path, slot: int, pid: int) -> None:
    """Start this worker's kernels from zygote ``pid`` (the kernel manager waits for it)."""
    os.environ["CITYKIT_ZYGOTE"] = str(_zygote_socket(base, slot))
    os.environ["CITYKIT_ZYGOTE_PID"] = str(pid)


def _worker_main(conn, ctx: WorkerContext) -> None:  # pragma: no cover - runs in a child process
    _die_with_parent()
    from citykit.grading.processes import set_subreaper

    set_subreaper()  # what a kernel leaves behind stays ours to kill
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    from citykit.grading import _speedups

    _speedups.apply()
    os.umask(0o077)
    slot = ctx.slot
    base = Path(ctx.run_dir)
    log_fd = os.open(base / f"worker-{slot}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    for name, sub in (
        ("JUPYTER_DATA_DIR", f"jupyter-data-{slot}"),
        ("JUPYTER_CONFIG_DIR", f"jupyter-config-{slot}"),
        ("JUPYTER_RUNTIME_DIR", f"jupyter-runtime-{slot}"),
    ):
        (base / sub).mkdir(mode=0o711, exist_ok=True)
        os.environ[name] = str(base / sub)
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "0"  # our kernel specs before the venv's
    os.environ.pop("JUPYTER_PATH", None)
    from jupyter_client.kernelspec import KernelSpecManager

    if ctx.plan.isolate_network:  # the kernel's Unix sockets, in a folder it owns
        ipc = socket_folder(base, slot)
        shutil.rmtree(ipc, ignore_errors=True)  # a replaced worker's leftovers
        ipc.mkdir(mode=0o700)
        if ctx.uid is not None:
            os.chown(ipc, ctx.uid, SANDBOX_GID)
        os.environ["CITYKIT_KERNEL_IPC"] = str(ipc)
    if ctx.zygote is not None:  # started by the pool
        _use_zygote(base, slot, ctx.zygote)
    else:
        global _OWN_ZYGOTE
        # held for the worker's life: a Popen that is referenced is never reaped behind our
        # back, so the zygote's id cannot pass to another process whose children _reclaim kills
        _OWN_ZYGOTE = _start_zygote(base, slot, _modules(ctx.template))
        if _OWN_ZYGOTE is not None:
            _use_zygote(base, slot, _OWN_ZYGOTE.pid)

    for kernel in ctx.template.kernels:
        write_kernelspec(
            base / f"jupyter-data-{slot}", kernel, plan=ctx.plan, slot=slot, hide=ctx.hide
        )
        argv = KernelSpecManager().get_kernel_spec(kernel).argv
        if "citykit.grading.sandbox" not in argv:
            raise RuntimeError(f"the sandboxed kernel spec {kernel!r} is not used: {argv}")
    while True:
        try:
            student = conn.recv()
        except EOFError:
            return
        if student is None:
            return
        conn.send(grade_student(ctx, student))


class WorkerPool:
    """``n`` long-lived grading processes with a time budget per student.

    The pool takes over the kernel zygotes the grader started (:func:`start_zygotes`; without
    them it starts them itself); :meth:`start` then forks the workers, which inherit what the
    grader prepared meanwhile (the hidden tests' given cells). A worker that dies or overruns
    its budget is killed (with its kernel, its zygote and what they started) and replaced; its
    student gets the status ``error`` and is retried on the next run.
    """

    def __init__(self, n: int, ctx: WorkerContext, *, budget: float, zygotes: dict | None = None):
        self.ctx, self.plan, self.budget = ctx, ctx.plan, budget
        self.mp = multiprocessing.get_context("fork")
        self.slots: dict[int, dict] = {}
        self.size = max(1, n)
        if zygotes is None:
            zygotes = start_zygotes(ctx.run_dir, self.size, modules=_modules(ctx.template))
        stop_zygotes(zygotes, keep=self.size)  # started for more workers than there are
        self.zygotes = zygotes

    def start(self) -> None:
        """Fork the workers."""
        for slot in range(self.size):
            self._start(slot)

    def _start(self, slot: int) -> None:
        import gc

        parent, child = self.mp.Pipe()
        zygote = self.zygotes.get(slot)
        ctx = self.ctx.for_slot(slot, zygote=zygote.pid if zygote else None)
        process = self.mp.Process(target=_worker_main, args=(child, ctx), daemon=True)
        # the worker's collections then skip what it inherits (nbgrader, the prepared hidden
        # tests) and leave those pages shared instead of copying them (Python's fork recipe);
        # a host process that froze objects itself keeps them frozen
        ours = gc.get_freeze_count() == 0
        if ours:
            gc.freeze()
        try:
            process.start()
        finally:
            if ours:
                gc.unfreeze()
        child.close()
        self.slots[slot] = {"process": process, "conn": parent, "student": None, "deadline": 0}

    def _kill(self, slot: int) -> None:
        from citykit.grading.processes import kill_descendants

        info = self.slots[slot]
        # the kernel, its zygote and what they started go first: killed after their parents,
        # they would be orphans of no grading process
        kill_descendants(info["process"].pid)
        info["process"].kill()
        info["process"].join(5)
        if slot in self.zygotes:  # the replacement starts its own
            stop_zygotes({slot: self.zygotes.pop(slot)})
        uid = self.plan.uid_for(slot)
        if uid is not None:
            kill_user_processes(uid)
        info["conn"].close()

    def run(self, students):
        """Grade ``students``; yield each :class:`StudentResult` as soon as it is ready."""
        queue = list(students)
        busy = 0
        while queue or busy:
            for info in self.slots.values():
                if info["student"] is None and queue:
                    info["student"] = queue.pop(0)
                    info["deadline"] = time.monotonic() + self.budget
                    info["conn"].send(info["student"])
                    busy += 1
            conns = {info["conn"]: slot for slot, info in self.slots.items() if info["student"]}
            ready = wait(list(conns), timeout=1.0)
            for conn in ready:
                slot = conns[conn]
                info = self.slots[slot]
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    result = self._failed(slot, "the grading process stopped unexpectedly")
                info["student"] = None
                busy -= 1
                yield result
            now = time.monotonic()
            for slot, info in list(self.slots.items()):
                if info["student"] and now > info["deadline"]:
                    result = self._failed(
                        slot, f"grading took longer than {self.budget:.0f} s and was stopped"
                    )
                    info["student"] = None
                    busy -= 1
                    yield result

    def _failed(self, slot: int, reason: str) -> StudentResult:
        student = self.slots[slot]["student"]
        self._kill(slot)
        self._start(slot)
        template = self.ctx.template
        return StudentResult(
            assignment=template.assignment,
            student=student,
            status="error",
            max_score=sum(c["max_score"] for c in template.cells),
            notes=(reason,),
        )

    def close(self) -> None:
        """Stop all workers and zygotes."""
        for info in self.slots.values():
            try:
                info["conn"].send(None)
            except OSError:
                pass
        for slot, info in self.slots.items():
            info["process"].join(10)
            if info["process"].is_alive():
                self._kill(slot)
        stop_zygotes(self.zygotes)

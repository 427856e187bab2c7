"""The worker pool: each worker's first kernel zygote is started by the grader, and a worker
over its budget is replaced without leaving a process behind."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from grading_helpers import ASSIGNMENT, copy_course

pytestmark = pytest.mark.grading

#: Seconds a (fake) student may take; the hanging one overruns it, the others need a moment.
BUDGET = 15
_MARK = "CITYKIT_POOL_TEST"


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="latin-1") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="latin-1") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _marked(token: str) -> list[int]:
    mark = f"{_MARK}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as handle:
                    if mark in handle.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _gone(pids, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds  # generous: a busy machine
    while time.monotonic() < deadline:
        if not any(_running(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def _fake_grade(token: str):
    """A grade_student that reports its processes; student ``hangs`` leaves one and hangs."""
    from citykit.grading.records import StudentResult

    def grade_student(ctx, student):
        zygote = int(os.environ.get("CITYKIT_ZYGOTE_PID", "0"))
        if student == "hangs":
            subprocess.Popen(
                ["sleep", "600"], start_new_session=True, env={**os.environ, _MARK: token}
            )
            time.sleep(600)
        return StudentResult(
            assignment=ctx.template.assignment,
            student=student,
            status="ok",
            max_score=1,
            notes=(f"{os.getpid()} {zygote} {_parent(zygote)} {int(_running(zygote))}",),
        )

    return grade_student


@pytest.fixture
def context(tmp_path, monkeypatch):
    from citykit.grading.batch import DEFAULT_LIMITS
    from citykit.grading.gradebook import build_template
    from citykit.grading.layout import load_course
    from citykit.grading.records import WorkerContext
    from citykit.grading.sandbox import detect_sandbox

    monkeypatch.setenv("CITYKIT_SANDBOX", "limits-only")
    monkeypatch.delenv("CITYKIT_NO_ZYGOTE", raising=False)
    course = copy_course(tmp_path / "course")
    layout = load_course(course)
    run_dir = tmp_path / "run"
    (run_dir / "students").mkdir(parents=True)
    template = build_template(layout, ASSIGNMENT, run_dir / "template")
    plan = detect_sandbox(limits=DEFAULT_LIMITS, probe=False, run_dir=run_dir)
    return WorkerContext(
        layout=layout, template=template, run_dir=str(run_dir), timeout=5, plan=plan
    )


def test_workers_use_the_zygotes_the_grader_started(context, monkeypatch):
    from citykit.grading import run

    monkeypatch.setattr(run, "grade_student", _fake_grade("unused"))
    pool = run.WorkerPool(2, context, budget=BUDGET)
    zygotes = {slot: z.pid for slot, z in pool.zygotes.items()}
    try:
        assert len(zygotes) == 2
        assert all(_parent(pid) == os.getpid() for pid in zygotes.values())
        pool.start()
        results = list(pool.run(["a", "b", "c", "d"]))
    finally:
        pool.close()
    assert sorted(r.student for r in results) == ["a", "b", "c", "d"]
    assert {r.status for r in results} == {"ok"}
    used = {int(r.notes[0].split()[1]) for r in results}
    assert used <= set(zygotes.values()) and used  # each worker forks kernels from its own
    workers = {int(r.notes[0].split()[0]) for r in results}
    assert not workers & set(zygotes.values())
    assert pool.zygotes == {}  # stopped with the pool, and reaped
    assert _gone(zygotes.values())


def test_a_worker_over_its_budget_is_replaced_and_leaves_no_process_behind(context, monkeypatch):
    import uuid

    from citykit.grading import run

    token = uuid.uuid4().hex
    monkeypatch.setattr(run, "grade_student", _fake_grade(token))
    pool = run.WorkerPool(1, context, budget=BUDGET)
    first = pool.zygotes[0].pid
    try:
        pool.start()
        results = {r.student: r for r in pool.run(["before", "hangs", "after"])}
        # the student's process was killed before its worker: not an orphan of no grading
        # process (killed after the worker, it would live on under init)
        assert _gone(_marked(token))
    finally:
        pool.close()
    assert results["hangs"].status == "error"
    assert f"longer than {BUDGET} s" in results["hangs"].notes[0]
    before = results["before"].notes[0].split()
    after = results["after"].notes[0].split()
    assert int(before[1]) == first
    assert not _running(first)  # the replaced worker's zygote was stopped with it
    # the replacement started its own zygote, which ran while it graded
    worker, zygote, parent, alive = map(int, after)
    assert zygote != first and parent == worker and alive == 1
    assert _gone([zygote])  # and it ended with its worker


def test_what_a_kernel_left_is_killed_after_each_student_without_root(
    tmp_path, release_notebook, monkeypatch
):
    # the leftover is reparented to the zygote, which is the grader's child, not the worker's:
    # reclaiming must reach it right after the student, not only when the run ends
    import dataclasses

    from citykit.grading import grade, run
    from corpus import CASES
    from grading_helpers import CELL_TIMEOUT, traced_processes, write_submissions

    monkeypatch.setenv("CITYKIT_SANDBOX", "limits-only")
    monkeypatch.delenv("CITYKIT_NO_ZYGOTE", raising=False)
    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, [c for c in CASES if c.name == "leaves_traces"])
    graded = run.grade_student

    def grade_student(ctx, student):  # runs in the worker
        result = graded(ctx, student)
        left = len(traced_processes(course))
        return dataclasses.replace(result, notes=(*result.notes, f"left behind: {left}"))

    monkeypatch.setattr(run, "grade_student", grade_student)
    summary = grade(ASSIGNMENT, course_root=course, workers=1, timeout=CELL_TIMEOUT, report=False)
    (outcome,) = summary.outcomes
    assert outcome.student == "leaves_traces" and outcome.status == "ok"
    assert "left behind: 0" in outcome.notes
    assert traced_processes(course) == []


def _zygote_children() -> list[int]:
    """The kernel zygotes this process started that are still running."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _parent(int(entry)) == os.getpid() and _running(int(entry)):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if b"citykit.grading.zygote" in handle.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def test_the_zygotes_start_before_the_template_and_only_as_many_as_needed(
    tmp_path, release_notebook, monkeypatch
):
    from citykit.grading import batch, grade, run
    from corpus import CASES
    from grading_helpers import CELL_TIMEOUT, write_submissions

    monkeypatch.delenv("CITYKIT_NO_ZYGOTE", raising=False)
    course = copy_course(tmp_path / "course")
    cases = [c for c in CASES if c.name in ("correct", "partly_right")]
    write_submissions(course, release_notebook, cases)
    seen, started = [], []
    build = batch.build_template

    def build_template(*args, **kwargs):
        seen.append(_zygote_children())
        return build(*args, **kwargs)

    start = run._start_zygote

    def start_zygote(*args, **kwargs):
        started.append(args[1])
        return start(*args, **kwargs)

    monkeypatch.setattr(batch, "build_template", build_template)
    monkeypatch.setattr(run, "_start_zygote", start_zygote)
    first = grade(ASSIGNMENT, course_root=course, workers=4, timeout=CELL_TIMEOUT, report=False)
    assert {o.student: o.auto_score for o in first.outcomes} == {"correct": 8, "partly_right": 3}
    assert len(seen[0]) == 2  # two students: two of the four workers, zygotes already running
    assert started == [0, 1]
    assert _zygote_children() == []  # stopped with the run

    seen.clear()
    started.clear()
    again = grade(ASSIGNMENT, course_root=course, workers=4, timeout=CELL_TIMEOUT, report=False)
    assert again.outcomes == () and started == [] and seen == [[]]  # nothing to grade

    forced = grade(
        ASSIGNMENT,
        course_root=course,
        workers=4,
        timeout=CELL_TIMEOUT,
        students=["partly_right"],
        force=True,
        report=False,
    )
    assert [o.auto_score for o in forced.outcomes] == [3] and started == [0]
    assert _zygote_children() == []


def test_the_zygotes_stop_when_the_run_cannot_start(tmp_path, release_notebook, monkeypatch):
    from citykit.grading import batch, grade
    from citykit.grading.layout import GradingSetupError
    from corpus import CASES
    from grading_helpers import CELL_TIMEOUT, write_submissions

    monkeypatch.delenv("CITYKIT_NO_ZYGOTE", raising=False)
    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, [c for c in CASES if c.name == "correct"])
    seen = []

    def build_template(*args, **kwargs):
        seen.append(_zygote_children())
        raise GradingSetupError("the source notebook could not be released")

    monkeypatch.setattr(batch, "build_template", build_template)
    with pytest.raises(GradingSetupError, match="could not be released"):
        grade(ASSIGNMENT, course_root=course, workers=2, timeout=CELL_TIMEOUT, report=False)
    assert len(seen[0]) == 1
    assert _gone(seen[0]) and _zygote_children() == []

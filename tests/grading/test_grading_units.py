"""Fast checks of the grading building blocks (no kernels started)."""

from __future__ import annotations

import copy
import doctest
import importlib
import json
import os

import nbformat
import pytest
from corpus import answered
from grading_helpers import ASSIGNMENT, copy_course, run_cli

pytestmark = pytest.mark.grading

MODULES = [
    "citykit.grading.layout",
    "citykit.grading.intake",
    "citykit.grading.intake.ids",
    "citykit.grading.intake.lms_names",
    "citykit.grading.intake.unpack",
    "citykit.grading.intake.entries",
    "citykit.grading.preflight",
    "citykit.grading.preprocessors",
    "citykit.grading.sandbox",
    "citykit.grading.processes",
    "citykit.grading.report",
    "citykit.grading.command",
    "citykit.grading.records",
    "citykit.grading._speedups",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def test_preflight_keeps_a_clean_submission_untouched(release_notebook):
    from citykit.grading.preflight import preflight_text

    nb = answered(release_notebook)
    check = preflight_text(json.dumps(nb), release_notebook)
    assert check.status == "ok" and check.notes == []
    assert [c.source for c in check.notebook.cells] == [c.source for c in nb.cells]


def test_preflight_repairs_duplicates_deletions_and_edits(release_notebook):
    from citykit.grading.preflight import preflight_text

    nb = answered(release_notebook)
    q2 = next(c for c in nb.cells if _gid(c) == "q2_answer")
    nb.cells.insert(0, copy.deepcopy(q2))  # duplicate grade_id and cell id
    nb.cells = [c for c in nb.cells if _gid(c) != "q3_test"]  # deleted test cell
    q1_test = next(c for c in nb.cells if _gid(c) == "q1_test")
    q1_test.source = "pass"
    nb.metadata["kernelspec"]["name"] = "ir"
    check = preflight_text(json.dumps(nb), release_notebook)
    fixed = check.notebook
    ids = [_gid(c) for c in fixed.cells if _gid(c)]
    assert ids == [_gid(c) for c in release_notebook.cells if _gid(c)]
    assert len({c.id for c in fixed.cells}) == len(fixed.cells)
    restored = next(c for c in fixed.cells if _gid(c) == "q1_test")
    assert restored.source == next(c for c in release_notebook.cells if _gid(c) == "q1_test").source
    q3_test = [i for i, c in enumerate(fixed.cells) if _gid(c) == "q3_test"]
    q3_answer = [i for i, c in enumerate(fixed.cells) if _gid(c) == "q3_answer"]
    assert q3_test[0] == q3_answer[0] + 1  # put back right after its answer cell
    assert fixed.metadata["kernelspec"]["name"] == "python3"
    assert check.status == "repaired" and len(check.notes) == 5


def test_preflight_reads_a_notebook_in_an_old_format(release_notebook):
    from citykit.grading.preflight import preflight_text

    nb = answered(release_notebook)
    v3 = nbformat.convert(nb, 3)
    check = preflight_text(nbformat.writes(v3, version=3), release_notebook)
    assert check.status == "repaired" and "format 3" in " ".join(check.notes)
    assert check.notebook.nbformat == 4


def test_strip_warning_lines_keeps_other_stderr():
    from citykit.grading.preprocessors import strip_warning_lines

    text = (
        "/srv/x.py:12: pandas.errors.PerformanceWarning: slow\n  df[c] = 1\n"
        "/tmp/ipykernel_7/1.py:3: DeprecationWarning: old\n  f()\n"
        "Traceback? no, just a message\n"
    )
    assert strip_warning_lines(text) == "Traceback? no, just a message\n"


def _error_cell(source, line, evalue="hidden check q1"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue=evalue,
            traceback=[
                "\x1b[0;31mAssertionError\x1b[0m Traceback",
                f"Cell \x1b[0;32mIn[7], line {line}\x1b[0m\n  {source.splitlines()[line - 1]}",
            ],
        )
    ]
    return cell


def test_redact_hidden_tests_removes_code_and_hidden_failure_messages():
    from citykit.grading.preprocessors import RedactHiddenTests

    source = (
        'assert x > 0, "x should be positive"\n### BEGIN HIDDEN TESTS\n'
        'assert x == 5, "hidden check q1"\n### END HIDDEN TESTS'
    )
    hidden = _error_cell(source, 3)
    visible = _error_cell(source, 1, evalue="x should be positive")
    redact = RedactHiddenTests()
    for cell in (hidden, visible):
        redact.preprocess_cell(cell, {}, 0)
        assert "x == 5" not in cell.source and "hidden tests are not shown" in cell.source
        assert "x == 5" not in json.dumps(cell.outputs)
    assert hidden.outputs[0].evalue == "a hidden test did not pass"
    assert "hidden check" not in json.dumps(hidden.outputs)
    assert visible.outputs[0].traceback == ["AssertionError: x should be positive"]


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_kernels_keep_the_network_only_when_the_socket_path_is_too_long(tmp_path):
    from citykit.grading.sandbox import IPC_PATH_MAX, detect_sandbox, socket_folder

    short = detect_sandbox(run_dir="/tmp/citykit-grade-x")
    assert short.isolate_network
    assert any("Kernels have no network" in n for n in short.notes)
    deep = "/tmp/" + "d" * IPC_PATH_MAX
    assert len(str(socket_folder(deep, 0))) > IPC_PATH_MAX
    long = detect_sandbox(run_dir=deep)
    assert not long.isolate_network
    assert any("too long for Unix sockets" in n and "TMPDIR" in n for n in long.notes)
    assert not any("Kernels have no network" in n for n in long.notes)


def test_sandbox_plan_and_clean_environment():
    from citykit.grading.sandbox import clean_environment, detect_sandbox

    plan = detect_sandbox(limits={"cpu_seconds": 30, "memory_mb": 2048})
    assert any("cpu seconds 30" in n for n in plan.notes)
    assert any("Not protected" in n or "NOT" in n for n in plan.notes)
    if os.geteuid() == 0:
        assert plan.switch_user  # root on Linux: kernels run as an unprivileged user
    env = clean_environment(
        {"PATH": "/bin", "DATABASE_URL": "postgresql://u:pw@h/db", "NBGRADER_EXECUTION": "x"},
        home="/h",
    )
    assert "DATABASE_URL" not in env and env["NBGRADER_EXECUTION"] == "x" and env["HOME"] == "/h"


def test_cli_explains_an_unknown_assignment(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    code = run_cli(["grade", "ps2", "--course-root", str(course), "--no-progress"])
    message = capsys.readouterr().err
    assert code == 2
    assert "'ps2' not found" in message and "ps1" in message


def test_cli_explains_an_unknown_student(tmp_path, capsys, release_notebook):
    course = copy_course(tmp_path / "course")
    folder = course / "_grading" / "submitted" / "ann" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "ps1.ipynb").write_text(json.dumps(release_notebook))
    code = run_cli(
        ["grade", ASSIGNMENT, "--course-root", str(course), "--student", "anne", "--no-progress"]
    )
    assert code == 2
    assert "'anne'" in capsys.readouterr().err


def test_question_bank_maps_grade_ids_to_objectives(tmp_path):
    from citykit.grading.layout import load_course
    from citykit.grading.report import load_objectives

    course = copy_course(tmp_path / "course")
    objectives = load_objectives(load_course(course), ASSIGNMENT)
    assert objectives["q3_test"] == "Read a CSV and find the maximum"
    assert load_objectives(load_course(course), "nope") == {}


def test_concurrent_runs_lease_distinct_sandbox_users():
    from citykit.grading.processes import UidLease

    first, second = UidLease(2), UidLease(2)
    try:
        assert len(first.uids) == 2 and len(second.uids) == 2
        assert not set(first.uids) & set(second.uids)
        released = list(first.uids)
        first.release()
        third = UidLease(2)
        assert third.uids == released  # a released id is free again
        third.release()
    finally:
        first.release()
        second.release()


def test_reclaiming_a_kernel_spares_the_processes_that_were_there_before():
    # grading inside a longer-lived process (a notebook, a test session with its browser and
    # database servers) must kill what the kernel left behind, and nothing of its host's
    import subprocess
    import time

    from citykit.grading.processes import descendants, kill_descendants

    host = subprocess.Popen(["sleep", "60"])
    try:
        before = descendants(os.getpid())
        assert host.pid in before
        leftover = subprocess.Popen(["sleep", "60"])
        assert kill_descendants(os.getpid(), keep=before) >= 1
        leftover.wait(timeout=30)
        assert leftover.returncode == -9
        time.sleep(0.1)
        assert host.poll() is None  # still running
        # not kept, the host's process is a descendant like any other: killed (the rest of this
        # test session's processes stay kept)
        assert kill_descendants(os.getpid(), keep=before - {host.pid}) >= 1
        host.wait(timeout=30)
        assert host.returncode == -9
    finally:
        if host.poll() is None:
            host.kill()


def test_reclaiming_reaches_a_zygote_that_is_not_the_workers_child():
    # the pool starts each worker's first zygote itself, so the zygote (and what its kernels
    # leave behind, reparented to it) is the grader's child, not the worker's
    import subprocess
    import time

    from citykit.grading.processes import descendants, kill_descendants

    worker = subprocess.Popen(["sleep", "60"])  # a worker with no children of its own
    zygote = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 61 & wait"])
    try:
        for _ in range(600):  # generous: a busy machine
            left = descendants(zygote.pid)
            if len(left) == 2:
                break
            time.sleep(0.05)
        assert len(left) == 2
        assert kill_descendants(worker.pid, spare=zygote.pid) >= 2
        # the zygote itself was spared: it sees its children end and exits on its own
        assert zygote.wait(timeout=30) == 0
        assert worker.poll() is None
    finally:
        for process in (worker, zygote):
            if process.poll() is None:
                process.kill()
                process.wait()

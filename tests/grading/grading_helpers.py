"""Helpers of the grading tests: the fixture course, a CLI entry, corpus writing, processes."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE_COURSE = HERE / "fixture_course"
ASSIGNMENT = "ps1"
#: Short per-cell timeout for tests (the infinite-loop case waits this long).
CELL_TIMEOUT = 5


def run_cli(argv: list[str]) -> int:
    """Run ``citykit grade`` the way the integrator's ``citykit`` CLI will."""
    from citykit.grading import add_grade_parser

    parser = argparse.ArgumentParser(prog="citykit")
    sub = parser.add_subparsers(dest="command", required=True)
    add_grade_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def copy_course(dest: Path) -> Path:
    """Copy the fixture course to ``dest`` (a fresh course without any grading)."""
    shutil.copytree(FIXTURE_COURSE, dest, ignore=shutil.ignore_patterns("_grading", "exercises"))
    return dest


_HOST_SERVICE: list = []


def host_service_port() -> int:
    """Port of a TCP service listening on the grading host's loopback (as a database would).

    A listening socket completes TCP handshakes on its own, so a connection from student code
    succeeds unless the kernel is cut off from the network.
    """
    if not _HOST_SERVICE:
        _HOST_SERVICE.append(socket.create_server(("127.0.0.1", 0), backlog=16))
    return _HOST_SERVICE[0].getsockname()[1]


def corpus_context(course: Path) -> dict:
    return {
        "service_port": host_service_port(),
        "solution": str(course / "solutions" / ASSIGNMENT / "ps1.ipynb"),
        "gradebook": str(course / "_grading" / "gradebook.db"),
        "runs": os.path.join(tempfile.gettempdir(), "citykit-grade-*"),  # the grader's run folders
        "token": trace_token(course),
    }


def trace_token(course: Path) -> str:
    """A mark that processes started by this course's submissions carry in their environment."""
    import hashlib

    return "trace-" + hashlib.sha256(str(course).encode()).hexdigest()[:16]


def traced_processes(course: Path) -> list[int]:
    """Pids of processes a submission of ``course`` started that are still alive."""
    mark = f"CITYKIT_TRACE={trace_token(course)}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def write_submissions(course: Path, release, cases) -> None:
    from corpus import write_case

    for case in cases:
        write_case(
            case, release, course / "_grading" / "submitted", ASSIGNMENT, corpus_context(course)
        )


def _run_alive(pid_dir: Path) -> bool:
    try:
        os.kill(int((pid_dir / "pid").read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def sandbox_processes() -> list[int]:
    """Pids of leftover student processes: sandbox users whose grading run is gone.

    Processes working in the folder of a grading run that is still alive (e.g. a parallel
    test) are not leftovers.
    """
    from citykit.grading.processes import SANDBOX_UID_BASE

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            if not SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + 1000:
                continue
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        runs = [p for p in [cwd, *cwd.parents] if p.name.startswith("citykit-grade-")]
        if runs and _run_alive(runs[0]):
            continue
        found.append(int(entry.name))
    return found

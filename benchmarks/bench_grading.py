"""Benchmark: ``citykit grade --workers 2`` against plain sequential ``nbgrader autograde``.

A mock cohort of 40 students x every assignment found in ``solutions/`` (the fixture course of
the tests when the course has no assignments yet) is graded twice, in the same run, from two
copies of the course: once by ``citykit grade --workers 2`` (preflight, sandboxed kernels,
feedback without hidden tests, gradebook commit, cohort report included) and once by
``nbgrader autograde ASSIGNMENT`` (one process, students one after another, no feedback). Both
are started as commands, so both pay their start-up. The scores of both gradebooks must be
identical; the speed-up is printed (goal: at least 1.8x on 2 cores).

Students: a third submit the solution notebook (hidden tests and all: locked cells are restored
by both graders), a third the untouched exercise, a third the solution with its first answer
cell blanked.

Usage: ``python benchmarks/bench_grading.py [--students 40] [--workers 2] [--course-root DIR]``
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "grading" / "fixture_course"


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "toolkit"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")
    return env


def _make_cohort(course: Path, students: int) -> list[str]:
    import nbformat
    from nbgrader import utils

    sys.path.insert(0, str(REPO / "toolkit"))
    from citykit.grading.course import load_course
    from citykit.grading.gradebook import build_template

    layout = load_course(course)
    assignments = layout.assignments()
    for assignment in assignments:
        with tempfile.TemporaryDirectory() as tmp:
            template = build_template(layout, assignment, Path(tmp) / "t")
            for name in template.notebooks:
                release = template.release_notebook(name)
                solution = nbformat.read(layout.source / assignment / f"{name}.ipynb", 4)
                partly = copy.deepcopy(solution)
                blanked = next(
                    (i for i, c in enumerate(partly.cells) if utils.is_solution(c)), None
                )
                if blanked is not None:
                    gid = partly.cells[blanked].metadata["nbgrader"]["grade_id"]
                    partly.cells[blanked] = next(
                        c
                        for c in release.cells
                        if c.metadata.get("nbgrader", {}).get("grade_id") == gid
                    )
                kinds = [solution, release, partly]
                for number in range(students):
                    folder = layout.submitted / f"student{number:03d}" / assignment
                    folder.mkdir(parents=True, exist_ok=True)
                    nbformat.write(kinds[number % 3], folder / f"{name}.ipynb")
    return assignments


def _scores(course: Path) -> dict:
    from nbgrader.api import Gradebook

    sys.path.insert(0, str(REPO / "toolkit"))
    from citykit.grading.course import load_course

    layout = load_course(course)
    with Gradebook(layout.db_url, layout.course_id) as gb:
        return {
            (a.name, s.student_id): round(float(s.score), 6)
            for a in gb.assignments
            for s in a.submissions
        }


def main(argv=None) -> int:
    """Run the benchmark; exit 1 when the two graders disagree on any score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--course-root", type=Path, default=REPO)
    parser.add_argument("--timeout", type=int, default=30, help="per-cell timeout (s)")
    args = parser.parse_args(argv)
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    source = args.course_root
    sys.path.insert(0, str(REPO / "toolkit"))
    from citykit.grading.course import load_course

    if not load_course(source).assignments():
        print(f"{source} has no assignments in its source folder yet: using the fixture course")
        source = FIXTURE
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        env = _env(tmp)
        ignore = shutil.ignore_patterns(
            ".git", ".venv", "_grading", "exercises", "build", "test-artifacts", "*.pyc"
        )
        ours, theirs = tmp / "citykit", tmp / "nbgrader"
        for course in (ours, theirs):
            shutil.copytree(source, course, ignore=ignore, symlinks=True)
            (course / "_grading").mkdir(exist_ok=True)
        assignments = _make_cohort(ours, args.students)
        _make_cohort(theirs, args.students)
        nbgrader = [sys.executable, "-m", "nbgrader"]
        for assignment in assignments:  # setup, not timed: nbgrader needs the assignment in its db
            subprocess.run(
                [*nbgrader, "generate_assignment", assignment, "--force"],
                cwd=theirs,
                env=env,
                check=True,
                capture_output=True,
            )
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        for assignment in assignments:
            subprocess.run(
                [*nbgrader, "autograde", assignment, f"--Execute.timeout={args.timeout}"],
                cwd=theirs,
                env=env,
                check=True,
                capture_output=True,
            )
            print(f"  nbgrader autograde {assignment}: {time.perf_counter() - started:.0f} s so far",
                  flush=True)  # fmt: skip
        plain = time.perf_counter() - started
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)

        command = (
            "import argparse, sys\n"
            "from citykit.grading import add_grade_parser\n"
            "parser = argparse.ArgumentParser(prog='citykit')\n"
            "add_grade_parser(parser.add_subparsers())\n"
            "args = parser.parse_args(sys.argv[1:])\n"
            "sys.exit(args.func(args))\n"
        )
        started = time.perf_counter()
        for assignment in assignments:
            subprocess.run(
                [sys.executable, "-c", command, "grade", assignment, "--course-root", str(ours)]
                + ["--workers", str(args.workers), "--timeout", str(args.timeout), "--no-progress"],
                env=env,
                check=True,
                capture_output=True,
            )
            print(f"  citykit grade {assignment}: {time.perf_counter() - started:.0f} s so far",
                  flush=True)  # fmt: skip
        fast = time.perf_counter() - started
        cpu2 = resource.getrusage(resource.RUSAGE_CHILDREN)

        def cpu(a, b):
            return (b.ru_utime + b.ru_stime) - (a.ru_utime + a.ru_stime)

        a, b = _scores(ours), _scores(theirs)
        n = len(a)
        print(
            f"{args.students} students x {len(assignments)} assignment(s) "
            f"({', '.join(assignments)}), {n} submissions"
        )
        print(
            f"nbgrader autograde, sequential:         {plain:7.1f} s  (CPU {cpu(cpu0, cpu1):.1f} s)"
        )
        print(
            f"citykit grade --workers {args.workers} (+feedback):  {fast:7.1f} s  "
            f"(CPU {cpu(cpu1, cpu2):.1f} s)"
        )
        print(f"seconds per submission: nbgrader {plain / n:.2f}, citykit {fast / n:.2f}")
        print(f"speed-up: {plain / fast:.2f}x (goal >= 1.8x on 2 cores)")
        if a != b or n != args.students * len(assignments):
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            print(f"SCORES DIFFER on {len(diff)} submissions: {sorted(diff.items())[:10]}")
            return 1
        print("scores identical in both gradebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())

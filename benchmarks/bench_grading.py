"""Benchmark: ``citykit grade`` against sequential ``nbgrader autograde`` and ``otter run``.

A mock cohort submits every assignment of ``solutions/`` as learners make them: the exercise
notebook (the release, with no hidden tests inside) with the answers typed in from the solution
(a third of the students), left untouched (a third), or answered except the first question (a
third). Each grader grades the same cohort from its own fresh copy of the course, as a command,
so each pays its own start-up:

- ``citykit grade ASSIGNMENT --workers 2`` (preflight, sandboxed kernels with the default
  protections, feedback without hidden tests, gradebook commit, cohort report included);
- ``nbgrader autograde ASSIGNMENT`` (one process, students one after another, no feedback);
- ``otter run`` (otter-grader's local mode, no container), one submission after another, two at a
  time, with the assignment's tests (hidden ones included) converted to otter test files, one
  test per graded cell worth its points.

The graders run interleaved in the same run, the order reversed every round (A B C, C B A, ...),
for ``--rounds`` rounds (at least 3); the table gives the median seconds per submission, the
ratio to ``citykit grade`` and the range of the per-round ratios. Every round's scores must be
identical across graders (otter: the sum of its test points per submission).

``--busy`` runs the same with both cores kept busy by two spinning processes (a shared server):
the honest figure for a busy machine. ``--before DIR`` adds ``citykit grade`` run from another
copy of the toolkit (``DIR/citykit``: ``git archive <commit> toolkit datasets nbgrader_config.py |
tar -x -C ROOT`` and ``--before ROOT/toolkit``; the toolkit finds the sample city in the course
folder next to it, which ``nbgrader_config.py`` marks), interleaved with
the others: a before/after comparison of a change measured in the same rounds.

Usage: ``python benchmarks/bench_grading.py [--students 8] [--assignments 2] [--rounds 3]
[--busy] [--no-otter] [--before DIR]``
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "grading" / "fixture_course"
_MARKERS = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$\n?", re.MULTILINE)


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "toolkit"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")
    return env


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _answered(release, solution):
    """The exercise with every answer typed in from the solution (markers removed)."""
    from nbgrader import utils

    answers = {_grade_id(c): c.source for c in solution.cells if utils.is_solution(c)}
    filled = copy.deepcopy(release)
    for cell in filled.cells:
        if utils.is_solution(cell) and _grade_id(cell) in answers:
            cell.source = _MARKERS.sub("", answers[_grade_id(cell)])
    return filled


def _make_cohort(course: Path, students: int, assignments: list[str]) -> dict:
    """Write the submissions; return ``{assignment: {notebook: solution notebook}}``."""
    import nbformat
    from nbgrader import utils

    sys.path.insert(0, str(REPO / "toolkit"))
    from citykit.grading.gradebook import build_template
    from citykit.grading.layout import load_course

    layout = load_course(course)
    sources = {}
    for assignment in assignments:
        sources[assignment] = {}
        with tempfile.TemporaryDirectory() as tmp:
            template = build_template(layout, assignment, Path(tmp) / "t")
            for name in template.notebooks:
                release = template.release_notebook(name)
                solution = nbformat.read(layout.source / assignment / f"{name}.ipynb", 4)
                sources[assignment][name] = solution
                answered = _answered(release, solution)
                partly = copy.deepcopy(answered)
                first = next((c for c in release.cells if utils.is_solution(c)), None)
                for i, cell in enumerate(partly.cells):
                    if first is not None and _grade_id(cell) == _grade_id(first):
                        partly.cells[i] = copy.deepcopy(first)
                        break
                kinds = [answered, release, partly]
                for number in range(students):
                    folder = layout.submitted / f"student{number:03d}" / assignment
                    folder.mkdir(parents=True, exist_ok=True)
                    nbformat.write(kinds[number % 3], folder / f"{name}.ipynb")
    return sources


def _scores(course: Path) -> dict:
    from nbgrader.api import Gradebook

    sys.path.insert(0, str(REPO / "toolkit"))
    from citykit.grading.layout import load_course

    layout = load_course(course)
    with Gradebook(layout.db_url, layout.course_id) as gb:
        return {
            (a.name, s.student_id): round(float(s.score), 6)
            for a in gb.assignments
            for s in a.submissions
        }


# --- otter-grader ---------------------------------------------------------------------------------

_OTTER_TEST = """from otter.test_files import test_case

OK_FORMAT = False
name = {name!r}
points = {points!r}


@test_case(points={points!r}, hidden=False)
def test_cell(env):
    exec(compile({source!r}, {name!r}, "exec"), env)
"""


def _otter_zip(solutions: dict, folder: Path) -> Path:
    """An otter autograder zip for one notebook: one test per graded code cell (hidden included)."""
    from nbgrader import utils

    (folder / "tests").mkdir(parents=True)
    for cell in solutions.cells:
        if cell.cell_type == "code" and utils.is_grade(cell):
            points = cell.metadata["nbgrader"].get("points", 0)
            (folder / "tests" / f"{_grade_id(cell)}.py").write_text(
                _OTTER_TEST.format(
                    name=_grade_id(cell), points=points, source=_MARKERS.sub("", cell.source)
                )
            )
    (folder / "otter_config.json").write_text(json.dumps({"lang": "python"}))
    archive = folder / "autograder.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path != archive:
                z.write(path, path.relative_to(folder))
    return archive


def _otter_grade(course: Path, sources: dict, env: dict, parallel: int = 2) -> dict:
    """Grade every submission with ``otter run``, ``parallel`` at a time; return the scores."""
    from citykit.grading.layout import load_course

    submitted = load_course(course).submitted
    jobs = []
    for assignment, notebooks in sources.items():
        for name, solution in notebooks.items():
            archive = _otter_zip(solution, course / "_otter" / assignment / name)
            for folder in sorted(submitted.glob(f"*/{assignment}")):
                out = course / "_otter_out" / folder.parent.name / assignment / name
                out.mkdir(parents=True, exist_ok=True)
                jobs.append(
                    (assignment, folder.parent.name, archive, folder / f"{name}.ipynb", out)
                )

    def run(job):
        assignment, student, archive, notebook, out = job
        done = subprocess.run(
            [sys.executable, "-m", "otter", "run", "-a", str(archive), "-o", str(out)]
            + [str(notebook)],
            env=env,
            capture_output=True,
            text=True,
        )
        results = out / "results.json"
        if not results.is_file():
            raise RuntimeError(f"otter run failed on {notebook}:\n{done.stderr[-2000:]}")
        data = json.loads(results.read_text())
        return (assignment, student), sum(float(t.get("score") or 0) for t in data["tests"])

    scores: dict = {}
    with ThreadPoolExecutor(parallel) as pool:
        for key, score in pool.map(run, jobs):
            scores[key] = round(scores.get(key, 0.0) + score, 6)
    return scores


# --- the graders ----------------------------------------------------------------------------------

_CITYKIT = (
    "import argparse, sys\n"
    "from citykit.grading import add_grade_parser\n"
    "parser = argparse.ArgumentParser(prog='citykit')\n"
    "add_grade_parser(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.func(args))\n"
)


def _grade(grader: str, course: Path, assignments, sources, env, args) -> tuple[float, dict]:
    started = time.perf_counter()
    if grader == "before":
        env = dict(env, PYTHONPATH=os.pathsep.join([str(args.before), env["PYTHONPATH"]]))
    if grader in ("citykit", "before"):
        for assignment in assignments:
            subprocess.run(
                [sys.executable, "-c", _CITYKIT, "grade", assignment, "--course-root", str(course)]
                + ["--workers", str(args.workers), "--timeout", str(args.timeout), "--no-progress"],
                env=env,
                check=True,
                capture_output=True,
            )
        seconds = time.perf_counter() - started
        return seconds, _scores(course)
    if grader == "nbgrader":
        for assignment in assignments:
            subprocess.run(
                [sys.executable, "-m", "nbgrader", "autograde", assignment]
                + [f"--Execute.timeout={args.timeout}"],
                cwd=course,
                env=env,
                check=True,
                capture_output=True,
            )
        seconds = time.perf_counter() - started
        return seconds, _scores(course)
    scores = _otter_grade(course, sources, env)
    return time.perf_counter() - started, scores


def _spinners(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def main(argv=None) -> int:
    """Run the benchmark; exit 1 when the graders disagree on any score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--assignments", type=int, default=2, help="the first N assignments")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--course-root", type=Path, default=REPO)
    parser.add_argument("--timeout", type=int, default=60, help="per-cell timeout (s)")
    parser.add_argument("--busy", action="store_true", help="keep both cores busy meanwhile")
    parser.add_argument("--no-otter", action="store_true", help="citykit and nbgrader only")
    parser.add_argument(
        "--before", type=Path, help="also grade with the toolkit in this folder (before/after)"
    )
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds must be 3 or more")
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    source = args.course_root
    sys.path.insert(0, str(REPO / "toolkit"))
    from citykit.grading.layout import load_course

    if not load_course(source).assignments():
        print(f"{source} has no assignments in its source folder yet: using the fixture course")
        source = FIXTURE
    graders = ["citykit", "nbgrader"]
    if args.before is not None:
        if not (args.before / "citykit" / "grading").is_dir():
            parser.error(f"--before {args.before}: no citykit/grading inside")
        graders.insert(1, "before")
    if not args.no_otter:
        try:
            import otter  # noqa: F401
        except ImportError:
            print("otter-grader is not installed (pip install -e '.[bench]'): skipping it")
        else:
            graders.append("otter")
    spinners = _spinners(2) if args.busy else []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
            return _run(Path(tmp), source, graders, args)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _run(tmp: Path, source: Path, graders: list[str], args) -> int:
    from citykit.grading.layout import load_course

    env = _env(tmp)
    assignments = load_course(source).assignments()[: args.assignments]
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "_grading", "exercises", "build", "test-artifacts", "*.pyc"
    )
    prepared = tmp / "prepared"
    shutil.copytree(source, prepared, ignore=ignore, symlinks=True)
    (prepared / "_grading").mkdir(exist_ok=True)
    sources = _make_cohort(prepared, args.students, assignments)
    for assignment in assignments:  # setup, not timed: nbgrader needs the assignment in its db
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
            cwd=prepared,
            env=env,
            check=True,
            capture_output=True,
        )
    n = args.students * len(assignments)
    seconds: dict[str, list[float]] = {g: [] for g in graders}
    problems = []
    for number in range(args.rounds):
        order = graders if number % 2 == 0 else graders[::-1]
        scores = {}
        for grader in order:
            course = tmp / f"round{number}-{grader}"
            shutil.copytree(prepared, course, symlinks=True)
            took, scores[grader] = _grade(grader, course, assignments, sources, env, args)
            seconds[grader].append(took)
            print(f"  round {number + 1} {grader}: {took:.1f} s", flush=True)
            shutil.rmtree(course, ignore_errors=True)
        reference = scores["citykit"]
        if len(reference) != n:
            problems.append(f"round {number + 1}: citykit graded {len(reference)} of {n}")
        for grader in graders[1:]:
            if scores[grader] != reference:
                keys = set(reference) | set(scores[grader])
                diff = {
                    k: (reference.get(k), scores[grader].get(k))
                    for k in keys
                    if reference.get(k) != scores[grader].get(k)
                }
                problems.append(
                    f"round {number + 1}: {grader} differs on {sorted(diff.items())[:5]}"
                )
    busy = " with both cores kept busy by two other processes" if args.busy else " (idle machine)"
    print(
        f"\n{args.students} students x {len(assignments)} assignment(s) = {n} submissions, "
        f"{args.rounds} rounds{busy}"
    )
    print(f"{'grader':40s} {'s/submission':>12s} {'speed-up':>9s} {'range':>11s}")
    ours = seconds["citykit"]
    labels = {
        "citykit": f"citykit grade --workers {args.workers}",
        "before": f"citykit grade --workers {args.workers}, before",
        "nbgrader": "nbgrader autograde, sequential",
        "otter": "otter run, two at a time",
    }
    for grader in graders:
        mine = seconds[grader]
        ratios = [m / o for m, o in zip(mine, ours, strict=True)]
        speed = statistics.median(mine) / statistics.median(ours)
        print(
            f"{labels[grader]:40s} {statistics.median(mine) / n:12.2f} {speed:8.2f}x "
            f"{min(ratios):5.2f}-{max(ratios):<5.2f}"
        )
    print("speed-up = that grader's median time / citykit's (goal: >= 1.8x against nbgrader)")
    if "before" in graders:
        theirs = [n / b for n, b in zip(seconds["nbgrader"], seconds["before"], strict=True)]
        print(
            f"before: nbgrader / citykit-before {statistics.median(theirs):.2f}x "
            f"({min(theirs):.2f}-{max(theirs):.2f} per round)"
        )
    if problems:
        print("SCORES DIFFER:", *problems, sep="\n  ")
        return 1
    print("scores identical in every round" + (", otter included" if "otter" in graders else ""))
    return 0 if not math.isnan(statistics.median(ours)) else 1


if __name__ == "__main__":
    sys.exit(main())

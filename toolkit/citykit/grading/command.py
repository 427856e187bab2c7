"""The ``citykit grade`` sub-command (argparse), added to the ``citykit`` CLI by its integrator.

Examples
--------
>>> import argparse
>>> from citykit.grading.command import add_grade_parser
>>> parser = argparse.ArgumentParser(prog="citykit")
>>> sub = parser.add_subparsers(dest="command")
>>> grade_parser = add_grade_parser(sub)
>>> args = parser.parse_args(["grade", "ps1", "--workers", "3", "--student", "ann", "bo"])
>>> args.assignment, args.workers, args.student
('ps1', 3, ['ann', 'bo'])
"""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["add_grade_parser", "run_grade"]


def add_grade_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``grade`` sub-command to an argparse sub-parsers object.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The new sub-parser (its ``func`` default is :func:`run_grade`).
    """
    parser = subparsers.add_parser(
        "grade",
        help="grade a cohort's submissions of an assignment (nbgrader underneath)",
        description=(
            "Import submissions, check and repair each notebook, autograde every student in "
            "isolation and in parallel, write feedback without hidden tests, export grades and "
            "write a cohort report. Re-running skips students already graded."
        ),
    )
    parser.add_argument("assignment", help="assignment name (a folder of solutions/)")
    parser.add_argument(
        "--submissions",
        metavar="DIR|ZIP",
        help="folder (nbgrader layout student/assignment/*.ipynb) or LMS zip to import first",
    )
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="parallel graders (default 2)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="CPU seconds a code cell may use (default: course config)",
    )
    parser.add_argument(
        "--student", nargs="+", action="extend", metavar="ID", help="grade only these students"
    )
    parser.add_argument("--force", action="store_true", help="re-grade students already graded")
    parser.add_argument(
        "--variant-seed",
        type=int,
        metavar="N",
        help="also run each submission on a sample city built with seed N; a question whose "
        "answer there differs from the solution's (typed in) scores 0 (doubles execution time)",
    )
    parser.add_argument(
        "--course-root", default=".", metavar="DIR", help="course root (default: current folder)"
    )
    parser.add_argument(
        "--db-url", metavar="URL", help="gradebook URL, e.g. postgresql+psycopg://user@host/db"
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=4096,
        metavar="MB",
        help="address-space limit of a kernel (MB)",
    )
    parser.add_argument(
        "--cpu-seconds", type=int, default=600, metavar="S", help="CPU-time limit of a kernel (s)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--export",
        choices=("canvas", "moodle"),
        action="append",
        metavar="LMS",
        help="also write the assignment's grades as a CSV that canvas or moodle imports",
    )
    parser.add_argument(
        "--roster",
        metavar="CSV",
        help="the LMS's own gradebook export: its students, ids and columns are used by --export",
    )
    parser.set_defaults(func=run_grade)
    return parser


def run_grade(args: argparse.Namespace) -> int:
    """Run ``citykit grade`` with parsed arguments; return the exit code.

    0: everyone graded (bad submissions included, with their status); 1: some students could not
    be graded (status ``error``; re-run to retry them); 2: the command could not start.
    """
    from citykit.errors import CityKitError
    from citykit.grading import _speedups

    _speedups.skip_slow_optional_imports()  # this process only grades: skip a slow import
    from citykit.grading.batch import grade
    from citykit.grading.lms_export import export_grades

    started = time.time()
    try:
        summary = grade(
            args.assignment,
            course_root=args.course_root,
            submissions=args.submissions,
            workers=args.workers,
            timeout=args.timeout,
            students=args.student,
            force=args.force,
            db_url=args.db_url,
            progress=not args.no_progress,
            limits={"memory_mb": args.memory_mb, "cpu_seconds": args.cpu_seconds},
            variant_seed=args.variant_seed,
        )
        exports = [
            export_grades(
                summary_layout(args), lms, roster=args.roster, assignments=[args.assignment]
            )
            for lms in getattr(args, "export", None) or ()
        ]
    except CityKitError as exc:
        print(f"citykit grade: {exc}", file=sys.stderr)
        return 2
    if args.submissions:
        _print_intake(summary_layout(args), args.assignment, since=started)
    print(summary)
    for outcome in summary.outcomes:
        if outcome.status != "ok":
            notes = "; ".join(outcome.notes)
            print(f"  {outcome.student}: {outcome.status} -- {notes}")
    for name, path in summary.report.items():
        print(f"{name}: {path}")
    for result in exports:
        print(result)
    return 1 if any(o.status == "error" for o in summary.outcomes) else 0


def summary_layout(args: argparse.Namespace):
    """The course that ``args`` name (course root and gradebook URL)."""
    from citykit.grading.layout import load_course

    return load_course(args.course_root, db_url=args.db_url)


def _print_intake(layout, assignment: str, *, since: float) -> None:
    """Print what this run's intake did not import as it came (its report has every file)."""
    import csv
    from collections import Counter

    report = layout.grading / f"{assignment}-intake.csv"
    if not report.is_file() or report.stat().st_mtime < since - 1:
        return
    with open(report, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    problems = [r for r in rows if r["status"] != "ok"]
    counts = Counter(r["status"] for r in problems)
    print(
        f"intake: {len(rows)} files, {len(rows) - len(problems)} ok"
        + "".join(f", {n} {status}" for status, n in sorted(counts.items()))
        + f" (every file: {report})"
    )
    for row in problems:
        who = f"{row['student']}: " if row["student"] else ""
        print(f"  {row['file']}: {who}{row['status']} -- {row['detail']}")

"""Benchmark: what evaluating hidden tests outside the student's kernel costs.

The same mock cohort (the fixture course of the grading tests: a third right, a third partly
right, a third blank) is graded with ``citykit.grading.grade`` twice per round, interleaved in
the same process tree: with hidden tests evaluated in the grader (the default) and, as the
baseline, with the whole grade cell run in the student's kernel (nbgrader's way, which student
code can forge -- only for this measurement). Scores must be identical; the ratio of wall times
is printed per round and as the median.

With ``--variant-seed N`` it measures instead what running each submission a second time on
a variant sample city costs (``citykit grade --variant-seed N``, see
:mod:`citykit.grading.variant`) against the same grading without it; the fixture course does
not read the sample city, so the scores must again be identical.

Usage: ``python benchmarks/bench_trusted.py [--students 12] [--rounds 3] [--variant-seed N]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "grading"))
sys.path.insert(0, str(REPO / "toolkit"))


def _course(base: Path, students: int) -> Path:
    from citykit.grading.gradebook import build_template
    from citykit.grading.layout import load_course
    from corpus import CASES
    from grading_helpers import ASSIGNMENT, copy_course, write_submissions

    course = copy_course(base / "course")
    template = build_template(load_course(course), ASSIGNMENT, base / "template")
    release = template.release_notebook(ASSIGNMENT)
    kinds = [c for c in CASES if c.name in ("correct", "partly_right", "blank")]
    write_submissions(course, release, kinds)
    submitted = course / "_grading" / "submitted"
    for number in range(students):
        kind = kinds[number % len(kinds)]
        shutil.copytree(submitted / kind.name, submitted / f"s{number:03d}")
    for kind in kinds:
        shutil.rmtree(submitted / kind.name)
    return course


def _grade(course: Path, *, in_kernel: bool = False, variant_seed=None) -> tuple[float, dict]:
    import citykit.grading.preprocessors as pre
    from citykit.grading import grade
    from grading_helpers import ASSIGNMENT

    original = pre.SafeExecute._test_id
    if in_kernel:  # the baseline: the grade cell, hidden tests included, runs in the kernel
        pre.SafeExecute._test_id = lambda self, cell: None
    try:
        started = time.perf_counter()
        summary = grade(
            ASSIGNMENT,
            course_root=course,
            workers=2,
            force=True,
            report=False,
            variant_seed=variant_seed,
        )
        seconds = time.perf_counter() - started
    finally:
        pre.SafeExecute._test_id = original
    return seconds, {o.student: (o.status, o.auto_score) for o in summary.outcomes}


def main(argv=None) -> int:
    """Grade the cohort both ways per round; print the ratios; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variant-seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.variant_seed is not None:
        return _variant(args)
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        course = _course(Path(tmp), args.students)
        for number in range(1, args.rounds + 1):
            base, base_scores = _grade(course, in_kernel=True)
            ours, our_scores = _grade(course, in_kernel=False)
            assert our_scores == base_scores, (our_scores, base_scores)
            ratios.append(ours / base)
            print(
                f"round {number}: hidden tests in the grader {ours:.1f} s, in the kernel "
                f"{base:.1f} s, ratio {ours / base:.2f}"
            )
    print(f"median ratio over {args.rounds} rounds: {statistics.median(ratios):.2f}")
    return 0


def _variant(args) -> int:
    """Grade the cohort with and without the variant city per round; print the ratios."""
    from citykit.grading.variant import build_variant

    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        course = _course(Path(tmp), args.students)
        build_variant(course / "_grading", seed=args.variant_seed)  # built once per course
        for number in range(1, args.rounds + 1):
            base, base_scores = _grade(course)
            ours, our_scores = _grade(course, variant_seed=args.variant_seed)
            assert our_scores == base_scores, (our_scores, base_scores)
            ratios.append(ours / base)
            print(
                f"round {number}: with the variant city {ours:.1f} s, without {base:.1f} s, "
                f"ratio {ours / base:.2f}"
            )
    print(
        f"median ratio over {args.rounds} rounds (variant/plain): {statistics.median(ratios):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``citykit course verify``: check every notebook of the course."""

from __future__ import annotations

import filecmp
import tempfile
import time
from pathlib import Path

from citykit.course.exercises import build
from citykit.course.jobs import METHODS_CHECK, METHODS_CHECK_LEARNER, run_jobs
from citykit.course.layout import (
    assignments,
    grade_cells,
    lessons,
    notebooks,
    read_notebook,
    solution_notebook,
    visible_part,
)
from citykit.course.notebook_checks import check_clean
from citykit.course.report import Report
from citykit.grading.hidden import has_hidden

__all__ = ["verify"]


def verify(root: Path, *, workers: int = 2, execute: bool = True, progress: bool = True) -> Report:
    """Check every notebook of the course; return a :class:`Report`."""
    started = time.perf_counter()
    root = Path(root).resolve()
    report = Report()
    for folder in ("curriculum", "solutions", "exercises"):
        for path in notebooks(root, folder):
            check_clean(path, report, str(path.relative_to(root)))

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
            nb = read_notebook(solution_notebook(root, name))
        except Exception as exc:
            report.fail("question bank matches the notebook", f"solutions/{name}", str(exc))
            continue
        graded = grade_cells(nb)
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
            if not has_hidden(source):
                report.fail(
                    "question bank matches the notebook",
                    f"solutions/{name}",
                    f"grade cell {qid!r} has no hidden tests",
                )
            if "check(" not in visible_part(source):
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
            sol = solution_notebook(root, name)
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
                        METHODS_CHECK_LEARNER,
                        str(ex.relative_to(root)),
                        ("learner", str(ex)),
                    )
                )
            jobs.append(
                (
                    METHODS_CHECK,
                    str(sol.relative_to(root)),
                    ("methods", str(root), name),
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
            run_jobs(jobs, report, workers=workers, progress=progress)
    report.seconds = time.perf_counter() - started
    return report

"""``citykit course run``: execute the lessons with papermill, optionally on a city's own data."""

from __future__ import annotations

import time
from pathlib import Path

from citykit.course.jobs import run_jobs
from citykit.course.layout import lessons
from citykit.course.report import Report

__all__ = ["run"]


def run(
    root: Path,
    *,
    data_dir: str | None = None,
    parameters: dict | None = None,
    out: Path | None = None,
    workers: int = 2,
    progress: bool = True,
    only: list[str] | None = None,
) -> Report:
    """Execute every lesson (or those whose path contains one of ``only``) into ``out``."""
    started = time.perf_counter()
    root = Path(root).resolve()
    out = Path(out) if out else root / "build" / "lessons"
    params = dict(parameters or {})
    if data_dir:
        params["data_dir"] = str(Path(data_dir).resolve())
    jobs = []
    for lesson in lessons(root):
        rel = str(lesson.relative_to(root))
        if only and not any(o in rel for o in only):
            continue
        jobs.append(
            (
                "every lesson executes",
                rel,
                ("lesson", str(lesson), str(out / lesson.parent.name / lesson.name), params),
            )
        )
    report = Report()
    run_jobs(jobs, report, workers=workers, progress=progress)
    report.seconds = time.perf_counter() - started
    return report

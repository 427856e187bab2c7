"""Run the notebook jobs of :func:`~citykit.course.verify` and :func:`~citykit.course.run` in parallel."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from citykit.course.answers import verify_methods
from citykit.course.execution import execute_lesson
from citykit.course.notebook_checks import learner_run, validate
from citykit.course.report import Report

__all__ = ["METHODS_CHECK", "METHODS_CHECK_LEARNER", "run_jobs"]


METHODS_CHECK = "every wrong method is rejected and every alternative accepted"
METHODS_CHECK_LEARNER = "every untouched exercise runs to its end for a learner"


def _task(kind: str, *args):
    work = {
        "validate": validate,
        "methods": verify_methods,
        "learner": learner_run,
        "lesson": execute_lesson,
    }[kind]
    try:
        return work(*args)
    except TimeoutError:
        # a kernel that lost a message waits forever though its work is done: run once more
        return work(*args)


def run_jobs(jobs, report: Report, *, workers: int, progress: bool) -> None:
    """Run ``(check, notebook, (kind, *args))`` jobs in ``workers`` processes into ``report``."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="verifying notebooks", unit="nb", file=sys.stdout)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [(check, rel, pool.submit(_task, *args)) for check, rel, args in jobs]
        for check, rel, future in futures:
            report.count(check)
            try:
                result = future.result()
            except Exception as exc:
                report.fail(check, rel, f"{type(exc).__name__}: {exc}")
            else:
                _judge(check, rel, result, report)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()


def _judge(check: str, rel: str, result, report: Report) -> None:
    if check == "every solution passes every test" and result:
        failed = [c.get("source", "")[:80] for c in result.get("failed", [])]
        changed = result.get("changed", []) + result.get("type_changed", [])
        report.fail(check, rel, f"failing cells: {failed or changed or result}")
    elif check == "every untouched exercise fails every graded test" and result:
        passed = [c.get("source", "")[:80] for c in result.get("passed", [])]
        report.fail(check, rel, f"these tests pass without an answer: {passed or result}")
    elif check == METHODS_CHECK:
        for qid, message in result["problems"]:
            report.fail(check, rel, f"{qid}: {message}")
        report.notes.append(
            f"{Path(rel).parent.name}: {result['mistakes']} wrong methods and "
            f"{result['alternatives']} alternatives run against the data "
            f"({result['seconds']:.0f} s)"
        )
    elif check == METHODS_CHECK_LEARNER:
        if result["stopped"]:
            report.fail(check, rel, f"Run All stops: {result['stopped']}")
        for qid, verdict in result["verdicts"].items():
            if verdict != "Not attempted":
                report.fail(check, rel, f"{qid} shows {verdict!r}, not 'Not attempted'")
        n = len(result["verdicts"])
        if f"0 of {n} questions Correct, {n} not attempted" not in result["last"]:
            report.fail(
                check,
                rel,
                f"the last cell does not summarise every question: {result['last'][:200]}",
            )
    elif check == "every lesson executes" and result:
        report.fail(check, rel, result)

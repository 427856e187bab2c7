"""Checks of one notebook: clean in git, nbgrader's verdict, what a learner sees on Run All."""

from __future__ import annotations

import json
import os
from pathlib import Path

from citykit.course.kernel import CELL_TIMEOUT
from citykit.course.layout import grade_cells, read_notebook
from citykit.course.report import Report

__all__ = ["check_clean", "validate", "learner_run"]


def check_clean(path: Path, report: Report, rel: str) -> None:
    """Record in ``report`` whether a notebook has no outputs and has a ``parameters`` cell."""
    try:
        nb = read_notebook(path)
    except (OSError, json.JSONDecodeError) as exc:
        report.fail("notebooks are valid JSON", rel, str(exc))
        return
    dirty = [
        i
        for i, c in enumerate(nb.get("cells", []))
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    report.count("no outputs or execution counts in git")
    if dirty:
        report.fail(
            "no outputs or execution counts in git",
            rel,
            f"cells {dirty[:5]} carry outputs; clear them (Kernel > Restart and Clear "
            "Outputs) before committing",
        )
    report.count("a papermill `parameters` cell")
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.get("cells", [])):
        report.fail(
            "a papermill `parameters` cell",
            rel,
            "no cell is tagged `parameters`; tag the cell that sets data_dir and the "
            "other inputs (View > Cell tags)",
        )


def validate(path: str, invert: bool) -> dict:
    """Run nbgrader's ``Validator`` on ``path`` (``invert``: every graded test must fail)."""
    from nbgrader.validator import Validator
    from traitlets.config import Config

    config = Config()
    config.Validator.invert = invert
    config.Execute.timeout = CELL_TIMEOUT
    config.Execute.kernel_name = "python3"
    return Validator(config=config).validate(path)


def learner_run(path: str) -> dict:
    """Execute an untouched exercise as a learner does (Run All, no nbgrader); report what it shows."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=False,
            resources={"metadata": {"path": str(Path(path).parent)}},
        )
        try:
            client.execute()
            stopped = None
        except Exception as exc:  # Run All stops at the first error, as JupyterLab does
            stopped = f"{type(exc).__name__}: {str(exc)[-300:]}"
    finally:
        os.environ.clear()
        os.environ.update(old)
    grade = grade_cells(nb)
    verdicts = {}
    for qid, index in grade.items():
        text = json.dumps(
            [o.get("data", {}).get("text/plain", "") for o in nb.cells[index].outputs]
        )
        verdicts[qid] = next(
            (label for label in ("Not attempted", "Not yet", "Correct") if label in text), None
        )
    last = nb.cells[-1]
    shown = json.dumps([o.get("data", {}).get("text/plain", "") for o in last.get("outputs", [])])
    return {"stopped": stopped, "verdicts": verdicts, "last": shown}

"""Execute a notebook with papermill (lessons, the book, a city's own data)."""

from __future__ import annotations

from pathlib import Path

from citykit.course.kernel import CELL_TIMEOUT
from citykit.course.layout import read_notebook

__all__ = ["execute_notebook", "execute_lesson"]


def execute_notebook(
    path: str | Path,
    output: str | Path,
    *,
    parameters: dict | None = None,
    cell_timeout: int = CELL_TIMEOUT,
    attempts: int = 2,
) -> None:
    """Execute a notebook with papermill in its own folder, writing the result to ``output``.

    A cell that gives no answer within ``cell_timeout`` seconds stops the run; the notebook is
    then run once more in a fresh kernel (``attempts=2``), because a kernel that lost a message
    waits forever though its work is done. A notebook that fails raises what papermill raises
    (``PapermillExecutionError`` names the cell and the error).

    Parameters
    ----------
    path, output : str or Path
        The notebook to run and where to write the executed copy.
    parameters : dict, optional, keyword-only
        Values for the notebook's ``parameters`` cell.
    cell_timeout : int, keyword-only
        Seconds a cell may take.
    attempts : int, keyword-only
        Runs allowed when a cell times out.

    Examples
    --------
    >>> from citykit import course
    >>> course.execute_notebook("lesson.ipynb", "build/lesson.ipynb")  # doctest: +SKIP
    """
    import papermill as pm

    Path(output).parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, attempts + 1):
        try:
            pm.execute_notebook(
                str(path),
                str(output),
                parameters=parameters or {},
                progress_bar=False,
                kernel_name="python3",
                cwd=str(Path(path).parent),
                execution_timeout=cell_timeout,
                log_output=False,
            )
            return
        except TimeoutError:  # nbclient's CellTimeoutError
            if attempt == attempts:
                raise


def execute_lesson(path: str, output: str, parameters: dict) -> str | None:
    """Execute one lesson with papermill; return None or a description of the first error."""
    from papermill.exceptions import PapermillExecutionError

    try:
        execute_notebook(path, output, parameters=parameters)
    except PapermillExecutionError:
        nb = read_notebook(Path(output))
        original = [
            c
            for c in nb["cells"]
            if not {"injected-parameters", "papermill-error-cell-tag"}
            & set(c.get("metadata", {}).get("tags", []))
        ]
        for i, cell in enumerate(original):
            if "raises-exception" in cell.get("metadata", {}).get("tags", []):
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    return f"cell {i}: {out['ename']}: {out['evalue']}"
        return None
    except Exception as exc:  # kernel died, bad notebook JSON, missing parameter
        return f"{type(exc).__name__}: {exc}"
    return None

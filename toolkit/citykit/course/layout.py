r"""Where the course keeps its notebooks, and how to read them (grade cells, hidden tests).

Examples
--------
>>> visible_part("check('q1', x)\n### BEGIN HIDDEN TESTS\nassert x == 3\n### END HIDDEN TESTS")
"check('q1', x)"
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from citykit.grading.hidden import visible_part

__all__ = [
    "lessons",
    "assignments",
    "notebooks",
    "child_env",
    "read_notebook",
    "grade_cells",
    "visible_part",
    "between",
    "solution_notebook",
]


def lessons(root: Path) -> list[Path]:
    """Every lesson notebook under ``curriculum/``, in module order."""
    return sorted(Path(root, "curriculum").glob("*/*.ipynb"))


def assignments(root: Path) -> list[str]:
    """Every assignment (a folder of ``solutions/``)."""
    return (
        sorted(p.name for p in Path(root, "solutions").iterdir() if p.is_dir())
        if Path(root, "solutions").is_dir()
        else []
    )


def notebooks(root: Path, folder: str) -> list[Path]:
    """Every notebook one level down in ``folder`` (``curriculum``, ``solutions``, ...)."""
    return sorted(Path(root, folder).glob("*/*.ipynb"))


def child_env(root: Path) -> dict:
    """Environment for child processes: the venv's bin on PATH, no stray Jupyter config."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("JUPYTER_CONFIG_DIR", str(Path(root, "build", "jupyter-config")))
    env["PYTHONWARNINGS"] = env.get("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


def read_notebook(path: Path) -> dict:
    """A notebook as plain JSON (no nbformat validation)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def grade_cells(nb) -> dict[str, int]:
    """Map grade_id -> cell index for autograded code cells."""
    out = {}
    for i, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell["cell_type"] == "code":
            out[meta["grade_id"]] = i
    return out


def solution_notebook(root: Path, assignment: str) -> Path:
    """The one solution notebook of ``assignment``."""
    found = sorted(Path(root, "solutions", assignment).glob("*.ipynb"))
    if len(found) != 1:
        raise RuntimeError(
            f"solutions/{assignment} must hold exactly one notebook, found {len(found)}"
        )
    return found[0]


def between(source: str, begin: str, end: str) -> str:
    """The lines of ``source`` between the marker lines ``begin`` and ``end``."""
    keep, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            keep.append(line)
    return "\n".join(keep)

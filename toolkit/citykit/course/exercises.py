"""``citykit course build``: regenerate the learner's copies (``exercises/``) from ``solutions/``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from citykit.course.layout import assignments, child_env, read_notebook

__all__ = ["build"]


def build(
    root: Path, *, release_dir: Path | None = None, assignment: str | None = None
) -> list[str]:
    """Regenerate the learner's copies (``exercises/``) from ``solutions/``; return the assignments.

    ``release_dir`` writes them elsewhere (used by :func:`verify` to compare without touching
    the working tree).
    """
    root = Path(root).resolve()
    names = [assignment] if assignment else assignments(root)
    for name in names:
        cmd = [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            name,
            "--force",
            "--no-db",
            "--log-level=ERROR",
        ]
        if release_dir is not None:
            cmd.append(f"--CourseDirectory.release_directory={release_dir}")
        done = subprocess.run(cmd, cwd=root, env=child_env(root), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"nbgrader could not generate {name}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        _clean_release(Path(release_dir or root / "exercises") / name)
    return names


def _clean_release(folder: Path) -> None:
    """Make generated notebooks byte-stable (nbgrader keeps source formatting; we normalise)."""
    for path in sorted(folder.glob("*.ipynb")):
        nb = read_notebook(path)
        path.write_text(
            json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )

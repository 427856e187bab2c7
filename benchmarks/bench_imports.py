"""Which lesson cells pay a first-use import, and how long the imports of each lesson take.

Each lesson runs in its own fresh process, in an IPython shell (magics and all), cell by cell.
Before every cell the modules already loaded are noted; a cell after the setup cell (the first
code cell with an ``import`` after the parameters) that loads a heavy package for the first time
(statsmodels, scipy.stats, matplotlib, seaborn, sklearn, duckdb, nbgrader; pandas itself loads pyarrow) is reported
with the seconds that cell took. Goal: none; the setup cell is where the learner expects a wait.

Usage: ``python benchmarks/bench_imports.py [--only SUBSTRING ...]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "statsmodels",
    "scipy.stats",
    "scipy.optimize",
    "matplotlib.pyplot",
    "seaborn",
    "sklearn",
    "duckdb",
    "nbgrader",
    "patsy",
    "formulaic",
)

_CHILD = r"""
import json, os, sys, time
import nbformat
os.environ.setdefault("MPLBACKEND", "Agg")
from IPython.core.interactiveshell import InteractiveShell
path = sys.argv[1]
heavy = tuple(json.loads(sys.argv[2]))
os.chdir(os.path.dirname(path))
nb = nbformat.read(path, 4)
shell = InteractiveShell.instance()
rows, setup_seen = [], False
for number, cell in enumerate(nb.cells):
    if cell.cell_type != "code":
        continue
    tags = cell.metadata.get("tags", [])
    before = set(sys.modules)
    # a plain shell has no inline backend: the Agg backend stands in for %matplotlib inline
    source = "\n".join(
        "" if line.lstrip().startswith("%matplotlib") else line
        for line in cell.source.splitlines()
    )
    started = time.perf_counter()
    result = shell.run_cell(source, silent=True)
    seconds = time.perf_counter() - started
    new = sorted(set(sys.modules) - before)
    first = sorted({h for h in heavy if any(m == h or m.startswith(h + ".") for m in new)})
    is_setup = not setup_seen and "parameters" not in tags and "import" in cell.source
    setup_seen = setup_seen or is_setup
    rows.append({"cell": number, "seconds": seconds, "setup": is_setup, "heavy": first,
                 "error": bool(result.error_in_exec or result.error_before_exec)})
print(json.dumps(rows))
"""


def lesson_imports(lesson: Path) -> list[dict]:
    """Run ``lesson`` in a fresh process; one row per code cell."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(lesson), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{lesson} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    """Print each lesson's late heavy imports and whether the goal (none) is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="lessons whose path contains these")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "toolkit"))
    from citykit import course

    late = 0
    print("Lesson cells that import a heavy package after the setup cell (goal: none)")
    for lesson in course.lessons(ROOT):
        name = str(lesson.relative_to(ROOT))
        if args.only and not any(o in name for o in args.only):
            continue
        rows = lesson_imports(lesson)
        setup = next((r for r in rows if r["setup"]), None)
        flagged = [r for r in rows if r["heavy"] and not r["setup"] and r is not rows[0]]
        late += len(flagged)
        setup_s = f"{setup['seconds']:.2f} s" if setup else "none"
        errors = sum(r["error"] for r in rows)
        print(f"  {name:62s} setup {setup_s:>7s}  late imports {len(flagged)}", end="")
        print(f"  ({errors} cells raised)" if errors else "")
        for r in flagged:
            print(f"      cell {r['cell']}: {', '.join(r['heavy'])} ({r['seconds']:.2f} s)")
    print("  goal met" if not late else f"  {late} cells: goal missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

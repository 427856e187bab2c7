"""How often a graded notebook reads the sample city, with and without the load cache.

Each solution notebook (answers and hidden tests: what a graded kernel runs) is executed cell by
cell in a fresh process, counting the calls of ``datasets.load``, the files actually read and the
seconds spent in ``datasets.load``; once with the cache (the default) and once with it disabled,
interleaved ABBA for ``--rounds`` rounds. Goal: each table read once per notebook.

Usage: ``python benchmarks/bench_loads.py [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import interleave  # noqa: E402

_CHILD = r"""
import json, os, sys, time
import nbformat
os.environ.setdefault("MPLBACKEND", "Agg")
from IPython.core.interactiveshell import InteractiveShell
from citykit import _read, datasets
path, cached = sys.argv[1], sys.argv[2] == "1"
if not cached:
    _read.CACHE_LIMIT_BYTES = -1
calls = {"loads": 0, "reads": 0, "seconds": 0.0}
real_load, real_read = datasets.load, datasets._load_fast
def load(*args, **kwargs):
    calls["loads"] += 1
    started = time.perf_counter()
    try:
        return real_load(*args, **kwargs)
    finally:
        calls["seconds"] += time.perf_counter() - started
def read(*args, **kwargs):
    calls["reads"] += 1
    return real_read(*args, **kwargs)
datasets.load, datasets._load_fast = load, read
os.chdir(os.path.dirname(path))
shell = InteractiveShell.instance()
for cell in nbformat.read(path, 4).cells:
    if cell.cell_type == "code":
        lines = cell.source.splitlines()
        shell.run_cell("\n".join("" if l.lstrip().startswith("%") else l for l in lines), silent=True)
print(json.dumps(calls))
"""


def _run(notebook: Path, cached: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(notebook), "1" if cached else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    """Print loads, reads and seconds per solution notebook with and without the cache."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print("Reads of the sample city per graded notebook (goal: each table once)")
    print(f"  {'notebook':58s} {'loads':>5s} {'reads':>11s} {'s in load':>15s} {'ratio':>6s}")
    for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        runs = interleave(
            {"cache": lambda n=notebook: _run(n, True), "none": lambda n=notebook: _run(n, False)},
            rounds=args.rounds,
        )
        cached, plain = runs["cache"], runs["none"]
        a = statistics.median(r["seconds"] for r in cached)
        b = statistics.median(r["seconds"] for r in plain)
        print(
            f"  {str(notebook.relative_to(ROOT)):58s} {cached[0]['loads']:5d} "
            f"{plain[0]['reads']:4d} -> {cached[0]['reads']:<3d} {b:6.2f} -> {a:<6.2f} "
            f"{a / max(b, 1e-9):6.2f}"
        )
    print("  reads: without -> with the cache; s in load: medians of the rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make bench``: the toolkit at city scale, the course run, and start-up time.

Prints, for each operation, seconds, peak memory, and the ratio to a reference implementation of
the same computation measured in the same run; writes the rows to ``build/bench/results.csv``.
Goals: each operation within 2x of its reference and under 4 GB at scale 100; ``import citykit``
under 0.3 s more than ``import pandas``; every lesson under 20 s; the whole course under 4 minutes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import ops  # noqa: E402,F401
from benchmarks.harness import REGISTRY, measure  # noqa: E402


def _city(scale: float, out_root: Path) -> Path:
    """The sample city at ``scale``, generated once per (scale, generator) and reused."""
    from citykit import synth

    folder = out_root / f"riverton-x{scale:g}"
    stamp = folder / ".stamp"
    sources = sorted(Path(synth.__file__).parent.glob("*.py"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    key = json.dumps({"scale": float(scale), "seed": synth.DEFAULT_SEED, "generator": digest})
    if not (stamp.is_file() and stamp.read_text() == key):
        print(f"Generating the sample city at scale {scale:g} into {folder} ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "citykit.cli",
                "datasets",
                "build",
                "--scale",
                str(scale),
                "--out",
                str(folder),
            ],
            check=True,
        )
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
        stamp.write_text(key)
    return folder


def _import_overhead(repeats: int = 5) -> dict:
    code = (
        "import time; t=time.perf_counter(); import pandas; t1=time.perf_counter(); "
        "import citykit, citykit.datasets, citykit.check, citykit.errors, citykit.tips; "
        "t2=time.perf_counter(); print(t1-t, t2-t1)"
    )
    pandas_s, extra_s = [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        a, b = map(float, out.stdout.split())
        pandas_s.append(a)
        extra_s.append(b)
    pandas_s.sort()
    extra_s.sort()
    return {
        "import pandas (s, median)": pandas_s[len(pandas_s) // 2],
        "import citykit on top (s, median)": extra_s[len(extra_s) // 2],
    }


def _course_times(out_root: Path) -> list[dict]:
    from citykit import course
    from citykit.course.execution import execute_lesson
    from citykit.course.layout import solution_notebook

    rows = []
    for lesson in course.lessons(ROOT):
        started = time.perf_counter()
        problem = execute_lesson(str(lesson), str(out_root / "lessons" / lesson.name), {})
        rows.append(
            {
                "notebook": str(lesson.relative_to(ROOT)),
                "seconds": round(time.perf_counter() - started, 1),
                "error": problem or "",
            }
        )
    for name in course.assignments(ROOT):
        solution = solution_notebook(ROOT, name)
        started = time.perf_counter()
        problem = execute_lesson(str(solution), str(out_root / "solutions" / solution.name), {})
        rows.append(
            {
                "notebook": str(solution.relative_to(ROOT)),
                "seconds": round(time.perf_counter() - started, 1),
                "error": problem or "",
            }
        )
    return rows


def main(argv=None) -> int:
    """Run the benchmarks; return 1 if any toolkit answer differs from its reference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    parser.add_argument("--only", nargs="*", help="operations whose name contains these")
    parser.add_argument("--skip-course", action="store_true")
    args = parser.parse_args(argv)
    out_root = Path(args.out)
    out_root.mkdir(parents=True, exist_ok=True)

    city = _city(args.scale, out_root)
    rows = []
    for name, op in REGISTRY.items():
        if args.only and not any(o in name for o in args.only):
            continue
        print(f"- {name} ...", flush=True)
        rows.append(measure(op, city))
    header = f"{'operation':46s} {'toolkit s':>9s} {'ref s':>8s} {'ratio':>6s} {'peak MB':>8s}  ok"
    print("\nToolkit operations at scale", f"{args.scale:g}", "(ratio = toolkit / reference)")
    print(header)
    for r in rows:
        goal = "" if r["ratio"] <= 2 and r["toolkit_peak_mb"] < 4096 else "  <- goal missed"
        print(
            f"{r['operation'][:46]:46s} {r['toolkit_s']:9.2f} {r['reference_s']:8.2f} "
            f"{r['ratio']:6.2f} {r['toolkit_peak_mb']:8d}  {'yes' if r['answers_equal'] else 'NO'}"
            f"{goal}"
        )
    with open(out_root / "results.csv", "w", newline="") as f:
        if rows:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    startup = _import_overhead()
    print(
        "\nStart-up:",
        ", ".join(f"{k} {v:.3f}" for k, v in startup.items()),
        "(goal: citykit adds < 0.3 s)",
    )

    if not args.skip_course:
        times = _course_times(out_root)
        total = sum(t["seconds"] for t in times)
        print("\nNotebook execution (goal: each lesson < 20 s, all < 240 s)")
        for t in times:
            flag = "  <- over 20 s" if t["seconds"] > 20 and "curriculum" in t["notebook"] else ""
            err = f"  ERROR {t['error']}" if t["error"] else ""
            print(f"  {t['notebook']:70s} {t['seconds']:6.1f}{flag}{err}")
        print(f"  total (sequential) {total:.0f} s")
        with open(out_root / "notebooks.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["notebook", "seconds", "error"])
            writer.writeheader()
            writer.writerows(times)
    print(f"\nResults written to {out_root}/results.csv")
    return 0 if all(r["answers_equal"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

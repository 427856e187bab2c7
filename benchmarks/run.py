"""``make bench``: the toolkit at city scale, the course run, and start-up time.

Prints, for each operation, the median seconds and peak memory of both sides and their ratio,
measured in the same run, interleaved ABBA for ``--rounds`` rounds (at least 3), with the range
of the per-round ratios; writes the rows to ``build/bench/results.csv``. Every operation is
measured at every scale of ``--scales`` (50 and 100: about 2.5M and 5M requests). Goals:
``datasets.load`` within 1.3x of the time and 1.2x of the peak memory of the idiomatic pandas read; every other operation within 2x of its reference (or
under 0.05 s, where a fixed cost of a few milliseconds is all a ratio measures) and under 2 GB at
scale 100; ``import citykit`` under 0.3 s more than ``import pandas``; every lesson under 20 s.
The largest city that fits in 24 GB is extrapolated from the measured peaks.
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


FAST_S = 0.05
MEMORY_LIMIT_MB = 2048
MACHINE_MB = 24 * 1024


def _goal_met(row: dict) -> bool:
    fast = row["ratio"] <= row["goal"] or row["toolkit_s"] < FAST_S
    memory = row["memory_goal"] == "" or row["peak_ratio"] <= row["memory_goal"]
    return fast and memory and row["toolkit_peak_mb"] < MEMORY_LIMIT_MB


def _print_rows(rows: list[dict]) -> None:
    print(
        f"{'operation':44s} {'scale':>5s} {'toolkit s':>9s} {'ref s':>7s} {'ratio':>5s} "
        f"{'range':>11s} {'goal':>4s} {'peak MB':>7s} {'x ref':>5s}  ok"
    )
    for r in rows:
        goal = "" if _goal_met(r) else "  <- goal missed"
        memory = f"{r['peak_ratio']:5.2f}"
        print(
            f"{r['operation'][:44]:44s} {r['scale']:5g} {r['toolkit_s']:9.3f} "
            f"{r['reference_s']:7.3f} {r['ratio']:5.2f} "
            f"{r['ratio_low']:5.2f}-{r['ratio_high']:<5.2f} {r['goal']:4.1f} "
            f"{r['toolkit_peak_mb']:7d} {memory}  {'yes' if r['answers_equal'] else 'NO'}{goal}"
        )
        if r["note"]:
            print(f"    answers differ: {r['note']}")
    print(
        "  ratio = toolkit / reference, medians of the rounds; range = per-round ratios; "
        "x ref = peak memory / the reference's"
    )
    print(
        "  references:",
        "; ".join(sorted({f"{r['operation']}: {r['reference']}" for r in rows if r["reference"]})),
    )


def _largest_city(rows: list[dict]) -> str:
    """The largest scale at which every operation's peak memory fits in 24 GB.

    Each operation's peak at its two largest measured scales gives a straight line (a fixed
    part: interpreter and libraries; a part in proportion to the city); the city that fits is
    the smallest scale at which one of those lines reaches 24 GB.
    """
    limits = []
    for name in dict.fromkeys(r["operation"] for r in rows):
        points = sorted((r["scale"], r["toolkit_peak_mb"]) for r in rows if r["operation"] == name)
        if len(points) < 2:
            continue
        (s1, p1), (s2, p2) = points[-2], points[-1]
        slope = max((p2 - p1) / (s2 - s1), 1e-9)
        limits.append(((MACHINE_MB - p2) / slope + s2, name, s1, p1, s2, p2))
    if not limits:
        return "needs the operations measured at two scales (--scales 50 100)"
    largest, name, s1, p1, s2, p2 = min(limits)
    return (
        f"scale {largest:.0f} (about {largest * 0.05:.0f}M service requests), limited by "
        f"{name!r}: {p1} MB at scale {s1:g}, {p2} MB at scale {s2:g}"
    )


def main(argv=None) -> int:
    """Run the benchmarks; return 1 if any toolkit answer differs from its reference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[50, 100])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    parser.add_argument("--only", nargs="*", help="operations whose name contains these")
    parser.add_argument("--skip-course", action="store_true")
    args = parser.parse_args(argv)
    if args.rounds < 3:
        parser.error("--rounds must be 3 or more (ABBA needs repeats to mean anything)")
    out_root = Path(args.out)
    out_root.mkdir(parents=True, exist_ok=True)

    rows = []
    for scale in sorted(args.scales):
        city = _city(scale, out_root)
        for name, op in REGISTRY.items():
            if args.only and not any(o in name for o in args.only):
                continue
            print(f"- {name} at scale {scale:g} ...", flush=True)
            rows.append({"scale": scale, **measure(op, city, rounds=args.rounds)})
    print(f"\nToolkit operations, {args.rounds} rounds ABBA")
    _print_rows(rows)
    print("\nLargest city that fits in 24 GB:", _largest_city(rows))
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

"""Measure toolkit operations against a reference implementation of the same computation.

Each operation is an :class:`Op`: how to load its inputs (for each side: a DuckDB reference gets
its own native table, built before the clock starts), the toolkit call, a reference call and a
comparison of the two answers. Every run of every side is a fresh Python process, so its seconds
and its peak memory (maximum resident set size) are its own. The sides are interleaved in the
same run, ABBA: round 1 toolkit then reference, round 2 reference then toolkit, and so on, at
least three rounds; the result is the median of each side, the ratio of the medians and the range
of the per-round ratios. Every run's answer is compared in the parent, so speed never costs
correctness.
"""

from __future__ import annotations

import json
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Op", "measure", "interleave", "summarize", "REGISTRY", "register"]


@dataclass(frozen=True)
class Op:
    """One benchmarked operation.

    ``load`` prepares the toolkit's inputs, ``reference_load`` the reference's (default: the
    same); neither is timed. ``digest`` (optional) turns an answer into something small to
    compare, after the clock stops and the peak memory is read. ``goal`` is the largest
    acceptable time ratio, ``memory_goal`` the largest acceptable peak-memory ratio (``None``:
    only the absolute limit of ``run.py`` applies).
    """

    name: str
    load: Callable[[Path], dict]
    toolkit: Callable[[dict], object]
    reference: Callable[[dict], object]
    compare: Callable[[object, object], None]
    reference_kind: str = "DuckDB SQL on a native table"
    reference_load: Callable[[Path], dict] | None = None
    digest: Callable[[object], object] | None = None
    goal: float = 2.0
    memory_goal: float | None = None


REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add ``op`` to the registry (module import side effect of benchmarks/ops_*.py)."""
    REGISTRY[op.name] = op
    return op


def _child(op_name: str, side: str, data_dir: str, out: str) -> None:
    """Run one side of one op in this (fresh) process and pickle its answer and timing."""
    import benchmarks.ops  # noqa: F401  (fills the registry)

    op = REGISTRY[op_name]
    load = op.load if side == "toolkit" or op.reference_load is None else op.reference_load
    inputs = load(Path(data_dir))
    start = time.perf_counter()
    answer = (op.toolkit if side == "toolkit" else op.reference)(inputs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if op.digest is not None:
        answer = op.digest(answer)
    with open(out, "wb") as f:
        pickle.dump({"answer": answer, "seconds": seconds, "peak_bytes": peak}, f)


def _run_side(op: Op, side: str, data_dir: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as tmp:
        out = tmp.name
    root = Path(__file__).resolve().parents[1]
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r}); from benchmarks.harness import _child; "
        f"_child({op.name!r}, {side!r}, {str(data_dir)!r}, {out!r})"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{op.name} ({side}) failed:\n{done.stderr[-3000:]}")
    with open(out, "rb") as f:
        result = pickle.load(f)
    Path(out).unlink()
    return result


def interleave(sides: dict[str, Callable[[], dict]], *, rounds: int = 3) -> dict[str, list]:
    """Run two sides ABBA for ``rounds`` rounds; return each side's results in run order.

    Examples
    --------
    >>> order = []
    >>> _ = interleave({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, rounds=3)
    >>> "".join(order)
    'abbaab'
    """
    if len(sides) != 2:
        raise ValueError("interleave compares exactly two sides")
    names = list(sides)
    results: dict[str, list] = {name: [] for name in names}
    for number in range(max(int(rounds), 1)):
        for name in names if number % 2 == 0 else names[::-1]:
            results[name].append(sides[name]())
    return results


def summarize(ours: list[float], ref: list[float]) -> dict:
    """Medians of both sides, the ratio of the medians and the range of per-round ratios."""
    ratios = [a / max(b, 1e-9) for a, b in zip(ours, ref, strict=True)]
    a, b = statistics.median(ours), statistics.median(ref)
    return {
        "ours": a,
        "ref": b,
        "ratio": a / max(b, 1e-9),
        "low": min(ratios),
        "high": max(ratios),
    }


def measure(op: Op, data_dir: Path, *, rounds: int = 3) -> dict:
    """Time both sides of ``op`` interleaved and check every pair of answers agrees."""
    runs = interleave(
        {
            "toolkit": lambda: _run_side(op, "toolkit", data_dir),
            "reference": lambda: _run_side(op, "reference", data_dir),
        },
        rounds=rounds,
    )
    errors = []
    for ours, ref in zip(runs["toolkit"], runs["reference"], strict=True):
        try:
            op.compare(ours["answer"], ref["answer"])
        except AssertionError as exc:
            errors.append(str(exc)[:300])
    time_ = summarize(
        [r["seconds"] for r in runs["toolkit"]], [r["seconds"] for r in runs["reference"]]
    )
    peak = summarize(
        [r["peak_bytes"] for r in runs["toolkit"]], [r["peak_bytes"] for r in runs["reference"]]
    )
    return {
        "operation": op.name,
        "rounds": len(runs["toolkit"]),
        "toolkit_s": round(time_["ours"], 3),
        "reference_s": round(time_["ref"], 3),
        "ratio": round(time_["ratio"], 2),
        "ratio_low": round(time_["low"], 2),
        "ratio_high": round(time_["high"], 2),
        "goal": op.goal,
        "toolkit_peak_mb": round(peak["ours"] / 2**20),
        "reference_peak_mb": round(peak["ref"] / 2**20),
        "peak_ratio": round(peak["ratio"], 2),
        "memory_goal": op.memory_goal if op.memory_goal is not None else "",
        "reference": op.reference_kind,
        "answers_equal": not errors,
        "note": errors[0] if errors else "",
    }


def dumps(rows: list[dict]) -> str:
    """Rows as JSON (for logs)."""
    return json.dumps(rows, indent=1)

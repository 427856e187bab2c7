"""Measure toolkit operations against a reference implementation of the same computation.

Each operation is an :class:`Op`: how to load its inputs, the toolkit call, a reference call
(a DuckDB SQL query for aggregations, statsmodels called directly for model fits) and a comparison
of the two answers. Each side runs in its own fresh Python process, so its seconds and its peak
memory (maximum resident set size) are its own; the answers are compared in the parent, so speed
never costs correctness.
"""

from __future__ import annotations

import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Op", "measure", "REGISTRY", "register"]


@dataclass(frozen=True)
class Op:
    """One benchmarked operation."""

    name: str
    load: Callable[[Path], dict]
    toolkit: Callable[[dict], object]
    reference: Callable[[dict], object]
    compare: Callable[[object, object], None]
    reference_kind: str = "DuckDB SQL"


REGISTRY: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add ``op`` to the registry (module import side effect of benchmarks/ops_*.py)."""
    REGISTRY[op.name] = op
    return op


def _child(op_name: str, side: str, data_dir: str, out: str) -> None:
    """Run one side of one op in this (fresh) process and pickle its answer and timing."""
    import benchmarks.ops  # noqa: F401  (fills the registry)

    op = REGISTRY[op_name]
    inputs = op.load(Path(data_dir))
    start = time.perf_counter()
    answer = (op.toolkit if side == "toolkit" else op.reference)(inputs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
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


def measure(op: Op, data_dir: Path) -> dict:
    """Time both sides of ``op`` and check their answers agree; return one result row."""
    ours = _run_side(op, "toolkit", data_dir)
    ref = _run_side(op, "reference", data_dir)
    error = ""
    try:
        op.compare(ours["answer"], ref["answer"])
        equal = True
    except AssertionError as exc:
        equal, error = False, str(exc)[:300]
    return {
        "operation": op.name,
        "toolkit_s": round(ours["seconds"], 3),
        "reference_s": round(ref["seconds"], 3),
        "ratio": round(ours["seconds"] / max(ref["seconds"], 1e-9), 2),
        "toolkit_peak_mb": round(ours["peak_bytes"] / 2**20),
        "reference_peak_mb": round(ref["peak_bytes"] / 2**20),
        "reference": op.reference_kind,
        "answers_equal": equal,
        "note": error,
    }


def dumps(rows: list[dict]) -> str:
    """Rows as JSON (for logs)."""
    return json.dumps(rows, indent=1)

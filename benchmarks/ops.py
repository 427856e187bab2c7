"""All benchmarked operations: importing this module fills :data:`benchmarks.harness.REGISTRY`."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

for _info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _info.name.startswith("ops_"):
        importlib.import_module(f"benchmarks.{_info.name}")

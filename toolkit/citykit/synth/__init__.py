"""Deterministic generator of the fictional sample city, Riverton.

Each family of tables lives in its own module (see :mod:`citykit.synth._core` for the contract).
:func:`build` runs every family and writes ``datasets/``: the same seed gives the same bytes.

Examples
--------
>>> from citykit import synth
>>> sorted(synth.FAMILIES)[:1]
['homeless']
"""

from __future__ import annotations

import importlib
from pathlib import Path

from citykit.synth._core import RIVERTON, TableSpec, write_tables

__all__ = ["FAMILIES", "DEFAULT_SEED", "specs", "generate", "build"]

#: Every family of tables, by module name (one module per family).
FAMILIES = (
    "requests311",
    "measures",
    "opendata",
    "permits",
    "trials",
    "homeless",
)

DEFAULT_SEED = 20240501


def _family(name: str):
    return importlib.import_module(f"citykit.synth.{name}")


def _available() -> list[str]:
    out = []
    for name in FAMILIES:
        try:
            _family(name)
        except ModuleNotFoundError as exc:
            if exc.name != f"citykit.synth.{name}":
                raise
            continue
        out.append(name)
    return out


def specs() -> list[TableSpec]:
    """Return the specs of every table, in the order they are written."""
    return [spec for name in _available() for spec in _family(name).SPECS]


def generate(*, seed: int = DEFAULT_SEED, scale: float = 1.0, families=None) -> dict:
    """Generate every table (or those of ``families``) in memory as ``{name: DataFrame}``."""
    tables: dict = {}
    for name in families or _available():
        made = _family(name).generate(seed=seed, scale=scale, city=RIVERTON)
        expected = [spec.name for spec in _family(name).SPECS]
        if sorted(made) != sorted(expected):
            raise ValueError(f"family {name!r} made {sorted(made)}, its specs say {expected}")
        tables.update(made)
    return tables


def build(out: str | Path, *, seed: int = DEFAULT_SEED, scale: float = 1.0) -> list[Path]:
    """Generate every table and write CSV files plus ``datapackage.json`` into ``out``."""
    tables = generate(seed=seed, scale=scale)
    description = (
        f"{RIVERTON.name} is a fictional US city of about {RIVERTON.population:,} residents in "
        f"{len(RIVERTON.districts)} districts. Every table is synthetic, made by citykit.synth "
        f"(seed {seed}, scale {scale:g}); known ground truths live in the generator."
    )
    return write_tables(tables, specs(), Path(out), description=description)

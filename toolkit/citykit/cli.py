"""The ``citykit`` command: build the sample city, build and verify the course, grade a cohort.

Examples
--------
.. code-block:: console

    citykit datasets build                 # regenerate datasets/ (deterministic)
    citykit datasets build --scale 100 --out /tmp/riverton-x100
    citykit course build                   # regenerate exercises/ from solutions/
    citykit course verify                  # check every notebook; non-zero exit on failure
    citykit course run --data-dir my-city/ # execute the lessons into build/
    citykit grade 00-foundations --workers 2

A mistake of the user (an option out of range, a folder that is not a course, an unknown name)
prints one message and exits with code 2, never a traceback; a command that checked or built
nothing exits non-zero too. Commands that read or write the course work on the course repository
found from the current folder (or ``--root``), never on the folder citykit is installed in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from citykit.argtypes import database_url, positive_integer, positive_number
from citykit.errors import CityKitError
from citykit.paths import course_root

__all__ = ["main", "build_parser"]


def _datasets_build(args: argparse.Namespace) -> int:
    from citykit import synth

    out = Path(args.out) if args.out else course_root() / "datasets"
    paths = synth.build(out, seed=args.seed, scale=args.scale)
    size = sum(p.stat().st_size for p in paths)
    print(f"Wrote {len(paths)} files ({size / 1e6:.1f} MB) to {out}")
    return 0


def _datasets_list(args: argparse.Namespace) -> int:
    from citykit import datasets

    for name in datasets.list_datasets():
        print(f"{name:32s} {datasets.schema(name).get('title', '')}")
    return 0


def _datasets_describe(args: argparse.Namespace) -> int:
    from citykit import datasets

    print(datasets.describe(args.name).to_string())
    return 0


def _add_datasets(sub) -> None:
    parser = sub.add_parser("datasets", help="build or list the sample city's tables")
    actions = parser.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="generate the sample city (deterministic)")
    build.add_argument(
        "--scale", type=positive_number, default=1.0, help="row-count multiplier (default 1)"
    )
    build.add_argument("--out", help="output folder (default: the repository's datasets/)")
    build.add_argument("--seed", type=int, default=None, help="random seed (default: the course's)")
    build.set_defaults(func=_datasets_build)
    listing = actions.add_parser("list", help="list the tables")
    listing.set_defaults(func=_datasets_list)
    describe = actions.add_parser("describe", help="list a table's columns, types and units")
    describe.add_argument("name", help="a table (see `citykit datasets list`)")
    describe.set_defaults(func=_datasets_describe)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``citykit`` command."""
    parser = argparse.ArgumentParser(
        prog="citykit", description="City Analyst Academy: sample city, course and grading tools."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_datasets(sub)
    from citykit import course

    course.add_course_parser(sub)
    try:
        from citykit import grading
    except ModuleNotFoundError as exc:  # grading is optional tooling
        if exc.name != "citykit.grading":
            raise
    else:
        _checked_grade_options(grading.add_grade_parser(sub))
    return parser


def _checked_grade_options(parser: argparse.ArgumentParser) -> None:
    """Give ``citykit grade``'s numbers and gradebook URL types that reject a mistake up front."""
    types = {
        "timeout": positive_number,
        "workers": positive_integer,
        "db_url": database_url,
        "memory_mb": positive_integer,
        "cpu_seconds": positive_integer,
    }
    for action in parser._actions:
        if action.dest in types:
            action.type = types[action.dest]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage mistake (argparse printed it) or --help
        return exc.code if isinstance(exc.code, int) else 2
    if getattr(args, "seed", "absent") is None:
        from citykit.synth import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return int(args.func(args) or 0)
    except CityKitError as exc:  # a foreseeable mistake: a message, not a traceback
        print(f"citykit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.")
        return 130


if __name__ == "__main__":
    sys.exit(main())

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
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def _repo_root() -> Path:
    """The course repository: the nearest folder up from here with nbgrader_config.py."""
    for parent in [Path.cwd(), *Path.cwd().parents]:
        if (parent / "nbgrader_config.py").is_file() and (parent / "solutions").is_dir():
            return parent
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "nbgrader_config.py").is_file():
            return parent
    return Path.cwd()


def _datasets_build(args: argparse.Namespace) -> int:
    from citykit import synth

    out = Path(args.out) if args.out else _repo_root() / "datasets"
    paths = synth.build(out, seed=args.seed, scale=args.scale)
    size = sum(p.stat().st_size for p in paths)
    print(f"Wrote {len(paths)} files ({size / 1e6:.1f} MB) to {out}")
    return 0


def _datasets_list(args: argparse.Namespace) -> int:
    from citykit import datasets

    for name in datasets.list_datasets():
        print(f"{name:32s} {datasets.schema(name).get('title', '')}")
    return 0


def _add_datasets(sub) -> None:
    parser = sub.add_parser("datasets", help="build or list the sample city's tables")
    actions = parser.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="generate the sample city (deterministic)")
    build.add_argument("--scale", type=float, default=1.0, help="row-count multiplier (default 1)")
    build.add_argument("--out", help="output folder (default: the repository's datasets/)")
    build.add_argument("--seed", type=int, default=None, help="random seed (default: the course's)")
    build.set_defaults(func=_datasets_build)
    listing = actions.add_parser("list", help="list the tables")
    listing.set_defaults(func=_datasets_list)


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
        grading.add_grade_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "seed", "absent") is None:
        from citykit.synth import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.")
        return 130


if __name__ == "__main__":
    sys.exit(main())

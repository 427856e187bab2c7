"""The ``citykit course`` sub-command: build, fingerprint, verify, run.

A user's mistake (a ``--root`` that is not a course, an unknown assignment, ``--only`` that
matches no lesson) raises a :class:`~citykit.errors.CityKitError`, which ``citykit`` prints as
one message with exit code 2; a command that checked or built nothing exits non-zero.
"""

from __future__ import annotations

import json
from pathlib import Path

from citykit.argtypes import positive_integer
from citykit.course.answers import fingerprint
from citykit.course.exercises import build
from citykit.course.layout import assignments, lessons
from citykit.course.running import run
from citykit.course.verification import verify
from citykit.errors import CityKitError, UnknownNameError, did_you_mean
from citykit.paths import CONFIG_FILE, CourseNotFoundError, course_root, is_course_root

__all__ = ["add_course_parser"]


def _root(args) -> Path:
    """The course the command works on: ``--root``, else the one at or above the current folder.

    Never the folder citykit is installed in; a folder that is not a course is refused.
    """
    if getattr(args, "root", None):
        root = Path(args.root).resolve()
        if not is_course_root(root):
            raise CourseNotFoundError(
                f"--root {args.root!r} is not a course repository: it holds no {CONFIG_FILE}. "
                "Name the folder of a clone of the course (the one with nbgrader_config.py, "
                "solutions/ and curriculum/)."
            )
    else:
        root = course_root()
    if not (root / "solutions").is_dir() or not (root / "curriculum").is_dir():
        raise CourseNotFoundError(
            f"{str(root)!r} holds {CONFIG_FILE} but no solutions/ and curriculum/ folders, so it "
            "is not a City Analyst Academy course; run the command in a clone of the course or "
            "name one with --root."
        )
    return root


def _known_assignments(root: Path, names: list[str]) -> list[str]:
    """``names`` (or every assignment), each checked to be a folder of ``solutions/``."""
    known = assignments(root)
    for name in names:
        if name not in known:
            raise UnknownNameError(
                f"{name!r} is not an assignment of this course.{did_you_mean(name, known)} "
                f"The assignments are: {', '.join(known) or '(none)'}."
            )
    if not known:
        raise CourseNotFoundError(f"solutions/ of {str(root)!r} holds no assignment folder.")
    return list(names) or known


def _cmd_build(args) -> int:
    root = _root(args)
    (name,) = _known_assignments(root, [args.assignment]) if args.assignment else (None,)
    names = build(root, assignment=name)
    print(f"Regenerated exercises/ for {len(names)} assignments: {', '.join(names)}")
    return 0


def _cmd_fingerprint(args) -> int:
    root = _root(args)
    for name in _known_assignments(root, args.assignment or []):
        path = fingerprint(root, name)
        print(f"Wrote {path.name}")
    return 0


def _cmd_verify(args) -> int:
    report = verify(_root(args), workers=args.workers, execute=not args.no_execute)
    print(report)
    if not report.checked:
        print("Nothing was checked: the course has no notebooks.")
        return 1
    return 0 if report.ok else 1


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _cmd_run(args) -> int:
    root = _root(args)
    params = {name: _parse_value(value) for name, value in args.parameter or []}
    if args.data_dir and not Path(args.data_dir).is_dir():
        raise CityKitError(
            f"--data-dir {args.data_dir!r} is not a folder; name the folder that holds your "
            "city's tables (e.g. service_requests.csv)."
        )
    rels = [str(lesson.relative_to(root)) for lesson in lessons(root)]
    if not rels:
        raise CourseNotFoundError(f"curriculum/ of {str(root)!r} holds no lesson notebooks.")
    unmatched = [o for o in args.only or [] if not any(o in rel for rel in rels)]
    if args.only is not None and (unmatched or not args.only):
        raise UnknownNameError(
            f"--only {' '.join(unmatched) or '(nothing)'}: no lesson's path contains "
            f"{'it' if len(unmatched) == 1 else 'them'}.{did_you_mean(unmatched[0], rels) if unmatched else ''} "
            f"The lessons are: {', '.join(rels)}."
        )
    report = run(
        root,
        data_dir=args.data_dir,
        parameters=params,
        out=Path(args.out) if args.out else None,
        workers=args.workers,
        only=args.only,
    )
    executed = report.checked.get("every lesson executes", 0)
    print(f"Executed {executed} lessons in {report.seconds:.0f} s; {len(report.problems)} failed.")
    for p in report.problems:
        print(f"  FAILED {p.notebook}: {p.message}")
    return 0 if report.ok else 1


def add_course_parser(sub) -> None:
    """Add the ``course`` sub-command (build, fingerprint, verify, run) to ``sub``."""
    parser = sub.add_parser("course", help="build, verify or run the course notebooks")
    parser.add_argument("--root", help="course repository (default: found from the current folder)")
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("build", help="regenerate exercises/ from solutions/")
    p.add_argument("assignment", nargs="?", help="one assignment (default: all)")
    p.set_defaults(func=_cmd_build)
    p = actions.add_parser("fingerprint", help="write answer fingerprints from the solutions")
    p.add_argument("assignment", nargs="*", help="assignments (default: all)")
    p.set_defaults(func=_cmd_fingerprint)
    p = actions.add_parser("verify", help="check every notebook (non-zero exit on failure)")
    p.add_argument("--workers", type=positive_integer, default=2)
    p.add_argument("--no-execute", action="store_true", help="skip executing notebooks")
    p.set_defaults(func=_cmd_verify)
    p = actions.add_parser("run", help="execute the lessons with papermill into build/")
    p.add_argument("--data-dir", help="a folder with your own city's tables")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a lesson parameter (repeatable)",
    )
    p.add_argument("--out", help="output folder (default build/lessons)")
    p.add_argument("--only", nargs="*", help="run only lessons whose path contains these")
    p.add_argument("--workers", type=positive_integer, default=2)
    p.set_defaults(func=_cmd_run)

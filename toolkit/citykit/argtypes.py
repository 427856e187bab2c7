"""Types for the command line's arguments: a mistake is refused by argparse, with exit code 2.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="demo", exit_on_error=False)
>>> _ = parser.add_argument("--scale", type=positive_number)
>>> parser.parse_args(["--scale", "2"]).scale
2.0
"""

from __future__ import annotations

import argparse

__all__ = ["positive_number", "positive_integer", "database_url"]


def _number(text: str, convert, *, smallest, wanted: str):
    """``text`` converted, if it is a finite number of at least ``smallest`` (else refused)."""
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not smallest <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be {wanted}, not {text!r}")
    return value


def positive_number(text: str) -> float:
    """An argparse type: a number greater than 0 (``--scale``, ``--timeout``).

    Examples
    --------
    >>> positive_number("2.5")
    2.5
    >>> positive_number("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number greater than 0, not '0'
    """
    value = _number(text, float, smallest=0.0, wanted="a number greater than 0")
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, not {text!r}")
    return value


def positive_integer(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--workers``).

    Examples
    --------
    >>> positive_integer("3")
    3
    """
    return _number(text, int, smallest=1, wanted="a whole number of at least 1")


def database_url(text: str) -> str:
    """An argparse type: a gradebook URL SQLAlchemy can open (its driver installed).

    Examples
    --------
    >>> database_url("sqlite:///gradebook.db")
    'sqlite:///gradebook.db'
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(text).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a gradebook URL this installation can open; give e.g. "
            "sqlite:///_grading/gradebook.db or postgresql+psycopg://user@host/database"
        ) from None
    except ImportError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} needs a database driver that is not installed ({exc.name}); install it "
            "or use sqlite:///_grading/gradebook.db"
        ) from None
    return text

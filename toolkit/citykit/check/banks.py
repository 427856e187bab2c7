"""Question banks: where an assignment's bank is found, and the bank merged with its fingerprints.

Examples
--------
>>> bank_path("00-foundations").name
'00-foundations.toml'
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from citykit.check.canonical import KINDS
from citykit.errors import CityKitError, UnknownNameError, did_you_mean

__all__ = ["QUESTIONS_DIR", "QUESTIONS_ENV", "REFINGERPRINT_ENV", "bank_path", "load_bank"]

QUESTIONS_DIR = Path(__file__).parent.parent / "questions"
#: Environment variable naming an extra folder of question banks (an instructor's own assignments).
QUESTIONS_ENV = "CITYKIT_QUESTIONS_DIR"
#: Environment variable set by ``citykit course fingerprint`` in the solution's kernel: the checks
#: ignore the fingerprints about to be replaced.
REFINGERPRINT_ENV = "CITYKIT_REFINGERPRINT"


def _bank_dirs() -> list[Path]:
    extra = os.environ.get(QUESTIONS_ENV)
    return ([Path(extra)] if extra else []) + [QUESTIONS_DIR]


def bank_path(assignment: str) -> Path:
    """Return the path of an assignment's question bank.

    Banks are looked up first in the folder named by ``$CITYKIT_QUESTIONS_DIR`` (so an instructor
    can add assignments without editing the package), then in ``citykit/questions/``.
    """
    for folder in _bank_dirs():
        if (folder / f"{assignment}.toml").is_file():
            return folder / f"{assignment}.toml"
    return _bank_dirs()[0] / f"{assignment}.toml"


def load_bank(assignment: str) -> dict:
    """Return an assignment's question bank merged with its answer fingerprints.

    Examples
    --------
    >>> bank = load_bank("00-foundations")
    >>> sorted(bank["questions"])[0].startswith("q")
    True
    """
    path = bank_path(assignment)
    if not path.is_file():
        known = sorted({p.stem for d in _bank_dirs() for p in d.glob("*.toml")})
        raise UnknownNameError(
            f"No question bank for assignment {assignment!r}.{did_you_mean(assignment, known)} "
            f"Known assignments: {', '.join(known) or '(none)'}."
        )
    bank = tomllib.loads(path.read_text(encoding="utf-8"))
    answers_file = path.with_name(f"{assignment}.answers.json")
    answers = json.loads(answers_file.read_text()) if answers_file.is_file() else {}
    if os.environ.get(REFINGERPRINT_ENV):
        # `citykit course fingerprint` re-runs the solution to write new fingerprints: the old
        # ones may describe answers that have since changed, so the checks must not use them
        answers = {}
    for qid, spec in bank.get("questions", {}).items():
        kind = spec.get("kind", "number")
        if kind not in KINDS:
            raise CityKitError(
                f"{path.name}: question {qid!r} has kind={kind!r}; use one of {', '.join(KINDS)}."
            )
        if "variable" not in spec:
            raise CityKitError(f'{path.name}: question {qid!r} needs a `variable = "..."` line.')
        if "decimals" in spec and kind not in ("number", "list"):
            raise CityKitError(
                f"{path.name}: question {qid!r} has decimals= but kind={kind!r}; decimals= "
                "applies to numbers and lists of numbers."
            )
        spec.setdefault("hints", [])
        spec.setdefault("mistakes", [])
        spec.setdefault("alternatives", [])
        spec["answer"] = answers.get(qid, {})
    bank["id"] = assignment
    return bank

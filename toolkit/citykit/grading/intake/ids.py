"""Student ids: an LMS identity turned into an nbgrader id, one-to-one and the same every run.

Examples
--------
>>> student_id("Mary Jane")
'mary~20jane'
"""

from __future__ import annotations

import re
import unicodedata

from citykit.grading.layout import GradingSetupError

__all__ = ["is_student_id", "student_id"]

_ESCAPED = re.compile(r"~[0-9a-f]{2}")


def student_id(raw: str) -> str:
    """Map an LMS user name to an nbgrader-safe student id, one-to-one and the same every run.

    Parameters
    ----------
    raw : str
        The LMS's name for the student (login, full name, Canvas name part).

    Returns
    -------
    str
        NFC, lower case; letters and digits of any script and ``_ @`` kept, ``. -`` kept except
        in first place; any other character as ``~`` plus the hex of its UTF-8 bytes.

    Raises
    ------
    GradingSetupError
        When ``raw`` is empty.

    Examples
    --------
    >>> [student_id(s) for s in ["jane_smith", "John_Smith", "mary jane", "o'brien", "José"]]
    ['jane_smith', 'john_smith', 'mary~20jane', 'o~27brien', 'josé']
    """
    text = unicodedata.normalize("NFC", str(raw).strip()).lower()
    if not text:
        raise GradingSetupError("an LMS file names an empty student; rename the file")
    out = []
    for i, ch in enumerate(text):
        if ch.isalnum() or ch in "_@" or (ch in ".-" and i > 0):
            out.append(ch)
        else:
            out.append("".join(f"~{b:02x}" for b in ch.encode("utf-8")))
    return "".join(out)


def is_student_id(name: str) -> bool:
    """True when ``name`` is already a safe id (as :func:`student_id` makes, any case).

    Examples
    --------
    >>> is_student_id("mary~20jane"), is_student_id("mary jane"), is_student_id(".hidden")
    (True, False, False)
    """
    if not name or name[0] in ".-" or len(name) > 128:
        return False
    rest = _ESCAPED.sub("", name)
    return all(ch.isalnum() or ch in "_@.-" for ch in rest) and "~" not in rest

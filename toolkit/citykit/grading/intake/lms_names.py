"""The file names of each LMS download (Canvas, Moodle, Blackboard, the course's own regexp).

Examples
--------
>>> match_lms_name("doejane_LATE_12345_67890_311-first-look.ipynb")["lms"]
'canvas'
"""

from __future__ import annotations

import re

from citykit.grading.intake.ids import student_id

__all__ = ["DEFAULT_NAMED_REGEXP", "LMS_PATTERNS", "match_lms_name"]

#: nbgrader's documented ``zip_collect`` example; a username may hold underscores.
DEFAULT_NAMED_REGEXP = (
    r".*?_(?P<student_id>[^/]+?)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>[^/]+)"
)

#: The file names of each LMS, tried in this order after the course's own ``named_regexp``.
LMS_PATTERNS = {
    "canvas": re.compile(
        r"(?P<name>[^_/]+?)(?P<late>_late)?_(?P<user>\d+)(?:_(?P<attachment>\d+))?_(?P<file>[^/]+)",
        re.IGNORECASE,
    ),
    "moodle": re.compile(
        r"(?:.*/)?(?P<name>[^/]+?)_(?P<user>\d+)_assignsubmission_(?P<plugin>[a-z]+)_/?"
        r"(?P<file>[^/]*)"
    ),
    "blackboard": re.compile(
        r"(?:.*/)?(?P<stem>[^/]+)_attempt_(?P<timestamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})"
        r"(?:_(?P<file>[^/]+)|(?P<receipt>\.txt))"
    ),
}


def match_lms_name(filename: str, named_regexp: str | None = None) -> dict | None:
    """Read the student, file and time out of an LMS file name.

    Parameters
    ----------
    filename : str
        The file name, or its path inside the download (posix separators).
    named_regexp : str, optional
        The course's ``FileNameCollectorPlugin.named_regexp``, tried first (groups
        ``student_id`` and ``file_id``, optional ``timestamp``).

    Returns
    -------
    dict or None
        ``lms``, ``student`` (the nbgrader id), ``lms_id``, ``name``, ``file`` (the uploaded
        file name; empty for a Blackboard receipt), and when known ``timestamp``, ``late``,
        ``order`` (a number that grows with later uploads), ``stem`` (Blackboard). None when
        no pattern matches.
    """
    name = str(filename).replace("\\", "/")
    base = name.rsplit("/", 1)[-1]
    if named_regexp:
        found = re.match(named_regexp, name)
        if found and found.groupdict().get("student_id") and found.groupdict().get("file_id"):
            groups = found.groupdict()
            return {
                "lms": "course",
                "student": student_id(groups["student_id"]),
                "lms_id": groups["student_id"],
                "name": groups["student_id"],
                "file": groups["file_id"].rsplit("/", 1)[-1],
                "timestamp": groups.get("timestamp"),
            }
    moodle = LMS_PATTERNS["moodle"].fullmatch(name)
    if moodle:
        full = moodle["name"]
        return {
            "lms": "moodle",
            "student": student_id(full),
            "lms_id": moodle["user"],
            "name": full,
            "file": moodle["file"] if moodle["plugin"] == "file" else moodle["plugin"] + ".html",
        }
    board = LMS_PATTERNS["blackboard"].fullmatch(name)
    if board:
        return {
            "lms": "blackboard",
            "stem": board["stem"],
            "timestamp": board["timestamp"],
            "file": board["file"] or "",
        }
    canvas = LMS_PATTERNS["canvas"].fullmatch(base)
    if canvas:
        return {
            "lms": "canvas",
            "student": student_id(f"{canvas['name']}_{canvas['user']}"),
            "lms_id": canvas["user"],
            "name": canvas["name"],
            "file": canvas["file"],
            "late": bool(canvas["late"]),
            "order": int(canvas["attachment"] or 0),
        }
    return None


def _parse_time(text: str | None):
    """Parse an LMS timestamp; ``2016-01-30-15-00-00`` is read as date and time.

    (dateutil, used by nbgrader, reads the last two fields of that form as a time-zone offset.)
    """
    if not text:
        return None
    from nbgrader.utils import parse_utc

    dashed = re.fullmatch(r"(\d{4}-\d{2}-\d{2})-(\d{2})-(\d{2})-(\d{2})", text)
    if dashed:
        text = f"{dashed.group(1)} {dashed.group(2)}:{dashed.group(3)}:{dashed.group(4)}"
    try:
        return parse_utc(text)
    except (ValueError, OverflowError):
        return None

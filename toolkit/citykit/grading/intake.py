"""Bring submissions into the course's ``submitted/`` folder, and say what happened to each file.

Two shapes are accepted, as a folder or a ``.zip``:

* nbgrader's layout: ``<student>/<assignment>/<notebook>.ipynb`` (optionally under a
  ``submitted/`` folder), with an optional ``timestamp.txt`` (what ``nbgrader collect`` makes);
* an LMS download, flat files named by the LMS (see :data:`LMS_PATTERNS`):

  - Canvas (*Download Submissions*, ``submissions.zip``):
    ``<lastnamefirstname>[_LATE]_<user id>_<attachment id>_<file name>``; a re-upload of a file
    with the same name gets ``-1``, ``-2`` ... before the extension;
  - Moodle (*Download all submissions*):
    ``<Full Name>_<participant id>_assignsubmission_file_<file name>``, or the same prefix as a
    folder (``.../<Full Name>_<id>_assignsubmission_file_/<file name>``) when "download
    submissions in folders" is on;
  - Blackboard (*Download Assignment*):
    ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>``, next to one receipt
    ``<Assignment>_<username>_attempt_<...>.txt`` per attempt (``Name: Full Name (username)``),
    which settles where the assignment ends and the username begins;
  - the course's own ``FileNameCollectorPlugin.named_regexp`` (nbgrader's ``zip_collect``
    convention, groups ``student_id`` and ``file_id``, optional ``timestamp``), tried first.

A student's upload may itself be a ``.zip``; its files are read as that student's (one level).

**Student ids.** An LMS identity is turned into an nbgrader id by :func:`student_id`: Unicode
NFC, lower case, letters and digits of any script kept, ``_ @`` kept, ``. -`` kept except in
first place, every other character written as ``~`` and the hex of its UTF-8 bytes
(``mary jane`` -> ``mary~20jane``, ``o'brien`` -> ``o~27brien``). Apart from letter case and
Unicode normal form, the mapping is one-to-one, so different LMS ids never merge, and it gives
the same id on every run. Canvas ids are
``<name>_<user id>`` (two students may share a name); Moodle ids the full name (participant ids
change between assignments); Blackboard ids the username. ``_grading/lms-students.csv`` keeps
each id's LMS identity (used by the grade export).

**Nothing silent.** Every file gets one row in ``_grading/<assignment>-intake.csv`` (student,
file, status, detail). Statuses: ``ok``, ``late`` (imported; the LMS marked it late),
``renamed`` (imported; the only notebook of a one-notebook assignment, under another name),
``duplicate`` (an older upload of a notebook another upload replaces), ``no_notebook`` (the
student uploaded files but no notebook, e.g. a PDF), ``ignored`` (a file that is not a notebook,
next to a notebook), ``empty``, ``oversized`` (above the size or compression-ratio cap: a zip
bomb), ``refused`` (a symbolic link, FIFO, device, absolute path or ``..`` in an archive),
``unreadable`` (a damaged or encrypted member), ``not_in_assignment`` (a notebook of another
assignment), ``ambiguous`` (two LMS users with the same name; each gets its own id) and
``unrecognised`` (the name identifies no student).

Examples
--------
>>> from citykit.grading.intake import match_lms_name, student_id
>>> match_lms_name("doejane_LATE_12345_67890_311-first-look.ipynb")["student"]
'doejane_12345'
>>> match_lms_name("Mary Jane O'Brien_881_assignsubmission_file_311-first-look.ipynb")["student"]
'mary~20jane~20o~27brien'
>>> student_id("Émile"), student_id("学生")
('émile', '学生')
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from citykit.grading.layout import CourseLayout, GradingSetupError

__all__ = [
    "DEFAULT_NAMED_REGEXP",
    "LIMITS",
    "LMS_PATTERNS",
    "Intake",
    "IntakeEntry",
    "import_submissions",
    "is_student_id",
    "match_lms_name",
    "student_id",
]

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

#: Caps on what an archive may expand to (bytes; ratio = expanded / compressed size).
LIMITS = {
    "file_bytes": 64 * 2**20,
    "ratio": 200.0,
    "ratio_above_bytes": 4 * 2**20,
    "archive_bytes": 4 * 2**30,
}

_ESCAPED = re.compile(r"~[0-9a-f]{2}")
_RESUBMITTED = re.compile(r"(?:-\d+| ?\(\d+\))$")  # Canvas "name-1", browsers "name (1)"
_RECEIPT_NAME = re.compile(r"^Name:.*\(([^()\n]+)\)\s*$", re.MULTILINE)


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


@dataclass(frozen=True)
class IntakeEntry:
    """One file of the download and what became of it.

    Attributes
    ----------
    student : str
        The nbgrader id ("" when the file names no student).
    source : str
        The file's path in the download.
    status : str
        See the module's documentation.
    detail : str
        Plain words: why, and what was graded instead.
    notebook : str
        The notebook it was filed as ("" if none).
    lms : str
        ``canvas``, ``moodle``, ``blackboard``, ``course`` (the course's regexp) or ``nbgrader``.
    """

    student: str
    source: str
    status: str
    detail: str = ""
    notebook: str = ""
    lms: str = ""

    def __str__(self) -> str:
        who = f"{self.student}: " if self.student else ""
        return f"{self.source}: {who}{self.status}" + (f" -- {self.detail}" if self.detail else "")


@dataclass
class Intake:
    """What an import did.

    Attributes
    ----------
    students : list of str
        Students whose submission was imported (new or changed).
    unchanged : list of str
        Students whose submission was already there, identical.
    skipped : list of str
        Every file that was not imported as it came (one line each: file, student, status, why).
    entries : list of IntakeEntry
        Every file of the download, ``ok`` ones included.
    report : Path or None
        The intake report (``_grading/<assignment>-intake.csv``).
    """

    students: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    report: Path | None = None

    def problems(self) -> list:
        """The entries whose status is not ``ok``."""
        return [e for e in self.entries if e.status != "ok"]


@dataclass
class _Member:
    path: str  # posix, relative to the download
    kind: str  # file, symlink, special, unsafe
    size: int = 0
    compressed: int = 0
    when: datetime | None = None
    read: object = None  # callable(limit) -> bytes
    owner: dict | None = None  # the LMS match of the archive a nested member came from
    why: str = ""  # why an unsafe member is refused


def _limited(opener, limit: int):
    def read(cap: int = limit) -> bytes:
        try:
            with opener() as src:
                data = src.read(cap + 1)
        except (RuntimeError, NotImplementedError, EOFError, OSError, zlib.error) as exc:
            raise _Unreadable(f"could not be read ({exc}): encrypted or damaged?") from exc
        except zipfile.BadZipFile as exc:
            raise _Unreadable(f"could not be read ({exc}): damaged?") from exc
        if len(data) > cap:
            raise _TooLarge(len(data))
        return data

    return read


class _TooLarge(Exception):
    pass


class _Unreadable(Exception):
    pass


def _utf8_name(info: zipfile.ZipInfo) -> str:
    """The member's name; UTF-8 names a tool stored without zip's UTF-8 flag are read back."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _unsafe(name: str) -> str | None:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "a path with '..'"
    return None


def _zip_members(zf: zipfile.ZipFile, prefix: str = "") -> list[_Member]:
    members = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = prefix + _utf8_name(info).replace("\\", "/")
        why = _unsafe(info.filename)
        mode = (info.external_attr >> 16) & 0o170000
        if why:
            members.append(_Member(name, "unsafe", info.file_size, why=why))
            continue
        if mode == stat.S_IFLNK:
            members.append(_Member(name, "symlink", info.file_size))
            continue
        if mode not in (0, stat.S_IFREG):
            members.append(_Member(name, "special", info.file_size))
            continue
        try:
            when = datetime(*info.date_time)
        except ValueError:
            when = None
        members.append(
            _Member(
                name,
                "file",
                info.file_size,
                info.compress_size,
                when,
                _limited(lambda i=info: zf.open(i), LIMITS["file_bytes"]),
            )
        )
    return members


def _folder_members(root: Path) -> list[_Member]:
    members = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                members.append(_Member((here / name).relative_to(root).as_posix(), "symlink"))
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                members.append(_Member(rel, "symlink"))
            elif not stat.S_ISREG(info.st_mode):
                members.append(_Member(rel, "special"))
            else:
                members.append(
                    _Member(
                        rel,
                        "file",
                        info.st_size,
                        info.st_size,
                        datetime.fromtimestamp(info.st_mtime),
                        _limited(lambda p=path: open(p, "rb"), LIMITS["file_bytes"]),
                    )
                )
    return members


def _kind_words(member: _Member) -> str:
    if member.kind == "symlink":
        return "a symbolic link is not read"
    if member.kind == "special":
        return "not a regular file (a FIFO, device or socket) is not read"
    return f"{member.why} is not extracted"


def _too_big(member: _Member) -> str | None:
    if member.size > LIMITS["file_bytes"]:
        return (
            f"expands to {member.size / 2**20:.1f} MB, above the cap of "
            f"{LIMITS['file_bytes'] / 2**20:.0f} MB"
        )
    ratio = member.size / max(member.compressed, 1)
    if member.size > LIMITS["ratio_above_bytes"] and ratio > LIMITS["ratio"]:
        return (
            f"compressed {ratio:.0f}:1 (a zip bomb?): {member.compressed} bytes expand to "
            f"{member.size / 2**20:.1f} MB; the cap is {LIMITS['ratio']:.0f}:1"
        )
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


def import_submissions(
    source, layout: CourseLayout, assignment: str, *, notebooks=(), write_report: bool = True
) -> Intake:
    """Copy submissions from a folder or zip into ``<submitted>/<student>/<assignment>/``.

    Parameters
    ----------
    source : path-like
        A folder or a ``.zip`` file.
    layout : CourseLayout
        The course.
    assignment : str
        The assignment being graded.
    notebooks : sequence of str
        The assignment's notebook names, without ``.ipynb`` (to recognise LMS file names).
    write_report : bool
        Write ``_grading/<assignment>-intake.csv`` and update ``_grading/lms-students.csv``.

    Returns
    -------
    Intake
        Imported, unchanged and skipped entries, and one entry per file.

    Raises
    ------
    GradingSetupError
        When ``source`` is missing, is neither a folder nor a zip, holds no file, expands beyond
        ``LIMITS['archive_bytes']``, or no file in it names a student.
    """
    source = Path(source)
    if not source.exists():
        raise GradingSetupError(f"--submissions {str(source)!r} does not exist")
    if source.is_dir() and source.resolve() == layout.submitted.resolve():
        return Intake(students=[], unchanged=layout.students(assignment))
    archive = None
    try:
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise GradingSetupError(
                    f"--submissions {source.name!r} is neither a folder nor a zip file; pass the "
                    "zip your LMS downloads, or a folder"
                )
            archive = zipfile.ZipFile(source)
            total = sum(i.file_size for i in archive.infolist())
            if total > LIMITS["archive_bytes"]:
                raise GradingSetupError(
                    f"--submissions {source.name!r} would unpack to {total / 2**30:.1f} GB; the "
                    f"limit is {LIMITS['archive_bytes'] / 2**30:.0f} GB -- unpack it yourself "
                    "and pass the folder"
                )
            members = _zip_members(archive)
        else:
            members = _folder_members(source)
        if not members:
            raise GradingSetupError(
                f"--submissions {source.name!r} holds no file; download the submissions again"
            )
        regexp = layout.config.get("FileNameCollectorPlugin", {}).get("named_regexp") or None
        sorter = _Sorter(assignment, tuple(notebooks), regexp)
        sorter.add(members)
        found, entries = sorter.finish()
        if not found and not any(e.student for e in entries):
            shown = ", ".join(e.source for e in entries if e.status == "unrecognised")[:300]
            raise GradingSetupError(
                f"no file of --submissions {source.name!r} names a student of {assignment!r} "
                f"(e.g. {shown}). Supported: nbgrader's <student>/{assignment}/<notebook>.ipynb, "
                "and the downloads of Canvas, Moodle and Blackboard; for other names set "
                "c.FileNameCollectorPlugin.named_regexp in nbgrader_config.py"
            )
        intake = _install(found, layout, assignment)
    finally:
        if archive is not None:
            archive.close()
    intake.entries = entries
    intake.skipped = [str(e) for e in entries if e.status != "ok"]
    if write_report:
        intake.report = _write_report(layout, assignment, entries, sorter.identities)
    return intake


class _Sorter:
    """Attribute each member of a download to a student and a notebook."""

    def __init__(self, assignment: str, notebooks: tuple, regexp: str | None):
        self.assignment = assignment
        self.notebooks = notebooks
        self.regexp = regexp
        self.entries: list[IntakeEntry] = []
        self.candidates: dict[str, dict[str, list]] = {}  # student -> notebook -> [(key, ...)]
        self.others: dict[str, list] = {}  # student -> non-notebook files
        self.layout: dict[str, dict] = {}  # student -> {"files": {name: bytes}, "stamp": str}
        self.identities: dict[str, dict] = {}
        self.receipts: dict[str, str] = {}  # Blackboard stem -> username
        self.boards: list = []
        self.pending: list = []  # (member, info) of LMS files, attributed in ``finish``
        self.folders: dict[str, str] = {}  # student -> the nbgrader-layout folder it came from

    # -- first pass -------------------------------------------------------------------------
    def add(self, members: list[_Member]) -> None:
        for member in members:
            if _litter(member.path):
                self.entries.append(
                    IntakeEntry(
                        "", member.path, "ignored", "an operating-system or editor file (hidden)"
                    )
                )
                continue
            if member.kind != "file":
                info = self._match(member.path)
                who = self._layout_student(member.path) or (info or {}).get("student", "")
                self.entries.append(
                    IntakeEntry(who, member.path, "refused", _kind_words(member), lms=_lms(info))
                )
                continue
            if self._layout_member(member):
                continue
            info = self._match(member.path)
            if info is None:
                self.entries.append(
                    IntakeEntry(
                        "",
                        member.path,
                        "unrecognised",
                        "the name identifies no student (nbgrader layout, Canvas, Moodle or "
                        "Blackboard names, or the course's named_regexp)",
                    )
                )
                continue
            if info["lms"] == "blackboard":
                self.boards.append((member, info))
                continue
            self.pending.append((member, info))

    def _layout_student(self, path: str) -> str:
        parts = PurePosixPath(path).parts
        if len(parts) >= 3 and parts[-2] == self.assignment and parts[-3] not in (".", ".."):
            return parts[-3] if is_student_id(parts[-3]) else student_id(parts[-3])
        return ""

    def _match(self, path: str) -> dict | None:
        try:
            return match_lms_name(path, self.regexp)
        except GradingSetupError:
            return None

    def _layout_member(self, member: _Member) -> bool:
        parts = PurePosixPath(member.path).parts
        if self.assignment not in parts[:-1]:
            return False
        at = len(parts) - 2 - parts[:-1][::-1].index(self.assignment)
        if at < 1 or at != len(parts) - 2:
            return False
        folder = "/".join(parts[:at])
        sid = parts[at - 1] if is_student_id(parts[at - 1]) else student_id(parts[at - 1])
        owner = self.folders.setdefault(sid, folder)
        if owner != folder:
            self.entries.append(
                IntakeEntry(
                    sid,
                    member.path,
                    "ambiguous",
                    f"the folders {owner!r} and {folder!r} are both student {sid}; only the "
                    "first is imported: rename one",
                    lms="nbgrader",
                )
            )
            return True
        data = self._load(member, sid, "", "nbgrader")
        if data is None:
            return True
        entry = self.layout.setdefault(sid, {"files": {}, "sources": {}})
        entry["files"][parts[-1]] = data
        entry["sources"][parts[-1]] = member.path
        return True

    def _load(self, member: _Member, sid: str, book: str, lms: str) -> bytes | None:
        """The member's bytes, or None after recording why not (oversized, unreadable)."""
        problem, status = _too_big(member), "oversized"
        if problem is None:
            try:
                return member.read()
            except _TooLarge:
                problem = f"above the cap of {LIMITS['file_bytes'] / 2**20:.0f} MB"
            except _Unreadable as exc:
                problem, status = str(exc), "unreadable"
        self.entries.append(IntakeEntry(sid, member.path, status, problem, book, lms))
        return None

    def _file(self, member: _Member, info: dict) -> None:
        sid = info["student"]
        self.identities.setdefault(
            sid, {"lms": info["lms"], "lms_id": info.get("lms_id", ""), "name": info["name"]}
        )
        filename = info["file"] or PurePosixPath(member.path).name
        if filename.lower().endswith(".zip") and member.owner is None:
            self._nested(member, info)
            return
        self.others.setdefault(sid, [])
        if not filename.lower().endswith(".ipynb"):
            self.others[sid].append((member, info, filename))
            return
        self.candidates.setdefault(sid, {}).setdefault(filename, []).append((member, info))

    def _ambiguous(self) -> None:
        """Two Moodle participants with one full name: each gets ``<name>_<participant id>``."""
        ids: dict[str, set] = {}
        for _, info in self.pending:
            if info["lms"] == "moodle":
                ids.setdefault(info["student"], set()).add(info["lms_id"])
        for plain, who in sorted(ids.items()):
            if len(who) < 2:
                continue
            for pid in sorted(who):
                self.entries.append(
                    IntakeEntry(
                        f"{plain}_{pid}",
                        f"{plain} (participant {pid})",
                        "ambiguous",
                        f"{len(who)} Moodle participants have this full name; participant {pid} "
                        f"is filed as {plain}_{pid}",
                        lms="moodle",
                    )
                )
        self.pending = [
            (m, {**i, "student": f"{i['student']}_{i['lms_id']}"})
            if i["lms"] == "moodle" and len(ids[i["student"]]) > 1
            else (m, i)
            for m, i in self.pending
        ]

    def _nested(self, member: _Member, info: dict) -> None:
        sid = info["student"]
        data = self._load(member, sid, "", info["lms"])
        if data is None:
            return
        try:
            inner = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            self.others.setdefault(sid, []).append((member, info, info["file"]))
            return
        inner_members = _zip_members(inner, prefix=member.path + "!/")
        if sum(m.size for m in inner_members) > LIMITS["file_bytes"] * 4:
            self.entries.append(
                IntakeEntry(sid, member.path, "oversized", "the uploaded zip expands too much")
            )
            return
        if not inner_members:
            self.entries.append(
                IntakeEntry(sid, member.path, "empty", "an empty zip", lms=info["lms"])
            )
            self.others.setdefault(sid, [])
            return
        for inner_member in inner_members:
            if inner_member.kind == "file" and inner_member.path.lower().endswith(".zip"):
                self.entries.append(
                    IntakeEntry(sid, inner_member.path, "refused", "a zip inside an uploaded zip")
                )
                continue
            inner_info = {**info, "file": PurePosixPath(inner_member.path).name}
            if inner_member.kind != "file":
                self.entries.append(
                    IntakeEntry(
                        sid,
                        inner_member.path,
                        "refused",
                        _kind_words(inner_member),
                        lms=info["lms"],
                    )
                )
                continue
            if _litter(inner_member.path):
                continue
            inner_member.owner = inner_info
            self._file(inner_member, inner_info)

    # -- Blackboard: receipts say where the username is -------------------------------------
    def _blackboard(self) -> None:
        for member, info in self.boards:
            if info.get("file"):
                continue
            try:
                text = member.read(64 * 1024).decode("utf-8", "replace")
            except (_TooLarge, _Unreadable):
                continue
            found = _RECEIPT_NAME.search(text)
            if found:
                self.receipts[info["stem"]] = found.group(1).strip()
        prefixes = {
            stem[: -len(user) - 1]
            for stem, user in self.receipts.items()
            if stem.endswith("_" + user)
        }
        stems = sorted({info["stem"] for _, info in self.boards})
        if not prefixes:
            common = os.path.commonprefix(stems) if len(set(stems)) > 1 else ""
            cut = common.rfind("_")
            prefixes = {common[:cut] if cut > 0 else stems[0].split("_", 1)[0]} if stems else set()
        for member, info in self.boards:
            if not info.get("file"):
                continue
            stem = info["stem"]
            user = self.receipts.get(stem)
            if user is None:
                prefix = max((p for p in prefixes if stem.startswith(p + "_")), key=len, default="")
                user = stem[len(prefix) + 1 :] if prefix else stem.split("_", 1)[-1]
            full = {
                **info,
                "student": student_id(user),
                "lms_id": user,
                "name": user,
                "order": 0,
            }
            self.pending.append((member, full))

    # -- second pass: choose per student and notebook ---------------------------------------
    def finish(self):
        self._blackboard()
        self._ambiguous()
        for member, info in self.pending:
            self._file(member, info)
        found: dict[str, dict] = {}
        for sid, entry in sorted(self.layout.items()):
            self._finish_layout(sid, entry, found)
        for sid in sorted(set(self.candidates) | set(self.others)):
            self._finish_lms(sid, found)
        self.entries.sort(key=lambda e: (e.student, e.source))
        return found, self.entries

    def _finish_layout(self, sid: str, entry: dict, found: dict) -> None:
        files, sources = entry["files"], entry["sources"]
        books = {n: d for n, d in files.items() if n.endswith(".ipynb")}
        usable = {n: d for n, d in books.items() if d.strip()}
        for name in sorted(set(books) - set(usable)):
            self.entries.append(
                IntakeEntry(sid, sources[name], "empty", "a notebook of 0 bytes", lms="nbgrader")
            )
        if not usable:
            if not books:
                self.entries.append(
                    IntakeEntry(
                        sid,
                        "/".join(PurePosixPath(next(iter(sources.values()))).parts[:-1]),
                        "no_notebook",
                        f"no notebook in the folder (found: {', '.join(sorted(files))})",
                        lms="nbgrader",
                    )
                )
            return
        for name in sorted(usable):
            folder = PurePosixPath(sources[name]).parts[-3]
            detail = f"the folder {folder!r} is student {sid}" if folder != sid else ""
            self.entries.append(
                IntakeEntry(sid, sources[name], "ok", detail, name[:-6], "nbgrader")
            )
        stamp = files.pop("timestamp.txt", None)
        kept = {n: d for n, d in files.items() if n not in set(books) - set(usable)}
        found[sid] = {
            "files": kept,
            "stamp": stamp.decode("utf-8", "replace").strip() if stamp else None,
        }

    def _notebook_for(self, filename: str, uploads: int) -> tuple[str | None, str]:
        stem = filename[: -len(".ipynb")]
        if not self.notebooks or stem in self.notebooks:
            return stem, ""
        plain = _RESUBMITTED.sub("", stem)
        if plain in self.notebooks:
            return plain, ""
        if len(self.notebooks) == 1 and uploads == 1:
            return self.notebooks[0], f"uploaded as {filename!r}, graded as {self.notebooks[0]}"
        return None, ""

    def _finish_lms(self, sid: str, found: dict) -> None:
        uploads = self.candidates.get(sid, {})
        count = sum(len(v) for v in uploads.values())
        chosen: dict[str, list] = {}
        for filename, items in sorted(uploads.items()):
            for member, info in items:
                book, renamed = self._notebook_for(filename, count)
                if book is None:
                    self.entries.append(
                        IntakeEntry(
                            sid,
                            member.path,
                            "not_in_assignment",
                            f"{filename!r} is not a notebook of {self.assignment} "
                            f"({', '.join(self.notebooks)})",
                            lms=info["lms"],
                        )
                    )
                    continue
                chosen.setdefault(book, []).append((member, info, renamed))
        imported: dict[str, bytes] = {}
        stamps = []
        for book, items in sorted(chosen.items()):
            items.sort(key=_newest, reverse=True)
            for member, info, _renamed in items[1:]:
                self.entries.append(
                    IntakeEntry(
                        sid,
                        member.path,
                        "duplicate",
                        f"an older attempt than another upload ({items[0][0].path})",
                        notebook=book,
                        lms=info["lms"],
                    )
                )
            member, info, renamed = items[0]
            data = self._load(member, sid, book, info["lms"])
            if data is None:
                continue
            if not data.strip():
                self.entries.append(
                    IntakeEntry(
                        sid, member.path, "empty", "a notebook of 0 bytes", book, info["lms"]
                    )
                )
                continue
            status = "late" if info.get("late") else "renamed" if renamed else "ok"
            detail = renamed or ("the LMS marked this upload late" if info.get("late") else "")
            self.entries.append(IntakeEntry(sid, member.path, status, detail, book, info["lms"]))
            imported[f"{book}.ipynb"] = data
            when = _parse_time(info.get("timestamp"))
            if when is not None:
                stamps.append(when)
        for member, info, filename in self.others.get(sid, []):
            status = "ignored" if imported else "no_notebook"
            detail = (
                f"{filename!r} is not a notebook"
                if imported
                else f"no notebook from this student, only {filename!r}"
            )
            self.entries.append(IntakeEntry(sid, member.path, status, detail, lms=info["lms"]))
        if imported:
            stamp = max(stamps).strftime("%Y-%m-%d %H:%M:%S.%f UTC") if stamps else None
            found[sid] = {"files": imported, "stamp": stamp}


def _litter(path: str) -> bool:
    parts = PurePosixPath(path.replace("!/", "/")).parts
    return "__MACOSX" in parts or any(p.startswith(".") and p not in (".", "..") for p in parts)


def _newest(item) -> tuple:
    member, info, renamed = item
    when = _parse_time(info.get("timestamp"))
    return (
        when.timestamp() if when is not None else float("-inf"),
        info.get("order", 0),
        member.when or datetime.min,
        member.path,
    )


def _lms(info: dict | None) -> str:
    return info.get("lms", "") if info else ""


def _install(found: dict, layout: CourseLayout, assignment: str) -> Intake:
    intake = Intake()
    for sid, entry in sorted(found.items()):
        dest = layout.submitted / sid / assignment
        wanted = dict(entry["files"])
        if entry["stamp"] is not None:
            wanted["timestamp.txt"] = (entry["stamp"] + "\n").encode()
        if dest.is_dir():
            current = {p.name: p.read_bytes() for p in dest.iterdir() if p.is_file()}
            if current == wanted:
                intake.unchanged.append(sid)
                continue
        staging = layout.submitted / f".{sid}.{assignment}.importing"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, data in wanted.items():
            (staging / name).write_bytes(data)
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(dest)
        intake.students.append(sid)
    return intake


#: Columns of ``_grading/lms-students.csv``.
REGISTRY_COLUMNS = ("student", "lms", "lms_id", "name")


def _write_report(layout: CourseLayout, assignment: str, entries: list, identities: dict) -> Path:
    layout.grading.mkdir(parents=True, exist_ok=True)
    path = layout.grading / f"{assignment}-intake.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "file", "status", "detail", "notebook", "lms"])
        for e in entries:
            writer.writerow([e.student, e.source, e.status, e.detail, e.notebook, e.lms])
    registry = layout.grading / "lms-students.csv"
    known = {}
    if registry.is_file():
        with open(registry, newline="", encoding="utf-8") as handle:
            known = {row["student"]: row for row in csv.DictReader(handle)}
    for sid, who in identities.items():
        known[sid] = {"student": sid, **who}
    if known:
        with open(registry, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=REGISTRY_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for sid in sorted(known):
                writer.writerow(known[sid])
    return path

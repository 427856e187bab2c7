"""Bring submissions into the course's ``submitted/`` folder.

Two shapes are accepted, as a folder or a ``.zip``:

* nbgrader's layout: ``<student>/<assignment>/<notebook>.ipynb`` (optionally under a
  ``submitted/`` folder), with an optional ``timestamp.txt``;
* an LMS download: flat files named by the LMS, matched with nbgrader's ``zip_collect``
  convention -- the course's ``FileNameCollectorPlugin.named_regexp`` (it must name the groups
  ``student_id`` and ``file_id``, optionally ``timestamp``); without one, nbgrader's documented
  example ``<anything>_<student>_attempt_<timestamp>_<notebook>.ipynb``. When a student uploaded
  the same notebook several times the newest attempt wins.

Examples
--------
>>> from citykit.grading.intake import match_lms_name
>>> match_lms_name("ps1_bitdiddle_attempt_2016-01-30-15-00-00_ps1.ipynb")
{'student_id': 'bitdiddle', 'timestamp': '2016-01-30-15-00-00', 'file_id': 'ps1'}
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from citykit.grading.course import CourseLayout, GradingSetupError

__all__ = ["DEFAULT_NAMED_REGEXP", "Intake", "import_submissions", "match_lms_name"]

DEFAULT_NAMED_REGEXP = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>\w+)"
_SAFE_ID = re.compile(r"[A-Za-z0-9_][\w.@+-]{0,127}")
_MAX_ZIP_BYTES = 4 * 2**30


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
        Files that could not be attributed to a student, with the reason.
    """

    students: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def match_lms_name(filename: str, named_regexp: str = DEFAULT_NAMED_REGEXP) -> dict | None:
    """Match an LMS file name the way nbgrader's ``FileNameCollectorPlugin`` does.

    Parameters
    ----------
    filename : str
        The file name (or path).
    named_regexp : str
        A regular expression with ``student_id`` and ``file_id`` groups.

    Returns
    -------
    dict or None
        The named groups, or None when the name does not match.
    """
    found = re.match(named_regexp, filename)
    if not found or not found.groupdict().get("student_id") or not found.groupdict().get("file_id"):
        return None
    return {k: v for k, v in found.groupdict().items() if v is not None}


def _safe_extract(archive: Path, into: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        total = sum(i.file_size for i in zf.infolist())
        if total > _MAX_ZIP_BYTES:
            raise GradingSetupError(
                f"{archive.name} would unpack to {total / 2**30:.1f} GB; the limit is "
                f"{_MAX_ZIP_BYTES / 2**30:.0f} GB -- unpack it yourself and pass the folder"
            )
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if info.is_dir() or not parts or ".." in parts or name.startswith("/"):
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:  # a symbolic link
                continue
            dest = into.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)


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


def import_submissions(source, layout: CourseLayout, assignment: str, *, notebooks=()) -> Intake:
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
        The assignment's notebook names (used to recognise LMS file ids).

    Returns
    -------
    Intake
        Imported, unchanged and skipped entries.
    """
    source = Path(source)
    if not source.exists():
        raise GradingSetupError(f"--submissions {str(source)!r} does not exist")
    with tempfile.TemporaryDirectory(prefix="citykit-intake-") as tmp:
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise GradingSetupError(
                    f"--submissions {source.name!r} is neither a folder nor a zip file"
                )
            tree = Path(tmp)
            _safe_extract(source, tree)
        else:
            tree = source
        if tree.resolve() == layout.submitted.resolve():
            return Intake(students=[], unchanged=layout.students(assignment))
        found, skipped = _collect(tree, layout, assignment, set(notebooks))
        return _install(found, skipped, layout, assignment)


def _collect(tree: Path, layout: CourseLayout, assignment: str, notebooks: set):
    found: dict[str, dict] = {}
    skipped: list[str] = []
    layout_files = set()
    for folder in sorted(tree.rglob(assignment)):
        if not folder.is_dir() or folder.is_symlink():
            continue
        sid = folder.parent.name
        files = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink()]
        if not _SAFE_ID.fullmatch(sid) or not any(p.suffix == ".ipynb" for p in files):
            continue
        entry = found.setdefault(sid, {"files": {}, "timestamp": None, "stamp_text": None})
        for path in files:
            layout_files.add(path)
            if path.name == "timestamp.txt":
                entry["stamp_text"] = path.read_text().strip()
            else:
                entry["files"][path.name] = path
    regexp = layout.config.get("FileNameCollectorPlugin", {}).get("named_regexp") or (
        DEFAULT_NAMED_REGEXP
    )
    for path in sorted(tree.rglob("*.ipynb")):
        if path in layout_files or path.is_symlink() or ".ipynb_checkpoints" in path.parts:
            continue
        info = match_lms_name(str(path), regexp)
        if info is None or not _SAFE_ID.fullmatch(info["student_id"]):
            skipped.append(f"{path.relative_to(tree)}: the name does not identify a student")
            continue
        file_id = Path(info["file_id"]).stem
        if notebooks and file_id not in notebooks:
            skipped.append(
                f"{path.relative_to(tree)}: {file_id!r} is not a notebook of {assignment}"
            )
            continue
        when = _parse_time(info.get("timestamp"))
        entry = found.setdefault(
            info["student_id"], {"files": {}, "timestamp": None, "stamp_text": None, "when": {}}
        )
        entry.setdefault("when", {})
        name = f"{file_id}.ipynb"
        previous = entry["when"].get(name, "absent")
        if previous == "absent" or (when is not None and (previous is None or when >= previous)):
            if previous != "absent":
                older = entry["files"][name].relative_to(tree)
                skipped.append(f"{older}: an older attempt than another upload")
            entry["files"][name] = path
            entry["when"][name] = when
            if when is not None and (entry["timestamp"] is None or when > entry["timestamp"]):
                entry["timestamp"] = when
        else:
            skipped.append(f"{path.relative_to(tree)}: an older attempt than another upload")
    return found, skipped


def _install(found: dict, skipped: list, layout: CourseLayout, assignment: str) -> Intake:
    intake = Intake(skipped=skipped)
    for sid, entry in sorted(found.items()):
        dest = layout.submitted / sid / assignment
        stamp = entry["stamp_text"]
        if stamp is None and entry["timestamp"] is not None:
            stamp = entry["timestamp"].strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        wanted = {name: path.read_bytes() for name, path in entry["files"].items()}
        if stamp is not None:
            wanted["timestamp.txt"] = (stamp + "\n").encode()
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

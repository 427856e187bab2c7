"""Attribute each file of a download to a student and a notebook, and say what became of it."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime
from pathlib import PurePosixPath

from citykit.grading.intake.entries import IntakeEntry
from citykit.grading.intake.ids import is_student_id, student_id
from citykit.grading.intake.lms_names import _parse_time, match_lms_name
from citykit.grading.intake.unpack import (
    LIMITS,
    _kind_words,
    _Member,
    _too_big,
    _TooLarge,
    _Unreadable,
    _zip_members,
)
from citykit.grading.layout import GradingSetupError

__all__: list[str] = []

_RESUBMITTED = re.compile(r"(?:-\d+| ?\(\d+\))$")  # Canvas "name-1", browsers "name (1)"
_RECEIPT_NAME = re.compile(r"^Name:.*\(([^()\n]+)\)\s*$", re.MULTILINE)


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

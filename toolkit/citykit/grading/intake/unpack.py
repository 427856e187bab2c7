"""Safe unpacking: the members of a zip or folder, read under caps, unsafe ones named and not read.

Examples
--------
>>> _unsafe("../etc/passwd"), _unsafe("ada/work.ipynb")
("a path with '..'", None)
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["LIMITS"]

#: Caps on what an archive may expand to (bytes; ratio = expanded / compressed size).
LIMITS = {
    "file_bytes": 64 * 2**20,
    "ratio": 200.0,
    "ratio_above_bytes": 4 * 2**20,
    "archive_bytes": 4 * 2**30,
}


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

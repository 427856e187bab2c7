"""The grading run's processes and user ids: nothing a student's code starts outlives it.

* :class:`UidLease` gives each worker of a run its own sandbox user id, never shared with a
  concurrent run.
* :func:`set_subreaper` makes a grading worker (and its kernel zygote) the parent of every orphan
  below it, so :func:`kill_descendants` reaches what a kernel started, even in a new session.
* :func:`kill_user_processes` kills what is left of a sandbox user's processes.

:mod:`citykit.grading.sandbox` (the kernel's wrapper) and the workers use these.

Examples
--------
>>> import os
>>> from citykit.grading.processes import descendants
>>> os.getpid() in descendants(os.getppid())
True
"""

from __future__ import annotations

import ctypes
import os
import signal
from pathlib import Path

__all__ = [
    "PROBE_UID",
    "SANDBOX_GID",
    "SANDBOX_UID_BASE",
    "UidLease",
    "descendants",
    "is_grading_process",
    "kill_descendants",
    "kill_user_processes",
    "set_subreaper",
]

#: First user id used for sandboxed kernels (one per worker: base, base + 1, ...).
SANDBOX_UID_BASE = int(os.environ.get("CITYKIT_SANDBOX_UID_BASE", "64000"))
#: Sandbox user ids leased to grading runs: SANDBOX_UID_BASE ... + _UID_RANGE - 1.
_UID_RANGE = 1000
#: User id of the start-up probe (outside the leased range, so no run ever kills it).
PROBE_UID = SANDBOX_UID_BASE + _UID_RANGE
#: Group of sandboxed kernels (``nogroup`` on Debian).
SANDBOX_GID = 65534


class UidLease:
    """Exclusive use of sandbox user ids by this run, so concurrent runs never share one.

    Each id is held with an ``flock`` on ``<tmp>/citykit-sandbox-uids/<uid>.lock``; the lock
    disappears with the process, so a killed run frees its ids.
    """

    def __init__(self, count: int):
        import fcntl
        import tempfile

        folder = Path(tempfile.gettempdir(), "citykit-sandbox-uids")
        folder.mkdir(mode=0o700, exist_ok=True)
        self.uids: list[int] = []
        self._fds: list[int] = []
        for uid in range(SANDBOX_UID_BASE, SANDBOX_UID_BASE + _UID_RANGE):
            if len(self.uids) == count:
                break
            fd = os.open(folder / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            os.set_inheritable(fd, False)
            self.uids.append(uid)
            self._fds.append(fd)

    def release(self) -> None:
        """Give the ids back."""
        for fd in self._fds:
            os.close(fd)
        self._fds, self.uids = [], []


_SUBREAPER = False  # True in a grading worker or zygote: every descendant is grading's own


def set_subreaper() -> None:
    """Orphans of this process's descendants become its children (Linux), so none escapes."""
    global _SUBREAPER
    try:
        ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
        _SUBREAPER = True
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def is_grading_process() -> bool:
    """Whether this process is a grading worker or zygote (all its descendants are grading's)."""
    return _SUBREAPER


def _children() -> dict:
    found: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="latin-1") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        found.setdefault(ppid, []).append(int(entry))
    return found


def descendants(root_pid: int) -> frozenset[int]:
    """The process ids below ``root_pid`` now (children, their children, ...)."""
    children = _children()
    todo, found = list(children.get(root_pid, [])), set()
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += children.get(pid, [])
    return frozenset(found)


def kill_descendants(
    root_pid: int, *, spare: int | None = None, keep: frozenset[int] = frozenset()
) -> int:
    """Kill every descendant of ``root_pid`` and of ``spare`` (``spare`` itself lives).

    With :func:`set_subreaper` on the worker and the zygote, what a kernel started -- even in a
    new session -- is still their descendant, in every sandbox mode. ``spare`` is the worker's
    kernel zygote: a child of the worker, or of the grader when the pool started it; its
    descendants are killed either way. Processes in ``keep`` (those that were already there
    before a kernel started: when grading runs inside a longer-lived process, its own servers
    and browsers) live on, and so does what they start. Returns how many were killed.
    """
    killed = 0
    for _ in range(5):  # a process may fork while we look
        children = _children()
        todo = [p for p in children.get(root_pid, []) if p not in keep]
        if spare is not None:
            todo += [p for p in children.get(spare, []) if p not in keep]
        found: set[int] = set()
        while todo:
            pid = todo.pop()
            if pid == spare or pid in found:  # the spare's children are already listed
                continue
            found.add(pid)
            todo += [p for p in children.get(pid, []) if p not in keep]
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


def kill_user_processes(uid: int) -> None:
    """Kill every process of sandbox user ``uid`` (leftovers of a student's code)."""
    if os.geteuid() != 0 or uid < SANDBOX_UID_BASE:
        return
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            _drop_to(uid, SANDBOX_GID)
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def _drop_to(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)

"""Run a student's kernel with the least power the machine allows.

``citykit grade`` never runs student code in its own process: nbgrader starts a Jupyter kernel
for each notebook, and the kernel spec that ``citykit grade`` installs for the run starts this
module first (``python -m citykit.grading.sandbox [options] -- python -m ipykernel_launcher``).
Before it hands over to the kernel it

1. sets resource limits (CPU seconds, address space, file size, number of processes, no core
   dumps) -- always, on every POSIX machine;
2. when running as root: hides the course's solutions, gradebook and grading folders behind
   empty read-only mounts in a private mount namespace (if the kernel allows namespaces);
3. when running as root: gives the student's working folder to a dedicated unprivileged user id
   (one per worker, no login, no home, no supplementary groups) and drops to it, so the code
   cannot read the gradebook, the solutions or other students' folders, nor delete anything
   outside its own folder;
4. when running as root: puts the kernel in an empty network namespace (no interfaces, not even
   loopback), so student code can reach neither the internet nor services on the grading host;
   the kernel then talks to the grader over Unix sockets (Jupyter's ``ipc`` transport);
5. replaces the environment with a small clean one (no database URLs, no tokens).

:func:`detect_sandbox` probes what is available and says in plain words what is and is not
protected; the notes appear in the cohort report.

Examples
--------
>>> from citykit.grading.sandbox import clean_environment
>>> env = clean_environment({"PATH": "/usr/bin", "PGPASSWORD": "secret"}, home="/w/home")
>>> sorted(k for k in env if k in ("PATH", "PGPASSWORD", "HOME"))
['HOME', 'PATH']
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from citykit.grading.processes import PROBE_UID, SANDBOX_GID, SANDBOX_UID_BASE, _drop_to

__all__ = [
    "SandboxPlan",
    "clean_environment",
    "kernel_environment",
    "detect_sandbox",
    "main",
    "prepare",
    "write_kernelspec",
]

_KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "JPY_PARENT_PID")
_KEEP_PREFIX = ("NBGRADER_",)

_CLONE_NEWNS = 0x00020000
_CLONE_NEWNET = 0x40000000
#: Longest folder for the kernel's Unix sockets (sun_path holds 107 bytes; "/kernel-NNN" added).
IPC_PATH_MAX = 90
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_BIND, _MS_REC, _MS_PRIVATE = 4096, 16384, 1 << 18


@dataclass(frozen=True)
class SandboxPlan:
    """What protection student kernels get on this machine.

    Attributes
    ----------
    switch_user : bool
        Kernels run as a dedicated unprivileged user id (needs root).
    hide_paths : bool
        Solutions, gradebook and grading folders are hidden by a private mount namespace.
    limits : dict
        Resource limits: ``cpu_seconds``, ``memory_mb``, ``file_mb``, ``processes``.
    notes : tuple of str
        Plain-language notes on what is and is not protected.
    uids : tuple of int
        The sandbox user ids leased to this run (one per worker).
    isolate_network : bool
        Kernels run in an empty network namespace and use Unix sockets (needs root).
    """

    switch_user: bool
    hide_paths: bool
    limits: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    uids: tuple[int, ...] = ()
    isolate_network: bool = False

    @property
    def level(self) -> str:
        """``"user+namespace"``, ``"user"`` or ``"limits-only"``."""
        if self.switch_user and self.hide_paths:
            return "user+namespace"
        return "user" if self.switch_user else "limits-only"

    def uid_for(self, slot: int) -> int | None:
        """The user id of worker ``slot``'s kernels, or None when kernels keep our user."""
        if not self.switch_user:
            return None
        return self.uids[slot] if slot < len(self.uids) else SANDBOX_UID_BASE + slot


def kernel_environment(environ: dict) -> dict:
    """The variables a kernel may inherit (before :func:`clean_environment` adds its own)."""
    keep = {k: v for k, v in environ.items() if k in _KEEP_ENV or k.startswith(_KEEP_PREFIX)}
    if "CITYKIT_SANDBOX_ROOT" in environ:
        keep["CITYKIT_SANDBOX_ROOT"] = environ["CITYKIT_SANDBOX_ROOT"]
    return keep


def clean_environment(environ: dict, *, home: str) -> dict:
    """Return the small environment a student kernel gets (no secrets, private home).

    Parameters
    ----------
    environ : dict
        The grader's environment.
    home : str
        The kernel's private home folder.

    Returns
    -------
    dict
        Only PATH, locale, PYTHONPATH, Jupyter's parent pid and ``NBGRADER_*`` are kept; home,
        temp and cache folders point into ``home``; numeric libraries use one thread.
    """
    env = {k: v for k, v in environ.items() if k in _KEEP_ENV or k.startswith(_KEEP_PREFIX)}
    env.update(
        HOME=home,
        USER="student",
        LOGNAME="student",
        TMPDIR=os.path.join(home, "tmp"),
        IPYTHONDIR=os.path.join(home, ".ipython"),
        MPLCONFIGDIR=os.path.join(home, ".matplotlib"),
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _probe_child(func) -> bool:
    """Run ``func`` in a forked child; True when it exits 0."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            code = 0 if func() else 1
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _unshare_mounts() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNS) != 0:
        return False
    return libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) == 0


def socket_folder(run_dir: str | os.PathLike, slot: int) -> Path:
    """The folder of worker ``slot``'s kernel sockets when kernels run without network."""
    return Path(run_dir, f"ipc-{slot}")


def _unshare_network() -> bool:
    """Move this process into a new, empty network namespace (no interface is up)."""
    return ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWNET) == 0


def _blocked_ancestor(path: str) -> str | None:
    """The highest folder above ``path`` that other users cannot traverse, if any."""
    for part in reversed(Path(path).parents):
        if not os.stat(part).st_mode & 0o001:
            return str(part)
    return None


def _expose(targets, stage_root: str) -> None:
    """Make ``targets`` (the interpreter's folders) reachable inside this mount namespace.

    When Python lives under a private folder (pyenv in root's home), the unprivileged kernel could
    not even start. The private folder is covered by an empty tmpfs in which only the targets
    are bind-mounted back -- which also hides the rest of the private folder from the kernel.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    real = sorted({os.path.realpath(t) for t in targets})
    real = [t for t in real if not any(t != o and t.startswith(o + os.sep) for o in real)]
    plan = [(t, _blocked_ancestor(t)) for t in real]
    plan = [(t, top) for t, top in plan if top is not None]
    staged = []
    for number, (target, _) in enumerate(plan):
        stage = os.path.join(stage_root, f".stage-{number}")
        os.makedirs(stage, exist_ok=True)
        if libc.mount(target.encode(), stage.encode(), None, _MS_BIND | _MS_REC, None) != 0:
            return
        staged.append(stage)
    covered = set()
    for (target, top), stage in zip(plan, staged, strict=True):
        if top not in covered:
            options = b"mode=0755,size=1m"
            if libc.mount(b"tmpfs", top.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options):
                return
            covered.add(top)
        os.makedirs(target, mode=0o755, exist_ok=True)
        libc.mount(stage.encode(), target.encode(), None, _MS_BIND | _MS_REC, None)


def _private_tmp(keep_paths) -> None:
    """Give this mount namespace its own empty ``/tmp`` and ``/dev/shm`` (tmpfs).

    Whatever the kernel writes there is private to it and vanishes with its namespace. What
    the kernel needs from ``/tmp`` (the grading run's folder with its working folder and
    sockets, the connection file) is mounted back at its place.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    flags = _MS_NOSUID | _MS_NODEV
    tmp = Path(os.path.realpath("/tmp"))
    keep = []
    for given in keep_paths:
        if not given:
            continue
        real = Path(os.path.realpath(given))
        if tmp in real.parents:
            top = tmp / real.relative_to(tmp).parts[0]
            if all(path != str(Path("/tmp") / top.name) for path, _, _ in keep):
                keep.append((str(Path("/tmp") / top.name), top.is_dir(), os.open(top, os.O_PATH)))
    try:
        if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", flags, b"mode=1777,size=256m") == 0:
            for path, is_dir, fd in keep:
                if is_dir:
                    os.makedirs(path, exist_ok=True)
                else:
                    open(path, "a").close()
                source = f"/proc/self/fd/{fd}".encode()
                libc.mount(source, path.encode(), None, _MS_BIND | _MS_REC, None)
        if os.path.isdir("/dev/shm"):
            libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", flags, b"mode=1777,size=64m")
    finally:
        for _, _, fd in keep:
            os.close(fd)


def _hide(path: str) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    flags = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    return libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=4k,mode=000") == 0


def detect_sandbox(
    *,
    python: str = sys.executable,
    limits: dict | None = None,
    sensitive: tuple = (),
    probe: bool | None = None,
    run_dir: str | os.PathLike | None = None,
) -> SandboxPlan:
    """Probe which protections work here and describe them.

    Parameters
    ----------
    python : str
        The interpreter that will run kernels (it must be usable by the sandbox user).
    limits : dict, optional
        Resource limits to apply (see :class:`SandboxPlan`).
    sensitive : tuple of path-like
        Paths student code must not read (solutions, gradebook folder); used for the notes.
    probe : bool, optional
        The result of :func:`probe_user_switch` when it was started earlier (None: probe now).
    run_dir : path-like, optional
        The grading run's folder, which holds the kernels' Unix sockets; kernels keep the network
        (and TCP) when its path is too long for a socket address.

    Returns
    -------
    SandboxPlan
        The protections that will be used, with notes.
    """
    limits = dict(limits or {})
    notes = []
    if os.name != "posix":
        return SandboxPlan(False, False, limits, ("Not a POSIX system: no sandbox at all.",))
    notes.append(
        "Resource limits on every kernel: "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(limits.items()))
        + "; each code cell is interrupted after the cell timeout."
    )
    switch = False
    forced = os.environ.get("CITYKIT_SANDBOX", "").strip() == "limits-only"
    if forced:
        notes.append(
            "NOT fully protected: CITYKIT_SANDBOX=limits-only, so kernels keep the grader's user "
            "and see the whole file system; only the limits and the private folder apply."
        )
    elif os.geteuid() == 0:
        switch = _probe_wrapper(python) if probe is None else probe
        if switch:
            notes.append(
                f"Kernels run as unprivileged user ids {SANDBOX_UID_BASE}+ (one per worker, group "
                "nogroup): student code cannot read the gradebook, the solutions, other students' "
                "folders or the grader's files, and cannot delete anything outside its own folder."
            )
        else:
            notes.append(
                "NOT protected: running as root but the kernel interpreter cannot run as an "
                f"unprivileged user ({python}); kernels keep root's rights apart from the limits."
            )
    else:
        notes.append(
            "NOT fully protected: not running as root, so student kernels run as your own user. "
            "They work in a private temporary folder without the solutions, but code that knows "
            "where the course lives could read or delete what your user can. Grade as root (or "
            "in a container) for full isolation."
        )
    hide = not forced and os.geteuid() == 0 and _probe_child(_unshare_mounts)
    if hide:
        notes.append(
            "The solutions, the gradebook and the grading folders are hidden from kernels "
            "(private mount namespace)."
        )
    elif switch:
        readable = [str(p) for p in sensitive if _world_readable(Path(p))]
        if readable:
            notes.append(
                "NOT protected: mount namespaces are unavailable and these paths are readable "
                "by every user: " + ", ".join(readable) + " (fix: chmod o-rwx on them)."
            )
    network = not forced and os.geteuid() == 0 and _probe_child(_unshare_network)
    too_long = run_dir is not None and len(str(socket_folder(run_dir, 999))) > IPC_PATH_MAX
    if network and too_long:
        network = False
        notes.append(
            "Not protected: network access -- the temporary folder's path is too long for Unix "
            f"sockets ({run_dir}); set TMPDIR to a short folder such as /tmp."
        )
    elif network:
        notes.append(
            "Kernels have no network: each runs in an empty network namespace (not even "
            "loopback) and talks to the grader over Unix sockets, so student code reaches neither "
            "the internet nor the grading host's services (databases, Jupyter servers)."
        )
    else:
        notes.append(
            "Not protected: network access (network namespaces need root) -- use a container "
            "without network for untrusted cohorts."
        )
    notes.append(
        "Not protected: the total disk space a kernel writes (each file is capped, not their "
        "number)."
    )
    return SandboxPlan(switch, hide, limits, tuple(notes), isolate_network=network)


class probe_user_switch:
    """Start the unprivileged-user probe in the background; ``result()`` waits for it."""

    def __init__(self, python: str = sys.executable):
        import threading

        self._value = None
        self._thread = threading.Thread(target=self._run, args=(python,), daemon=True)
        forced = os.environ.get("CITYKIT_SANDBOX", "").strip() == "limits-only"
        if os.name == "posix" and os.geteuid() == 0 and not forced:
            self._thread.start()

    def _run(self, python: str) -> None:
        self._value = _probe_wrapper(python)

    def result(self) -> bool | None:
        """True/False when probed (as root), None when there was nothing to probe."""
        if self._thread.is_alive() or self._thread.ident is not None:
            self._thread.join()
            return bool(self._value)
        return None


def _probe_wrapper(python: str) -> bool:
    """Start ``python -c 'import ipykernel'`` through the sandbox as the first sandbox user."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="citykit-probe-") as tmp:
        os.chmod(tmp, 0o711)
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        env = dict(os.environ, CITYKIT_SANDBOX_ROOT=tmp)
        command = [python, "-m", "citykit.grading.sandbox", "--uid", str(PROBE_UID)]
        command += ["--", python, "-c", "import ipykernel, os; assert os.getuid() != 0"]
        try:
            done = subprocess.run(command, cwd=work, env=env, timeout=120, check=False)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0


def _world_readable(path: Path) -> bool:
    if not path.exists():
        return False
    for part in [path, *path.parents]:
        mode = part.stat().st_mode
        if not mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o004)


def write_kernelspec(
    data_dir: str | os.PathLike,
    kernel_name: str,
    *,
    plan: SandboxPlan,
    slot: int,
    hide: tuple = (),
    python: str = sys.executable,
) -> Path:
    """Install a kernel spec named ``kernel_name`` that starts the kernel through this sandbox.

    Parameters
    ----------
    data_dir : path-like
        A private ``JUPYTER_DATA_DIR`` (the spec goes into ``kernels/<kernel_name>``).
    kernel_name : str
        The name the source notebooks use (so nbgrader picks this spec).
    plan : SandboxPlan
        The protections to apply.
    slot : int
        The worker number (selects the sandbox user id).
    hide : tuple of path-like
        Paths to hide from the kernel when namespaces are available.
    python : str
        The interpreter of the kernel.

    Returns
    -------
    Path
        The kernel spec folder.
    """
    folder = Path(data_dir, "kernels", kernel_name)
    folder.mkdir(parents=True, exist_ok=True)
    argv = [python, "-m", "citykit.grading.sandbox"]
    for key, value in sorted(plan.limits.items()):
        argv += [f"--{key.replace('_', '-')}", str(value)]
    uid = plan.uid_for(slot)
    if uid is not None:
        argv += ["--uid", str(uid), "--gid", str(SANDBOX_GID)]
    if plan.hide_paths:
        for path in hide:
            argv += ["--hide", str(path)]
    if plan.isolate_network:
        argv += ["--no-network"]
    argv += ["--", python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv += ["--HistoryManager.enabled=False"]
    spec = {"argv": argv, "display_name": f"{kernel_name} (sandboxed)", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def _set_limits(args) -> None:
    import resource

    mb = 1024 * 1024
    pairs = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, args.cpu_seconds),
        (resource.RLIMIT_AS, args.memory_mb * mb if args.memory_mb else None),
        (resource.RLIMIT_FSIZE, args.file_mb * mb if args.file_mb else None),
    ]
    if args.uid is not None:  # per-user count: only meaningful for a dedicated user
        pairs.append((resource.RLIMIT_NPROC, args.processes))
    for which, value in pairs:
        if value:
            resource.setrlimit(which, (value, value))
        elif value == 0:
            resource.setrlimit(which, (0, 0))


def _give_folder(top: str, uid: int, gid: int) -> None:
    """Hand the kernel's working folder to the sandbox user; drop links out of it."""
    os.lchown(top, uid, gid)
    os.chmod(top, 0o700)
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.unlink(path)
                continue
            os.lchown(path, uid, gid)


def _open_path(cwd: str, workroot: str | None) -> None:
    """Let the sandbox user traverse (not list) the folders from ``workroot`` down to ``cwd``."""
    if not workroot:
        return
    current = Path(cwd).parent
    stop = Path(workroot).parent
    while current != stop and current != current.parent:
        os.chmod(current, os.stat(current).st_mode | 0o111)
        current = current.parent


def _uses_unix_sockets(command: list[str]) -> bool:
    """True when the kernel's connection file (``-f``) asks for the ``ipc`` transport."""
    if "-f" not in command:
        return False
    try:
        with open(command[command.index("-f") + 1]) as handle:
            return json.load(handle).get("transport") == "ipc"
    except (OSError, ValueError, IndexError):
        return False


def prepare(argv: list[str], environ: dict) -> tuple[list[str], dict]:
    """Apply the sandbox to this process; return the kernel command and its environment.

    Parameters
    ----------
    argv : list of str
        Sandbox options, ``--``, then the kernel command.
    environ : dict
        The environment the kernel was started with.

    Returns
    -------
    (command, env) : tuple
        What to run, and the clean environment to run it with.
    """
    if "--" not in argv:
        raise SystemExit("usage: python -m citykit.grading.sandbox [options] -- kernel command")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="citykit.grading.sandbox")
    parser.add_argument("--cpu-seconds", type=int, default=600)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--file-mb", type=int, default=200)
    parser.add_argument("--processes", type=int, default=256)
    parser.add_argument("--uid", type=int)
    parser.add_argument("--gid", type=int, default=SANDBOX_GID)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--no-network", action="store_true")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    os.umask(0o022)
    cwd = os.getcwd()
    workroot = environ.get("CITYKIT_SANDBOX_ROOT")
    home = os.path.join(workroot or cwd, "home")
    os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
    env = clean_environment(dict(environ), home=home)
    namespace = os.geteuid() == 0 and (args.hide or args.uid is not None) and _unshare_mounts()
    if namespace and args.uid is not None:
        interpreter = os.path.dirname(os.path.realpath(command[0]))
        _expose([sys.base_prefix, sys.prefix, interpreter], workroot or cwd)
        connection = command[command.index("-f") + 1] if "-f" in command else None
        _private_tmp([workroot or cwd, cwd, connection, environ.get("CITYKIT_KERNEL_IPC")])
    if namespace and args.hide:
        ancestors = {str(p) for p in [Path(cwd), *Path(cwd).parents, Path(sys.prefix)]}
        for path in args.hide:
            if os.path.isdir(path) and path not in ancestors:
                _hide(path)
    if args.no_network and os.geteuid() == 0 and _uses_unix_sockets(command):
        _unshare_network()  # a kernel on TCP keeps the network: the grader must reach it
    if args.uid is not None and os.geteuid() == 0:
        _give_folder(cwd, args.uid, args.gid)
        _give_folder(home, args.uid, args.gid)
        _open_path(cwd, workroot)
        if "-f" in command:
            connection = command[command.index("-f") + 1]
            os.chown(connection, args.uid, args.gid)
            os.chmod(os.path.dirname(connection), 0o711)
        _set_limits(args)
        _drop_to(args.uid, args.gid)
    else:
        _set_limits(args)
    os.umask(0o077)
    log = os.open(os.path.join(home, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    return command, env


def main(argv: list[str] | None = None) -> None:
    """Apply the sandbox and replace this process with the kernel command after ``--``."""
    command, env = prepare(list(sys.argv[1:] if argv is None else argv), dict(os.environ))
    os.execvpe(command[0], command, env)


if __name__ == "__main__":  # pragma: no cover - entry point of kernel specs
    main()

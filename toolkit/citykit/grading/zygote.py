"""Start student kernels by forking a warm process instead of starting Python each time.

Starting a Jupyter kernel costs a Python start-up plus importing ipykernel, IPython, zmq and
tornado -- about a third of a second of CPU, paid again for every student. Each grading worker
therefore keeps a *zygote*: a small root process that imported the kernel's libraries once
(``python -m citykit.grading.zygote SOCKET``; the grader starts each worker's first zygote while
it prepares the hidden tests, a replacement worker starts its own). To start a kernel, the worker's kernel manager
(:class:`ZygoteKernelManager`) sends the kernel command over a Unix socket; the zygote forks, the
child applies exactly the same sandbox as a normally started kernel
(:func:`citykit.grading.sandbox.prepare`: limits, namespace, unprivileged user, clean
environment) and runs the kernel in-process. The worker tracks the child by its process id.

The zygote also imports, once, the libraries the assignment's notebooks import in their given
cells (:func:`modules_to_warm`: the toolkit's domain packages, scipy, statsmodels, ... -- seconds
per kernel that every student would otherwise pay again). A module is only kept warm when it
imports completely without matplotlib or seaborn, which read the kernel's own settings (its
private ``HOME``, ``MPLCONFIGDIR`` and ipykernel's plotting backend) when imported
(:func:`warm`); anything else is left for the kernel to import itself.

If the zygote is unavailable, kernels are started the ordinary way.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import struct
import sys
import time

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

__all__ = [
    "ForkedKernel",
    "ZygoteKernelManager",
    "given_modules",
    "modules_to_warm",
    "serve",
    "spawn",
    "warm",
]

#: Top-level packages the zygote may import ahead of the kernels (libraries without import-time
#: settings; the instructor tools are never imported into a kernel's parent).
_WARMABLE = ("citykit", "numpy", "pandas", "pyarrow", "scipy", "statsmodels")
_NEVER_WARM = ("citykit.grading", "citykit.course", "citykit.cli")
#: Libraries that read the kernel's own environment when imported: never imported in the zygote.
_READS_KERNEL_SETTINGS = ("matplotlib", "seaborn", "mpl_toolkits")


def modules_to_warm(notebooks) -> tuple[str, ...]:
    r"""The modules the code cells of ``notebooks`` import, as far as the zygote may warm them.

    Parameters
    ----------
    notebooks : iterable of NotebookNode
        The instructor's notebooks, never a submission (the grader passes the given cells of
        the source notebooks: :func:`given_modules`).

    Returns
    -------
    tuple of str
        Module names, in order of first import (``from pkg import a`` gives ``pkg.a`` and
        ``pkg``: whichever of them is a module is imported).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "import pandas as pd\nfrom citykit import datasets, opendata\n%matplotlib inline\n"
    ...     "import matplotlib.pyplot as plt\nfrom citykit.grading import grade")])
    >>> modules_to_warm([nb])
    ('pandas', 'citykit.datasets', 'citykit.opendata', 'citykit')
    """
    import ast

    found: list[str] = []
    for nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            lines = [
                ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))
            ]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found += [f"{node.module}.{alias.name}" for alias in node.names]
                    found.append(node.module)
    keep = [
        name
        for name in found
        if name.split(".")[0] in _WARMABLE
        and not any(name == no or name.startswith(no + ".") for no in _NEVER_WARM)
    ]
    return tuple(dict.fromkeys(keep))


def given_modules(folder) -> tuple[str, ...]:
    r"""What :func:`modules_to_warm` finds in the given cells of the source notebooks in ``folder``.

    Known before nbgrader generates the release version, so the grader can start the zygotes
    first. nbgrader copies a given cell (neither a solution nor a test cell) to the release
    unchanged, so every module listed here is one the release notebooks import too; solution
    and test cells are left out (their released parts may import more: those the kernel then
    imports itself), and so is any cell with nbgrader's region markers.

    Parameters
    ----------
    folder : path-like
        The assignment's folder in the course's source folder (the instructor's notebooks).

    Returns
    -------
    tuple of str
        Module names, as :func:`modules_to_warm` returns them.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> given = nbformat.v4.new_code_cell("import pandas as pd\nfrom citykit import datasets")
    >>> answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nimport scipy\n### END SOLUTION")
    >>> answer.metadata["nbgrader"] = {"solution": True, "grade": False}
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[given, answer]), folder / "ps.ipynb")
    >>> given_modules(folder)
    ('pandas', 'citykit.datasets', 'citykit')
    """
    import pathlib

    import nbformat

    notebooks = []
    for path in sorted(pathlib.Path(folder).glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # not a notebook: the template build reports it
            continue
        nb.cells = [cell for cell in nb.cells if _is_given(cell)]
        notebooks.append(nb)
    return modules_to_warm(notebooks)


def _is_given(cell) -> bool:
    flags = cell.get("metadata", {}).get("nbgrader", {})
    if flags.get("solution") or flags.get("grade") or flags.get("task"):
        return False
    return "### BEGIN" not in cell.get("source", "") and "### END" not in cell.get("source", "")


class _Refuse:
    """A meta path finder that refuses the libraries :data:`_READS_KERNEL_SETTINGS`."""

    def __init__(self):
        self.refused = False

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _READS_KERNEL_SETTINGS:
            self.refused = True
            raise ImportError(f"{name} is imported by the kernel itself")
        return None


def warm(names) -> tuple[str, ...]:
    """Import ``names``; keep only those that import completely without a refused library.

    A module whose import needed (or tried, and did without) matplotlib or seaborn is removed
    again with every module its import added, so the kernel imports it itself, in its own
    environment, exactly as without a zygote.

    Returns
    -------
    tuple of str
        The names kept imported.
    """
    import importlib
    import sys

    if any(name.split(".")[0] in _READS_KERNEL_SETTINGS for name in sys.modules):
        return ()  # an import of it could not be seen any more: warm nothing
    kept = []
    for name in names:
        if name in sys.modules:
            kept.append(name)
            continue
        before = set(sys.modules)
        guard = _Refuse()
        sys.meta_path.insert(0, guard)
        try:
            importlib.import_module(name)
            ok = not guard.refused
        except Exception:  # a function name, not a module; a refused or broken import
            ok = False
        finally:
            sys.meta_path.remove(guard)
        if ok:
            kept.append(name)
            continue
        for added in set(sys.modules) - before:
            module = sys.modules.pop(added, None)
            parent, _, leaf = added.rpartition(".")
            if parent in sys.modules and getattr(sys.modules[parent], leaf, None) is module:
                delattr(sys.modules[parent], leaf)
    return tuple(kept)


def _send(conn: socket.socket, data: dict) -> None:
    raw = json.dumps(data).encode()
    conn.sendall(struct.pack("!I", len(raw)) + raw)


def _recv(conn: socket.socket) -> dict:
    def exactly(n: int) -> bytes:
        chunks = b""
        while len(chunks) < n:
            more = conn.recv(n - len(chunks))
            if not more:
                raise ConnectionError("zygote connection closed")
            chunks += more
        return chunks

    (size,) = struct.unpack("!I", exactly(4))
    return json.loads(exactly(size))


def spawn(path: str, argv: list[str], cwd: str, env: dict) -> int:
    """Ask the zygote at ``path`` to start a kernel; return its process id."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(path)
        _send(conn, {"argv": argv, "cwd": cwd, "env": env})
        reply = _recv(conn)
    if "pid" not in reply:
        raise RuntimeError(reply.get("error", "the zygote did not start the kernel"))
    return int(reply["pid"])


class ForkedKernel:
    """The part of ``subprocess.Popen`` jupyter_client uses, for a kernel forked by the zygote."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        """None while the kernel runs (the zygote reaps it as soon as it stops)."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -signal.SIGKILL
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout=None):
        """Wait until the kernel has stopped."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the kernel."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """Kill the kernel."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """Ask the kernel to stop."""
        self.send_signal(signal.SIGTERM)


class ZygoteKernelManager(AsyncKernelManager):
    """A kernel manager that forks kernels from the worker's zygote (``CITYKIT_ZYGOTE``).

    When ``CITYKIT_KERNEL_IPC`` names a folder, kernels talk over Unix sockets in it (Jupyter's
    ``ipc`` transport) instead of TCP, so they can run without any network.
    """

    @default("transport")
    def _citykit_transport(self):
        return "ipc" if os.environ.get("CITYKIT_KERNEL_IPC") else "tcp"

    @default("ip")
    def _citykit_ip(self):
        folder = os.environ.get("CITYKIT_KERNEL_IPC")
        if folder and self.transport == "ipc":
            return os.path.join(folder, "kernel")
        return super()._ip_default()

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        path = os.environ.get("CITYKIT_ZYGOTE")
        if not path or "citykit.grading.sandbox" not in kernel_cmd:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        from citykit.grading.sandbox import kernel_environment

        env = kernel_environment(dict(kw.get("env") or os.environ))  # nothing secret crosses
        cwd = str(kw.get("cwd") or os.getcwd())
        deadline = time.monotonic() + 60
        while not os.path.exists(path) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        try:
            pid = spawn(path, list(kernel_cmd), cwd, env)
        except (OSError, RuntimeError, ConnectionError):
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        provisioner = self.provisioner
        provisioner.process = ForkedKernel(pid)
        provisioner.pid = pid
        provisioner.pgid = pid  # the kernel leads its own process group
        provisioner.cwd = cwd
        self._reconcile_connection_info(provisioner.connection_info)


def _die_with_parent() -> None:
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _reap(signum, frame) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child(request: dict) -> None:  # pragma: no cover - runs in the forked kernel
    import gc

    from citykit.grading.sandbox import prepare

    gc.enable()  # the zygote's objects stay frozen: collections here leave their pages shared
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()
        zygote = os.getppid()
        os.chdir(request["cwd"])
        env = dict(request.pop("env"), JPY_PARENT_PID=str(zygote))
        argv = request.pop("argv")
        command, env = prepare(argv[argv.index("citykit.grading.sandbox") + 1 :], env)
        _die_with_parent()  # after dropping privileges: a change of user clears this setting
        if os.getppid() != zygote:  # the zygote died before the setting took effect
            os._exit(1)
        os.environ.clear()
        os.environ.update(env)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        import random

        random.seed()
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [command[0], *command[3:]]
        IPKernelApp.launch_instance(argv=command[3:])
    except BaseException:
        import traceback

        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _warm_without_iri_grammars(modules) -> tuple[str, ...]:
    """:func:`warm` ``modules``, with jsonschema imported without ``rfc3987_syntax``.

    When first imported, jsonschema builds the grammars of its ``iri`` and ``iri-reference``
    string-format checks from ``rfc3987_syntax`` if that is installed: about a second, paid by
    every zygote of an assignment that validates metadata (``citykit.opendata``). No course
    question checks those two formats, so the zygote imports jsonschema without them; this is
    the one difference from a kernel started the ordinary way (jsonschema then treats the two
    formats as unchecked). ``rfc3987_syntax`` itself stays importable.
    """
    from citykit.grading._speedups import skip_slow_optional_imports

    skip_slow_optional_imports()
    try:
        return warm(modules)
    finally:
        if sys.modules.get("rfc3987_syntax", True) is None:
            del sys.modules["rfc3987_syntax"]


def serve(path: str, modules=()) -> None:  # pragma: no cover - runs as the zygote process
    """Import the kernel's libraries, then fork a kernel for each request on socket ``path``.

    ``modules`` (see :func:`modules_to_warm`) are imported as well, as far as :func:`warm` keeps
    them.
    """
    import gc

    _die_with_parent()
    parent = os.environ.pop("CITYKIT_ZYGOTE_PARENT", None)
    if parent is not None and os.getppid() != int(parent):  # it ended while we started
        os._exit(1)
    from citykit.grading.processes import set_subreaper

    set_subreaper()  # orphans of kernels are reparented here and killed by the worker
    # what the zygote imports is shared with every kernel it forks; a garbage collection in a
    # kernel that walked those objects would write to (and so copy) every page holding them.
    # Python's documented recipe for forking servers: no collection in the parent, freeze
    # before forking, collect again in the child (:func:`_child`).
    gc.disable()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    import ipykernel.ipkernel
    import ipykernel.kernelapp  # noqa: F401
    import IPython.core.interactiveshell  # noqa: F401

    # what IPKernelApp.initialize would import in every kernel (debugpy alone is 0.1 s), then
    # what students use most
    first = ("ipykernel.debugger", "ipykernel.zmqshell", "ipykernel.iostream", "ipykernel.comm")
    first += ("IPython.core.completer", "jupyter_client.session", "numpy", "pandas")
    for optional in first:
        try:
            __import__(optional)
        except Exception:  # not installed or not importable: nothing to warm
            pass
    kept = _warm_without_iri_grammars(modules)
    print(f"zygote: warmed {', '.join(kept) or 'nothing more'}", file=sys.stderr, flush=True)
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".tmp")
    os.chmod(path + ".tmp", 0o600)
    os.rename(path + ".tmp", path)
    server.listen(8)
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                request = _recv(conn)
            except (ConnectionError, ValueError, OSError):
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _child(request)
            _send(conn, {"pid": pid})


if __name__ == "__main__":  # pragma: no cover
    serve(sys.argv[1], sys.argv[2:])

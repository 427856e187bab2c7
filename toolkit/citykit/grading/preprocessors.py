r"""nbgrader preprocessors that make autograding and feedback safe for a whole cohort.

* :class:`SafeExecute` -- nbgrader's ``Execute`` that survives a kernel that dies (``os._exit``,
  a kill signal, the memory cap): cells that ran keep their grade, the rest are marked "did not
  run" and score 0 instead of the whole notebook failing.
* :class:`StripWarnings` -- removes Python warning messages from stderr so that a warning raised
  by a library (or by student code) while a test runs does not zero a correct answer; any other
  stderr text keeps nbgrader's rule (the test cell scores 0).
* :class:`CapOutputs` -- caps the size of every output the student code produced.
* :class:`RedactHiddenTests` -- removes hidden test code from feedback, and replaces tracebacks of
  test cells (which quote the failing line and its neighbours) by a one-line message.

Examples
--------
>>> from citykit.grading.preprocessors import strip_warning_lines, hidden_line_range
>>> text = "/tmp/x.py:3: UserWarning: careful\n  warnings.warn('careful')\nreal problem\n"
>>> strip_warning_lines(text)
'real problem\n'
>>> hidden_line_range("assert a\n### BEGIN HIDDEN TESTS\nassert b\n### END HIDDEN TESTS")
(2, 4)
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from citykit.grading import values
from citykit.grading.hidden import hidden_line_range, redact_hidden, visible_part

__all__ = [
    "CapOutputs",
    "RedactHiddenTests",
    "SafeExecute",
    "StripWarnings",
    "hidden_line_range",
    "strip_warning_lines",
]

KERNEL_DIED = "KernelDied"
DID_NOT_RUN = "CellDidNotRun"
#: The error name of a test cell whose answer differs from the solution's on the variant city.
TYPED_IN = "TypedInAnswer"
CELL_TIMEOUT = "CellTimeoutError"
#: Error names after which a test cell is not evaluated (it scores 0, the status says why).
_FATAL = (CELL_TIMEOUT, KERNEL_DIED, DID_NOT_RUN)
_VALUES_SOURCE = Path(values.__file__).read_text(encoding="utf-8")

#: Installed in the kernel before the first cell: each cell may use ``limit`` seconds of the
#: kernel's CPU time (ITIMER_PROF counts the process's own user + system time, so a busy
#: machine does not shorten it). Student code can switch it off; the wall-clock backstop of
#: the executor still applies then.
_CLOCK = """
def _citykit_clock(limit):
    import signal

    class CellTimeoutError(Exception):
        pass

    def _alarm(signum, frame):
        signal.setitimer(signal.ITIMER_PROF, 0)
        raise CellTimeoutError(
            f"the cell used more than {limit:g} s of CPU time and was stopped"
        )

    def _arm(*args):
        signal.setitimer(signal.ITIMER_PROF, limit)

    def _disarm(*args):
        signal.setitimer(signal.ITIMER_PROF, 0)

    signal.signal(signal.SIGPROF, _alarm)
    shell = get_ipython()
    shell.events.register("pre_run_cell", _arm)
    shell.events.register("post_run_cell", _disarm)


_citykit_clock(%r)
del _citykit_clock
"""

#: Runs in the kernel: loads the data-only codec and prints its answer between marks. The first
#: request of a kernel sends the codec's source and registers it under the run's mark; later
#: requests send only the question (a probe took 14 ms with the source each time, 5 ms without).
#: A kernel whose registered codec is gone or replaced answers ``_CODEC_MISSING``, and the grader
#: sends the source again. Replacing it gives a student no more than setting their own answers.
_KERNEL_REQUEST = """exec(compile(%r, "<grader>", "exec"), {"__builtins__": __builtins__, "_ip": get_ipython()})"""
_KERNEL_LOAD = """
import sys as _sys, types as _types
_m = _types.ModuleType("citykit_grader_values")
exec(compile(%r, "<values>", "exec"), _m.__dict__)
_m.__citykit_mark__ = %r
_sys.modules["citykit_grader_values"] = _m
"""
_KERNEL_PROGRAM = """
import sys as _sys
_m = _sys.modules.get("citykit_grader_values")
if getattr(_m, "__citykit_mark__", None) != %r:
    _r = %r
else:
    _ns = _ip.user_ns
    _r = _m.kernel_probe(_ns, %r) if %r == "probe" else _m.kernel_call(_ns, %r)
_sys.stdout.write(%r + _r + %r + "\\n")
_sys.stdout.flush()
"""
_CODEC_MISSING = '"citykit: the codec is not loaded"'
_WARNING_LINE = re.compile(r"^\S.*?:\d+: (?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*Warning: ")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"(?:Cell In\[\d+\]|<ipython-input-[^>]*>|input_\d+|test cell), line (\d+)")


def strip_warning_lines(text: str) -> str:
    """Remove Python warning messages (``file:line: XWarning: ...`` + the quoted source line).

    Parameters
    ----------
    text : str
        Text written to stderr.

    Returns
    -------
    str
        The text without warning messages.
    """
    kept = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if _WARNING_LINE.match(line):
            skipping = True
            continue
        if skipping and line.startswith((" ", "\t")):
            continue
        skipping = False
        kept.append(line)
    return "".join(kept)


def _no_reply(cell) -> bool:
    """True when nbclient gave up waiting for the kernel's reply (the wall-clock backstop)."""
    return any(
        o.output_type == "error"
        and o.ename == CELL_TIMEOUT
        and "No reply from kernel" in "".join(o.get("traceback", []))
        for o in cell.get("outputs", [])
    )


def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]
    )


class SafeExecute(Execute):
    """nbgrader's Execute with hidden tests out of the kernel's reach.

    * Grade cells run in the kernel *without* their hidden region (the learner's visible checks
      still run there); then the kernel is asked for the answer values, and the cell's full
      source -- taken from the instructor's source notebook -- runs in this process on them
      (:mod:`citykit.grading.trusted`). Its verdict replaces the kernel's errors and results.
    * Each cell may use ``cpu_timeout`` seconds of the kernel's CPU time; ``timeout`` is only
      a wall-clock backstop.
    * A dying kernel stops execution but not grading; sandboxed kernels are cleaned up after.
    """

    sandbox_uid = Integer(None, allow_none=True, help="user id of sandboxed kernels").tag(
        config=True
    )
    source_dir = Unicode(
        "", help="folder of the instructor's source notebooks (hidden tests run outside)"
    ).tag(config=True)
    cpu_timeout = Float(0.0, help="CPU seconds a cell may use (0: wall clock only)").tag(
        config=True
    )
    recover_timeout = Integer(
        30, help="wall-clock seconds an interrupted kernel has to answer before it is given up"
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        if os.environ.get("CITYKIT_ZYGOTE") or os.environ.get("CITYKIT_KERNEL_IPC"):
            from citykit.grading.zygote import ZygoteKernelManager

            kwargs.setdefault("kernel_manager_class", ZygoteKernelManager)
        super().__init__(*args, **kwargs)
        self._mark = uuid.uuid4().hex

    def preprocess(self, nb, resources, km=None):
        """Execute the notebook; a dead kernel stops execution but not grading."""
        self._dead_at = None
        self._codec_loaded = False  # a new kernel
        self._clock_set = False
        self._trusted = None
        name = (resources or {}).get("unique_key")
        if self.source_dir and name:
            from citykit.grading.trusted import trusted_notebook

            path = Path(self.source_dir) / f"{name}.ipynb"
            if path.is_file():
                self._trusted = trusted_notebook(path)
                for problem in self._trusted.setup_errors:
                    self.log.warning("a given cell of %s failed in the grader: %s", name, problem)
        folder = (resources or {}).get("metadata", {}).get("path")
        stash = self._hide_notebooks(folder, name) if self._trusted is not None else None
        from citykit.grading.processes import descendants

        self._before = descendants(os.getpid())  # not the kernel's: they outlive it
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            self._reclaim(resources)
            if stash is not None:
                self._restore_notebooks(folder, stash)

    def _hide_notebooks(self, folder, name):
        """Keep notebooks with hidden tests out of the kernel's folder while it runs.

        nbgrader executes the sanitized copy (hidden tests restored) in the folder where it
        wrote it; that copy is redacted, and the assignment's other notebooks are moved to a
        private folder until the kernel is gone.
        """
        import json
        import shutil
        import tempfile

        if not folder or not os.path.isdir(folder):
            return None
        base = os.environ.get("CITYKIT_SANDBOX_ROOT") or None
        stash = tempfile.mkdtemp(prefix=".notebooks-", dir=base)
        for entry in os.scandir(folder):
            if not entry.name.endswith(".ipynb") or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name == f"{name}.ipynb":
                with open(entry.path, encoding="utf-8") as handle:
                    data = json.load(handle)
                for cell in data.get("cells", []):
                    source = cell.get("source", "")
                    source = "".join(source) if isinstance(source, list) else source
                    cell["source"] = redact_hidden(source)
                with open(entry.path, "w", encoding="utf-8") as handle:
                    json.dump(data, handle)
            else:
                shutil.move(entry.path, os.path.join(stash, entry.name))
        return stash

    @staticmethod
    def _restore_notebooks(folder, stash) -> None:
        import shutil

        for entry in os.scandir(stash):
            os.replace(entry.path, os.path.join(folder, entry.name))
        shutil.rmtree(stash, ignore_errors=True)

    def _test_id(self, cell):
        meta = cell.metadata.get("nbgrader", {})
        if (
            self._trusted is None
            or cell.cell_type != "code"
            or not meta.get("grade")
            or meta.get("solution")
        ):
            return None
        gid = meta.get("grade_id")
        return gid if gid in self._trusted.tests else None

    def _side_cell(self, source: str, index: int):
        """Run ``source`` in the kernel outside the notebook and its history; return its cell."""
        side = NotebookNode(
            cell_type="code", source=source, metadata={}, outputs=[], execution_count=None
        )
        keep = self.nb.cells[index]
        try:
            self.execute_cell(side, index, store_history=False)
        finally:
            self.nb.cells[index] = keep
        return side

    def _answers_again(self, index: int) -> bool:
        """True when the kernel runs a cell again after the backstop interrupted it.

        A kernel that ignores the interrupt (a student's code can catch or ignore SIGINT)
        gets ``recover_timeout`` wall-clock seconds, then is given up.
        """
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        saved = self.timeout
        self.timeout = self.recover_timeout
        try:
            side = self._side_cell("pass", index)
        except (DeadKernelError, CellTimeoutError):
            return False
        finally:
            self.timeout = saved
        return not any(o.output_type == "error" for o in side.outputs)

    def _ask_kernel(self, op: str, payload, index: int):
        """Run the data-only codec in the kernel; return its decoded JSON answer or an error."""
        import json

        if self._dead_at is not None:
            return None

        program = _KERNEL_PROGRAM % (
            self._mark,
            _CODEC_MISSING,
            payload if op == "probe" else None,
            op,
            payload if op == "call" else None,
            self._mark,
            self._mark,
        )
        if not self._codec_loaded:
            program = _KERNEL_LOAD % (_VALUES_SOURCE, self._mark) + program
        side = self._side_cell(_KERNEL_REQUEST % program, index)
        if _no_reply(side) and not self._answers_again(index):
            self._dead_at = index
        text = "".join(
            o.get("text", "")
            for o in side.outputs
            if o.output_type == "stream" and o.name == "stdout"
        )
        for output in side.outputs:
            if output.output_type == "error" and output.ename == CELL_TIMEOUT:
                self._timed_out = True
        end = text.rfind(self._mark)
        start = text.rfind(self._mark, 0, end) if end > 0 else -1
        if start < 0:
            return None
        answer = text[start + len(self._mark) : end]
        if answer == _CODEC_MISSING:
            if not self._codec_loaded:
                return None
            self._codec_loaded = False  # the student's code removed it: send it again
            return self._ask_kernel(op, payload, index)
        self._codec_loaded = True
        try:
            return json.loads(answer)
        except ValueError:
            return None

    def _remote_call(self, index: int):
        from citykit.grading.trusted import AnswerError

        def call(name, args, kwargs):
            import json

            try:
                request = json.dumps(
                    {
                        "name": name,
                        "args": values._encode(tuple(args)),
                        "kwargs": values._encode(dict(kwargs)),
                    },
                    allow_nan=False,
                )
            except values.NotPlain as exc:
                raise AnswerError(f"cannot pass a {exc} to {name}()") from None
            reply = self._ask_kernel("call", request, index)
            if not isinstance(reply, dict):
                raise AnswerError(f"{name}() gave no readable answer")
            if not reply.get("ok"):
                if reply.get("ename") == CELL_TIMEOUT:
                    self._timed_out = True
                raise AnswerError(
                    f"{name}() raised {reply.get('ename')}: {str(reply.get('evalue'))[:300]}"
                )
            try:
                return values._decode(reply.get("v"))
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                raise AnswerError(f"{name}() returned something unreadable: {exc}") from None

        return call

    def _probe(self, gid: str, index: int) -> dict:
        names = self._trusted.names_to_fetch(gid)
        answer = self._ask_kernel("probe", names, index)
        if not isinstance(answer, dict):
            return {n: {"kind": "unreadable"} for n in names}
        probe = {}
        for name in names:
            info = answer.get(name)
            if not isinstance(info, dict):
                continue
            if info.get("kind") == "value":
                try:
                    info = {"kind": "value", "value": values._decode(info.get("v"))}
                except (ValueError, KeyError, TypeError, RecursionError) as exc:
                    info = {"kind": "unsupported", "type": f"unreadable value ({exc})"}
            probe[name] = info
        return probe

    def _grade_outside(self, cell, gid: str, index: int) -> None:
        """Evaluate grade cell ``gid`` here; its verdict replaces the kernel's."""
        if any(o.output_type == "error" and o.ename in _FATAL for o in cell.outputs):
            return  # timed out or the kernel died: the cell scores 0 and the status says why
        self._timed_out = False
        probe = self._probe(gid, index)
        cwd = os.getcwd()
        try:
            os.chdir(self.source_dir)
            # nbgrader's Autograde has set NBGRADER_EXECUTION=autograde for this notebook
            verdict = self._trusted.evaluate(gid, probe, self._remote_call(index))
        finally:
            os.chdir(cwd)
        kept = [o for o in cell.outputs if o.output_type not in ("error", "execute_result")]
        if self._timed_out:
            kept.append(
                _error(CELL_TIMEOUT, "a function of the answer ran out of time during the test")
            )
        elif not verdict.passed:
            evalue = "a hidden test did not pass" if verdict.in_hidden else verdict.evalue
            kept.append(
                NotebookNode(
                    output_type="error",
                    ename=verdict.ename,
                    evalue=evalue,
                    traceback=[f"{verdict.ename}: {evalue}"]
                    + ([f"test cell, line {verdict.line}"] if verdict.line else []),
                )
            )
        elif verdict.result is not None:
            kept.append(
                NotebookNode(
                    output_type="execute_result",
                    execution_count=cell.get("execution_count"),
                    metadata={},
                    data={"text/plain": repr(verdict.result)},
                )
            )
        cell.outputs = kept

    def _install_clock(self, index: int) -> None:
        self._clock_set = True
        if self.cpu_timeout and self.cpu_timeout > 0:
            self._side_cell(_CLOCK % float(self.cpu_timeout), index)

    def preprocess_cell(self, cell, resources, index):
        """Run one cell (a grade cell without its hidden tests, then graded here)."""
        if self._dead_at is not None:
            if cell.cell_type == "code":
                cell.outputs = [
                    _error(
                        DID_NOT_RUN, "the kernel had stopped before this cell, so it did not run"
                    )
                ]
            return cell, resources
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        gid = self._test_id(cell)
        original = cell.source
        try:
            if not self._clock_set:
                self._install_clock(index)
            if gid is not None:
                cell.source = visible_part(self._trusted.tests[gid]) or "pass"
            cell, resources = super().preprocess_cell(cell, resources, index)
            if _no_reply(cell):
                # the wall-clock backstop fired and interrupted the kernel: the cell scores 0
                # either way; later cells run only if the kernel answers again, so a loop
                # stopped by the backstop (a very busy machine) scores as one stopped by the
                # CPU clock
                if not self._answers_again(index):
                    self._dead_at = index
                return cell, resources
            if gid is not None:
                self._grade_outside(cell, gid, index)
            return cell, resources
        except (DeadKernelError, CellTimeoutError) as exc:
            if isinstance(exc, CellTimeoutError) and self._answers_again(index):
                # interrupted at the backstop, slow to go idle, then answering again
                cell.outputs.append(
                    _error(CELL_TIMEOUT, "the cell ran past the time limit and was stopped")
                )
                return cell, resources
            self._dead_at = index
            what = "stopped responding" if isinstance(exc, CellTimeoutError) else "stopped"
            cell.outputs.append(
                _error(
                    KERNEL_DIED,
                    f"the kernel {what} while running this cell (the code exited, was killed, "
                    "ran out of memory or broke the kernel); later cells did not run",
                )
            )
            return cell, resources
        finally:
            cell.source = original
            self.nb.cells[index] = cell

    def _reclaim(self, resources) -> None:
        """Kill leftovers of the sandbox user and take the working folder back, minus links."""
        from citykit.grading.processes import (
            is_grading_process,
            kill_descendants,
            kill_user_processes,
        )

        zygote = os.environ.get("CITYKIT_ZYGOTE_PID")
        # a grading worker owns every descendant; a host process (a notebook, a test session)
        # keeps the processes it had before the kernel started
        keep = frozenset() if is_grading_process() else getattr(self, "_before", frozenset())
        kill_descendants(
            os.getpid(),
            spare=int(zygote) if zygote else None,
            keep=keep,
        )
        if self.sandbox_uid is None:
            return
        kill_user_processes(self.sandbox_uid)
        top = (resources or {}).get("metadata", {}).get("path")
        if not top or not os.path.isdir(top):
            return
        uid, gid = os.geteuid(), os.getegid()
        os.lchown(top, uid, gid)
        for folder, dirs, files in os.walk(top):
            for name in dirs + files:
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    os.unlink(path)
                else:
                    os.lchown(path, uid, gid)


class StripWarnings(NbGraderPreprocessor):
    """Remove Python warning messages from stderr outputs before grades are computed."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Strip warning lines; drop stderr outputs that held only warnings."""
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                text = strip_warning_lines(output.text)
                if not text.strip():
                    continue
                output.text = text
            outputs.append(output)
        cell.outputs = outputs
        return cell, resources


class CapOutputs(NbGraderPreprocessor):
    """Cap each text output and drop oversized rich outputs produced while grading."""

    max_chars = Integer(20000, help="longest text output kept (characters)").tag(config=True)
    max_bytes = Integer(2_000_000, help="largest rich output kept (bytes)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        """Truncate long streams, drop huge images/HTML."""
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream" and len(output.text) > self.max_chars:
                output.text = output.text[: self.max_chars] + "\n... output truncated ...\n"
            elif output.output_type in ("display_data", "execute_result"):
                size = sum(len(str(v)) for v in output.get("data", {}).values())
                if size > self.max_bytes:
                    output.data = {"text/plain": f"[output of {size:,} bytes removed]"}
            outputs.append(output)
        cell.outputs = outputs
        return cell, resources


class RedactHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests, and tracebacks quoting them, from a notebook shown to the student."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Redact a test cell's hidden region and its error tracebacks."""
        if not (nbutils.is_grade(cell) and not nbutils.is_solution(cell)):
            return cell, resources
        hidden = hidden_line_range(cell.source)
        cell.source = redact_hidden(cell.source)
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.outputs:
            if output.output_type != "error" or output.ename in (
                KERNEL_DIED,
                DID_NOT_RUN,
                TYPED_IN,
            ):
                continue
            text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            found = _CELL_LINE.search(text)
            line = int(found.group(1)) if found else None
            in_hidden = hidden is not None and (line is None or hidden[0] <= line <= hidden[1])
            if in_hidden:
                output.evalue = "a hidden test did not pass"
            output.traceback = [f"{output.ename}: {output.evalue}".rstrip(": ")]
        return cell, resources

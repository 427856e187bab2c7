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

from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

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
_WARNING_LINE = re.compile(r"^\S.*?:\d+: (?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*Warning: ")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"(?:Cell In\[\d+\]|<ipython-input-[^>]*>|input_\d+), line (\d+)")


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


def hidden_line_range(
    source: str, begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS"
):
    """Return the first and last line numbers (1-based) of the hidden test region, or None.

    Parameters
    ----------
    source : str
        Cell source.
    begin, end : str
        The delimiters nbgrader uses.

    Returns
    -------
    tuple of int or None
        ``(first, last)``, both inclusive and counting the delimiter lines.
    """
    first = last = None
    for number, line in enumerate(source.split("\n"), start=1):
        if begin in line and first is None:
            first = number
        elif end in line and first is not None:
            last = number
    if first is None:
        return None
    return first, last or len(source.split("\n"))


def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]
    )


class SafeExecute(Execute):
    """nbgrader's Execute, robust to dying kernels and cleaning up after sandboxed kernels."""

    sandbox_uid = Integer(None, allow_none=True, help="user id of sandboxed kernels").tag(
        config=True
    )

    def __init__(self, *args, **kwargs):
        if os.environ.get("CITYKIT_ZYGOTE") or os.environ.get("CITYKIT_KERNEL_IPC"):
            from citykit.grading.zygote import ZygoteKernelManager

            kwargs.setdefault("kernel_manager_class", ZygoteKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        """Execute the notebook; a dead kernel stops execution but not grading."""
        self._dead_at = None
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            self._reclaim(resources)

    def preprocess_cell(self, cell, resources, index):
        """Run one cell; after a kernel death mark code cells as not run."""
        if self._dead_at is not None:
            if cell.cell_type == "code":
                cell.outputs = [
                    _error(
                        DID_NOT_RUN, "the kernel had stopped before this cell, so it did not run"
                    )
                ]
            return cell, resources
        from nbclient.exceptions import DeadKernelError

        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead_at = index
            cell.outputs.append(
                _error(
                    KERNEL_DIED,
                    "the kernel stopped while running this cell (the code exited, was killed or "
                    "ran out of memory); later cells did not run",
                )
            )
            return cell, resources

    def _reclaim(self, resources) -> None:
        """Kill leftovers of the sandbox user and take the working folder back, minus links."""
        if self.sandbox_uid is None:
            return
        from citykit.grading.sandbox import kill_user_processes

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
        if hidden is not None:
            lines = cell.source.split("\n")
            first, last = hidden
            cell.source = "\n".join(
                lines[: first - 1] + ["# (hidden tests are not shown)"] + lines[last:]
            ).rstrip("\n")
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.outputs:
            if output.output_type != "error" or output.ename in (KERNEL_DIED, DID_NOT_RUN):
                continue
            text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            found = _CELL_LINE.search(text)
            line = int(found.group(1)) if found else None
            in_hidden = hidden is not None and (line is None or hidden[0] <= line <= hidden[1])
            if in_hidden:
                output.evalue = "a hidden test did not pass"
            output.traceback = [f"{output.ename}: {output.evalue}".rstrip(": ")]
        return cell, resources

"""A notebook's kernel we can talk to: run the notebook's cells, then our own code."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CELL_TIMEOUT", "Kernel", "error_outputs", "stdout_text"]


CELL_TIMEOUT = 120


class Kernel:
    """A notebook's kernel, for running the notebook's cells and then our own code."""

    def __init__(self, notebook: Path, env: dict):
        import nbformat
        from nbclient import NotebookClient

        self.nb = nbformat.read(notebook, as_version=4)
        self.client = NotebookClient(
            self.nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(notebook.parent)}},
        )
        self._old_env = dict(os.environ)
        os.environ.update(env)
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel()
        self.client.start_new_kernel_client()

    def run_cell(self, index: int) -> list[dict]:
        """Run the notebook's cell ``index``; return its outputs."""
        cell = self.nb.cells[index]
        self.client.execute_cell(cell, index)
        return cell.get("outputs", [])

    def run_code(self, code: str, *, timeout: int | None = None) -> list[dict]:
        """Run ``code`` as a cell appended for the moment; return its outputs."""
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        self.nb.cells.append(cell)
        index = len(self.nb.cells) - 1
        usual = self.client.timeout
        if timeout is not None:
            self.client.timeout = timeout
        try:
            self.client.execute_cell(cell, index)
        finally:
            self.nb.cells.pop()
            self.client.timeout = usual
        return cell.get("outputs", [])

    def close(self) -> None:
        """Shut the kernel down and restore the environment variables."""
        try:
            self.client._cleanup_kernel()
        finally:
            os.environ.clear()
            os.environ.update(self._old_env)


def error_outputs(outputs: list[dict]) -> list[dict]:
    """The error outputs of a cell."""
    return [o for o in outputs if o.get("output_type") == "error"]


def stdout_text(outputs: list[dict]) -> str:
    """What a cell printed to stdout."""
    return "".join(
        o.get("text", "")
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )

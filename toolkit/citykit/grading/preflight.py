"""Check and repair one submitted notebook before nbgrader sees it.

nbgrader aborts on several things students do every cohort (a copied cell with a duplicate
``grade_id``, jupyter/nbgrader#1083; a file that is not JSON; an unknown kernel name). The
preflight repairs what can be repaired and says so in plain words; what cannot be repaired is
graded as a blank notebook, so the student still gets a row (and 0 points) instead of stopping
the batch.

Repairs, each with a note for the report:

* file is not JSON / not a notebook  -> status ``unreadable``, graded as the blank exercise;
* no notebook submitted              -> status ``missing``, graded as the blank exercise;
* old nbformat, missing fields, duplicate cell ids -> normalised to nbformat 4;
* kernel name differs from the source -> replaced by the source's kernel;
* a graded cell appears more than once -> the last copy is graded, the others become ordinary
  cells (this is also nbgrader's choice, made explicit);
* a locked cell (test, instructions) was edited -> restored from the source by checksum;
* a graded or test cell was deleted   -> restored at its place;
* outputs are removed (they are recomputed); huge ones are mentioned.

Examples
--------
>>> import nbformat
>>> from nbformat.v4 import new_notebook, new_code_cell
>>> from citykit.grading.preflight import preflight_text
>>> release = new_notebook(cells=[new_code_cell("x = 1")])
>>> preflight_text('{"cells": [', release).status
'unreadable'
"""

from __future__ import annotations

import copy
import json
import uuid
import warnings
from dataclasses import dataclass, field

import nbformat
from nbgrader import utils as nbutils

__all__ = ["Preflight", "preflight_file", "preflight_text"]

#: Largest notebook file graded (a bigger one is refused with status "unreadable").
MAX_NOTEBOOK_MB = 100


@dataclass
class Preflight:
    """The outcome of checking one submitted notebook.

    Attributes
    ----------
    notebook : nbformat.NotebookNode
        The notebook to grade (repaired, or the blank exercise when unusable).
    status : str
        ``ok``, ``repaired``, ``unreadable`` or ``missing``.
    notes : list of str
        What was found and done, in plain words.
    """

    notebook: object
    status: str = "ok"
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Record a repair (the status becomes ``repaired`` unless it is worse already)."""
        self.notes.append(text)
        if self.status == "ok":
            self.status = "repaired"


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task"):
        return meta.get("grade_id")
    return None


def _blank(release, status: str, message: str) -> Preflight:
    return Preflight(copy.deepcopy(release), status, [message])


def preflight_file(path, release, *, huge_mb: float = 10.0) -> Preflight:
    """Check the submitted notebook at ``path`` against the ``release`` notebook.

    Parameters
    ----------
    path : path-like or None
        The submitted file (None or a missing file: nothing was submitted).
    release : nbformat.NotebookNode
        The released (student) version of the notebook.
    huge_mb : float
        Stored outputs above this size are reported as huge.

    Returns
    -------
    Preflight
        The notebook to grade, a status and notes.
    """
    import os
    import stat

    if path is None or not os.path.lexists(path):
        return _blank(release, "missing", "no notebook was submitted: graded as blank")
    name = os.path.basename(path)
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        kind = {
            stat.S_IFLNK: "a symbolic link",
            stat.S_IFIFO: "a FIFO (named pipe)",
            stat.S_IFSOCK: "a socket",
            stat.S_IFCHR: "a device",
            stat.S_IFBLK: "a device",
            stat.S_IFDIR: "a folder",
        }.get(stat.S_IFMT(info.st_mode), "not a regular file")
        return _blank(
            release,
            "unreadable",
            f"{name} is {kind}, not a regular file: refused, graded as blank -- ask the student "
            "to re-submit the notebook itself",
        )
    if info.st_size > MAX_NOTEBOOK_MB * 2**20:
        return _blank(
            release,
            "unreadable",
            f"{name} is {info.st_size / 2**20:.0f} MB, above the {MAX_NOTEBOOK_MB} MB a notebook "
            "may have: refused, graded as blank",
        )
    # O_NOFOLLOW | O_NONBLOCK: the file cannot be swapped for a link or a FIFO after the check
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return _blank(release, "unreadable", f"{name} is not a regular file: refused")
        raw = handle.read(MAX_NOTEBOOK_MB * 2**20 + 1)
    return preflight_text(raw.decode("utf-8", errors="replace"), release, huge_mb=huge_mb)


def preflight_text(text: str, release, *, huge_mb: float = 10.0) -> Preflight:
    """Check a submitted notebook given as JSON text; see :func:`preflight_file`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return _blank(
            release,
            "unreadable",
            f"the file is not a readable notebook (damaged JSON: {exc.msg} at line {exc.lineno}); "
            "graded as blank -- ask the student to re-submit",
        )
    result = Preflight(None)
    if isinstance(data, dict) and data.get("nbformat") == 3 and "worksheets" in data:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception:  # any failure means unreadable
            return _blank(release, "unreadable", "the notebook (format 3) cannot be converted")
        result.note("notebook format 3 was converted to format 4")
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return _blank(release, "unreadable", "the file is JSON but not a notebook; graded as blank")
    _strip_outputs(data, result, huge_mb)
    nb = _normalise(data, result)
    if nb is None:
        return _blank(
            release, "unreadable", "the notebook structure is broken beyond repair; graded as blank"
        )
    result.notebook = nb
    _fix_kernel(nb, release, result)
    _restore_settings(nb, release, result)
    _dedupe(nb, result)
    _restore_locked(nb, release, result)
    _restore_missing(nb, release, result)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:  # pragma: no cover - defensive
        return _blank(release, "unreadable", f"the notebook is not valid after repair ({exc})")
    return result


def _strip_outputs(data: dict, result: Preflight, huge_mb: float) -> None:
    size = 0
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            continue
        if "outputs" in cell:
            size += len(json.dumps(cell["outputs"]))
            cell["outputs"] = []
            cell["execution_count"] = None
        if "attachments" in cell and len(json.dumps(cell["attachments"])) > huge_mb * 2**20:
            del cell["attachments"]
    if size > huge_mb * 2**20:
        result.note(f"huge stored outputs ({size / 2**20:.0f} MB) were removed before grading")


def _normalise(data: dict, result: Preflight):
    major = data.get("nbformat", 4)
    if not isinstance(data.get("metadata"), dict):
        data["metadata"] = {}
    cells = []
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            result.note("a damaged cell was removed")
            continue
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(str(s) for s in cell["source"])
        cell.setdefault("source", "")
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        cells.append(cell)
    data["cells"] = cells
    seen, renamed = set(), 0
    for cell in cells:
        cid = cell.get("id")
        if not isinstance(cid, str) or not cid or cid in seen:
            cell["id"] = uuid.uuid4().hex[:8]
            renamed += isinstance(cid, str) and bool(cid)
        seen.add(cell["id"])
    if renamed:
        result.note(f"{renamed} duplicated cell id(s) were renumbered")
    data["nbformat"], data["nbformat_minor"] = 4, max(int(data.get("nbformat_minor") or 5), 5)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception:  # any failure means unreadable
        return None
    if major not in (3, 4):
        result.note(f"notebook format {major} was read as format 4")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        for cell in nb.cells:
            allowed = {"id", "cell_type", "metadata", "source"}
            allowed |= {"outputs", "execution_count"} if cell.cell_type == "code" else set()
            allowed |= {"attachments"} if cell.cell_type != "code" else set()
            for key in list(cell):
                if key not in allowed:
                    del cell[key]
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError:
            return None
        result.note("invalid notebook fields were removed")
    return nb


def _fix_kernel(nb, release, result: Preflight) -> None:
    wanted = release.metadata.get("kernelspec")
    found = nb.metadata.get("kernelspec") or {}
    if wanted and found.get("name") != wanted.get("name"):
        result.note(
            f"kernel {found.get('name')!r} was replaced by the course kernel {wanted.get('name')!r}"
        )
        nb.metadata["kernelspec"] = copy.deepcopy(wanted)


def _kind(meta: dict) -> tuple:
    return bool(meta.get("solution")), bool(meta.get("grade")) and not meta.get("solution")


def _restore_settings(nb, release, result: Preflight) -> None:
    """Grading settings come from the release, never from the submission.

    A cell whose nbgrader metadata was edited (an answer cell marked as graded, a changed
    solution flag or points, a schema version nbgrader does not know) gets the release's
    metadata back. A cell with a grade id the release does not have takes the id of a
    missing cell of the same kind (a renamed answer cell), else becomes an ordinary cell.
    """
    reference = {gid: c for c, gid in _release_graded(release)}
    present = {_grade_id(c) for c in nb.cells}
    missing = [gid for gid in reference if gid not in present]
    changes: dict[tuple, list] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict):
            del cell.metadata["nbgrader"]
            result.note("a cell's grading settings were damaged: it is graded as an ordinary cell")
            continue
        gid = meta.get("grade_id")
        if gid not in reference:
            match = next(
                (
                    m
                    for m in missing
                    if _kind(reference[m].metadata["nbgrader"]) == _kind(meta)
                    and reference[m].cell_type == cell.cell_type
                ),
                None,
            )
            if match is None:
                del cell.metadata["nbgrader"]
                result.note(
                    f"cell {gid!r} is not a graded cell of this assignment: graded as ordinary"
                )
                continue
            missing.remove(match)
            result.note(f"cell {gid!r} was renamed: graded as {match!r} again")
            gid = match
            meta = dict(meta, grade_id=match)
        wanted = copy.deepcopy(reference[gid].metadata["nbgrader"])
        if meta != wanted:
            changed = sorted(k for k in set(meta) | set(wanted) if meta.get(k) != wanted.get(k))
            changed = tuple(k for k in changed if k != "checksum")
            if changed:
                changes.setdefault(changed, []).append(gid)
        cell.metadata["nbgrader"] = wanted
        if cell.cell_type != reference[gid].cell_type and not wanted.get("locked"):
            result.note(f"cell {gid!r} had become a {cell.cell_type} cell: changed back")
            cell.cell_type = reference[gid].cell_type
            if cell.cell_type == "code":
                cell["outputs"], cell["execution_count"] = [], None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
    for changed, gids in changes.items():
        cells = ", ".join(repr(g) for g in gids) if len(gids) <= 3 else f"{len(gids)} cells"
        result.note(
            f"the grading settings ({', '.join(changed)}) of {cells} had been changed: "
            "restored from the source"
        )


def _dedupe(nb, result: Preflight) -> None:
    positions: dict[str, list[int]] = {}
    for index, cell in enumerate(nb.cells):
        gid = _grade_id(cell)
        if gid:
            positions.setdefault(gid, []).append(index)
    for gid, where in positions.items():
        if len(where) > 1:
            for index in where[:-1]:
                del nb.cells[index].metadata["nbgrader"]
            result.note(
                f"cell {gid!r} appeared {len(where)} times (copied cell): the last copy is graded"
            )


def _release_graded(release):
    return [(c, _grade_id(c)) for c in release.cells if _grade_id(c)]


def _restore_locked(nb, release, result: Preflight) -> None:
    reference = {gid: c for c, gid in _release_graded(release)}
    for index, cell in enumerate(nb.cells):
        gid = _grade_id(cell)
        source = reference.get(gid)
        if source is None or not source.metadata["nbgrader"].get("locked"):
            continue
        expected = source.metadata["nbgrader"].get("checksum") or nbutils.compute_checksum(source)
        if nbutils.compute_checksum(cell) != expected or cell.cell_type != source.cell_type:
            restored = copy.deepcopy(source)
            restored["id"] = cell.get("id", restored.get("id"))
            nb.cells[index] = restored
            result.note(f"locked cell {gid!r} had been edited: restored from the source")


def _restore_missing(nb, release, result: Preflight) -> None:
    previous = None
    for cell, gid in _release_graded(release):
        present = {_grade_id(c): i for i, c in enumerate(nb.cells) if _grade_id(c)}
        if gid not in present:
            at = present[previous] + 1 if previous in present else 0
            restored = copy.deepcopy(cell)
            restored["id"] = uuid.uuid4().hex[:8]
            nb.cells.insert(at, restored)
            kind = (
                "test cell" if nbutils.is_grade(cell) and not nbutils.is_solution(cell) else "cell"
            )
            result.note(f"{kind} {gid!r} had been deleted: restored from the source")
        previous = gid

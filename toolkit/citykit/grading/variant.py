"""Answers that must follow the data: each submission also runs on a variant sample city.

An answer typed in by hand (a label copied from an output) passes the hidden tests on Riverton.
With a variant seed, :func:`citykit.grading.batch.grade` builds (once, cached in the grading
folder) a second sample city with that seed, runs the instructor's solution notebook on it to
get the reference answers, and runs each submission a second time on it (the kernel's
``CITYKIT_DATA_DIR`` names the variant). A question keeps its marks only when every answer
value it reads equals the solution's on the variant; otherwise it scores 0 with the note
"the answer does not follow the data: typed in?".

Answers leave the kernel as data only (:mod:`citykit.grading.values`), in the same sandboxed
kernel as the graded run. Functions are not compared (the hidden tests call them on their own
inputs); numbers are compared to 6 significant digits, the checks' default.

Examples
--------
>>> same_answer(0.1 + 0.2, 0.3), same_answer("Riverside", "Harbor")
(True, False)
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

from citykit.grading.preprocessors import SafeExecute

__all__ = [
    "VARIANT_NOTE",
    "AnswerProbe",
    "answers_on_variant",
    "build_variant",
    "same_answer",
    "typed_in_questions",
    "unchecked_questions",
]

VARIANT_NOTE = "the answer does not follow the data: typed in?"
_DIGITS = 6


def build_variant(grading: str | os.PathLike, *, seed: int, scale: float = 1.0) -> Path:
    """The folder of the variant sample city for ``seed``, built once under ``grading``.

    Parameters
    ----------
    grading : path-like
        The course's grading folder (``_grading``); the city goes in ``variant-<seed>-<scale>``.
    seed : int, keyword-only
        The variant's seed (any other than the sample city's).
    scale : float, keyword-only
        The size of the city (1 is the sample city's).

    Returns
    -------
    Path
        A folder holding the tables and their ``datapackage.json``.

    Examples
    --------
    >>> import tempfile
    >>> folder = build_variant(tempfile.mkdtemp(), seed=11, scale=0.25)
    >>> (folder / "datapackage.json").is_file()
    True
    """
    from citykit import synth
    from citykit.errors import CityKitError

    if isinstance(seed, bool) or not isinstance(seed, int):
        raise CityKitError(f"variant seed must be a whole number, got {seed!r}; e.g. 2027")
    if seed == synth.DEFAULT_SEED:
        raise CityKitError(
            f"variant seed {seed} is the sample city's own seed; choose another (e.g. "
            f"{synth.DEFAULT_SEED + 1})"
        )
    folder = Path(grading) / f"variant-{seed}-{scale:g}"
    if (folder / "datapackage.json").is_file():
        return folder
    staging = Path(grading) / f".variant-{seed}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    synth.build(staging, seed=seed, scale=scale)
    try:
        os.replace(staging, folder)
    except OSError:  # another run built it first
        shutil.rmtree(staging, ignore_errors=True)
    return folder


class AnswerProbe(SafeExecute):
    """Run a notebook on the variant and record the answer values of each grade cell.

    The grade cells run their visible part only; the hidden tests are not evaluated. After
    each grade cell, the values of the answer names its question reads are taken from the
    kernel as data (``answers[grade_id] = {name: probe}``).
    """

    def preprocess(self, nb, resources, km=None):
        """Execute ``nb`` with ``CITYKIT_DATA_DIR`` set to :attr:`data_dir` in the kernel."""
        self.answers = {}
        return super().preprocess(nb, resources, km=km)

    def _install_clock(self, index: int) -> None:
        super()._install_clock(index)
        self._side_cell(
            f"import os as _o\n_o.environ['CITYKIT_DATA_DIR'] = {str(self.data_dir)!r}\ndel _o",
            index,
        )

    def _grade_outside(self, cell, gid: str, index: int) -> None:
        names = self._trusted.question_names.get(gid, set()) & self._trusted.answer_names
        names -= self._trusted.trusted_names
        if not names:
            return
        wanted = sorted(names)
        probe = {}
        answer = self._ask_kernel("probe", wanted, index)
        if isinstance(answer, dict):
            from citykit.grading import values

            for name in wanted:
                info = answer.get(name)
                if isinstance(info, dict) and info.get("kind") == "value":
                    try:
                        probe[name] = {"kind": "value", "value": values._decode(info.get("v"))}
                    except (ValueError, KeyError, TypeError, RecursionError):
                        probe[name] = {"kind": "unreadable"}
                elif isinstance(info, dict):
                    probe[name] = {"kind": str(info.get("kind", "missing"))}
        self.answers[gid] = probe


def answers_on_variant(
    notebook: str | os.PathLike,
    *,
    data_dir: str | os.PathLike,
    source_dir: str | os.PathLike,
    work_dir: str | os.PathLike,
    config=None,
) -> dict:
    """Run ``notebook`` on the variant city; return ``{grade_id: {name: probe}}``.

    Parameters
    ----------
    notebook : path-like
        The notebook (a solution or a preflighted submission).
    data_dir : path-like, keyword-only
        The variant city (readable by the kernel).
    source_dir : path-like, keyword-only
        The folder of the instructor's source notebooks (tests and answer names come from it).
    work_dir : path-like, keyword-only
        An empty folder: the notebook runs there next to a copy of the assignment's files.
    config : traitlets Config, optional, keyword-only
        The grading configuration (sandbox kernel, time limits).
    """
    import nbformat

    notebook, work_dir = Path(notebook), Path(work_dir)
    shutil.copytree(
        source_dir,
        work_dir,
        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"),
        dirs_exist_ok=True,
    )
    nb = nbformat.read(notebook, as_version=4)
    probe = AnswerProbe(config=config) if config is not None else AnswerProbe()
    probe.source_dir = str(source_dir)
    probe.data_dir = str(data_dir)
    probe.allow_errors = True
    resources = {"unique_key": notebook.stem, "metadata": {"path": str(work_dir)}}
    probe.preprocess(nb, resources)
    return probe.answers


def same_answer(a, b) -> bool:
    """True when two answer values are equal (numbers to 6 significant digits).

    Examples
    --------
    >>> same_answer([1.0000001, "a"], [1.0, "a"]), same_answer({"x": 1}, {"x": 2})
    (True, False)
    """
    import numpy as np
    import pandas as pd

    if isinstance(a, (pd.DataFrame, pd.Series, pd.Index)) or isinstance(
        b, (pd.DataFrame, pd.Series, pd.Index)
    ):
        if type(a) is not type(b):
            return False
        try:
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=10**-_DIGITS)
            elif isinstance(a, pd.Series):
                pd.testing.assert_series_equal(a, b, check_exact=False, rtol=10**-_DIGITS)
            else:
                pd.testing.assert_index_equal(a, b, check_exact=False, rtol=10**-_DIGITS)
        except (AssertionError, TypeError, ValueError):
            return False
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return same_answer(list(np.asarray(a).tolist()), list(np.asarray(b).tolist()))
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return bool(a) == bool(b) and isinstance(b, (bool, np.bool_)) == isinstance(
            a, (bool, np.bool_)
        )
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=10**-_DIGITS, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_answer(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_answer(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def typed_in_questions(reference: dict, answers: dict) -> list[str]:
    """Grade ids whose answers on the variant differ from the solution's.

    Parameters
    ----------
    reference : dict
        ``{grade_id: {name: probe}}`` of the solution on the variant.
    answers : dict
        The same for the submission.

    Examples
    --------
    >>> ref = {"q1": {"n": {"kind": "value", "value": 7}}, "q2": {}}
    >>> typed_in_questions(ref, {"q1": {"n": {"kind": "value", "value": 5}}})
    ['q1']
    >>> typed_in_questions(ref, {"q1": {"n": {"kind": "value", "value": 7}}})
    []
    """
    wrong = []
    for gid, expected in reference.items():
        mine = answers.get(gid, {})
        for name, info in expected.items():
            if info.get("kind") != "value":
                continue  # functions are called by the hidden tests on their own inputs
            got = mine.get(name, {})
            if got.get("kind") != "value" or not same_answer(got["value"], info["value"]):
                wrong.append(gid)
                break
    return wrong


def unchecked_questions(reference: dict) -> list[str]:
    """Notes for answers the solution did not give as values on the variant (not compared).

    Functions are expected (the hidden tests judge them); anything else -- a name missing or
    unreadable after the solution ran on the variant -- means that answer is not checked there.

    Examples
    --------
    >>> unchecked_questions({"q1": {"n": {"kind": "missing"}, "f": {"kind": "function"}}})
    ['`n` of q1 is missing in the solution run on the variant city (not checked)']
    """
    notes = []
    for gid, expected in reference.items():
        for name, info in sorted(expected.items()):
            if info.get("kind") not in ("value", "function", "module"):
                notes.append(
                    f"`{name}` of {gid} is {info.get('kind')} in the solution run on the variant "
                    "city (not checked)"
                )
    return notes

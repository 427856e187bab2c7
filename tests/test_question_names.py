"""Every function, method or attribute a question or a hint names has been shown in a lesson first.

A learner who works from ``curriculum/`` and ``exercises/`` alone must meet each name in a lesson of
the same module or an earlier one before a question or a hint relies on it.
"""

from __future__ import annotations

import builtins
import json
import re

import pytest
from citykit.check import load_bank
from repo_paths import ROOT

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
# the checker's own calls are explained in every assignment's introduction
CHECKER = {"hint", "solution", "progress"}
# what Python gives every notebook
PYTHON = set(dir(builtins)) | {"ceil", "floor", "sqrt", "deepcopy", "__name__"}
NAME = re.compile(r"\.([A-Za-z_]\w*)|\b([A-Za-z_]\w*)\(")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _lesson_text(module: str) -> str:
    """The code the lessons up to ``module`` show: code cells and `code` in the prose."""
    text = []
    for path in sorted((ROOT / "curriculum").glob("*/*.ipynb")):
        if path.parent.name <= module:
            for cell in _cells(path):
                source = _source(cell)
                if cell["cell_type"] == "code":
                    text.append(source)
                else:
                    # fenced blocks (```python ... ```) are code; then the `inline` spans
                    fenced = re.findall(r"```[^\n]*\n(.*?)```", source, flags=re.S)
                    text += fenced
                    prose = re.sub(r"```[^\n]*\n.*?```", " ", source, flags=re.S)
                    text += re.findall(r"`([^`]+)`", prose)
    return "\n".join(text)


def _question_texts(assignment: str) -> list[tuple[str, str]]:
    """(where, text) of the prompts a learner reads and the hints the bank gives."""
    texts = []
    path = next((ROOT / "solutions" / assignment).glob("*.ipynb"))
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown" and not meta.get("solution") and not meta.get("grade"):
            spans = re.findall(r"`([^`]+)`", _source(cell))
            texts.append((meta.get("grade_id", "?"), " ".join(spans)))
    for qid, spec in load_bank(assignment)["questions"].items():
        texts += [(f"{qid} hint {i + 1}", hint) for i, hint in enumerate(spec["hints"])]
    return texts


def _names(text: str) -> set[str]:
    found = set()
    for attribute, called in NAME.findall(text):
        found.add(attribute or called)
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_names_in_questions_and_hints_are_shown_in_a_lesson_first(assignment):
    lessons = _lesson_text(assignment)
    missing = {}
    for where, text in _question_texts(assignment):
        for name in sorted(_names(text) - CHECKER - PYTHON):
            if not re.search(rf"\b{re.escape(name)}\b", lessons):
                missing.setdefault(name, where)
    assert not missing, f"named before any lesson shows them: {missing}"


def test_the_name_finder_finds_attributes_and_calls():
    """A wrong input fails: a made-up attribute in a hint is reported."""
    assert _names("funnel.dots has a zone column; round up with math.ceil(x)") == {
        "dots",
        "ceil",
    }
    lessons = _lesson_text("00-foundations")
    assert re.search(r"\bvalue_counts\b", lessons)
    assert not re.search(r"\bgain_raw_share\b", lessons), "a module-04 name is not in module 00"

"""Stated times at a beginner's pace: no lesson states less time than the pace model
(``lesson_tools.pace_minutes``) gives it, to the nearest 5 minutes, and the README's module map states what the lessons state,
with each module's total (lessons and assignment) at the same pace."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import pytest
from lesson_tools import (
    assignment_pace_minutes,
    lesson_number,
    pace_minutes,
    stated_minutes,
)
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum").glob("*/*.ipynb"))
ASSIGNMENTS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
IDS = [f"{p.parent.name[:2]}-{p.stem}" for p in LESSONS]
GLOSSARY = (ROOT / "curriculum" / "glossary.md").read_text(encoding="utf-8")
NEW_TERMS = Counter(re.findall(r"^\*Introduced in \[(\d\d\.\d)", GLOSSARY, flags=re.M))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def to_5(minutes: float) -> int:
    """A time as a lesson states it: "about" the model's minutes, to the nearest 5."""
    return 5 * math.floor(minutes / 5 + 0.5)


def module_hours(minutes: float) -> float:
    """A module's time as the README gives it: up to the next half hour."""
    return math.ceil(minutes / 30 - 1e-9) / 2


def _module_map() -> str:
    return README.split("## Module map", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_no_lesson_states_less_than_a_beginners_pace(path):
    model = to_5(pace_minutes(path, new_terms=NEW_TERMS[lesson_number(path)]))
    stated = stated_minutes(path)
    assert stated >= model, (
        f"{path.name} says about {stated} minutes; at a beginner's pace it takes about {model}"
    )


def test_the_module_map_states_each_lessons_time_and_each_modules_total():
    table = _module_map()
    for module in sorted({p.parent for p in LESSONS}):
        row = next((r for r in table.splitlines() if f"{module.name}/)" in r), None)
        assert row, f"module {module.name} is missing from the module map"
        total = 0
        for lesson in sorted(module.glob("*.ipynb")):
            number = lesson_number(lesson)
            match = re.search(rf"\b{re.escape(number)} [^(·|]+\((\d+)\)", row)
            assert match, f"lesson {number} is missing from the module map"
            assert int(match.group(1)) == stated_minutes(lesson), f"lesson {number}: time differs"
            total += stated_minutes(lesson)
        assignments = sorted((ROOT / "solutions" / module.name).glob("*.ipynb"))
        for assignment in assignments:
            model = to_5(assignment_pace_minutes(assignment))
            match = re.search(rf"`{re.escape(assignment.stem)}`[^|]*?about (\d+) minutes", row)
            assert match, f"{assignment.stem}: missing from the module map, or without its time"
            assert int(match.group(1)) >= model, (
                f"{assignment.stem}: the map says about {match.group(1)} minutes; at a beginner's "
                f"pace it takes about {model}"
            )
            total += int(match.group(1))
        hours = re.search(r"about (\d+)(½)? h\b", row)
        assert hours, f"module {module.name}: no total time"
        stated = int(hours.group(1)) + (0.5 if hours.group(2) else 0)
        assert stated == module_hours(total), (
            f"module {module.name}: lessons and assignment take {total} minutes, "
            f"so about {module_hours(total)} h, not {stated}"
        )


def test_a_lesson_that_understates_its_time_fails(tmp_path):
    """A lesson of 2,100 words, 60 lines of code, three new terms and two Try it's takes about 35
    minutes: saying 20 is caught."""
    text = " ".join(["word"] * 2100)
    sources = [
        ("markdown", "# 09.1 · A lesson\n\n**Time:** about 20 minutes"),
        ("markdown", text),
        ("code", "\n".join(f"x{i} = {i}" for i in range(60))),
    ]
    for _ in range(2):
        sources += [
            ("markdown", "### Try it\n\nChange the value."),
            ("code", "y = 1  # change it"),
            ("markdown", "<details><summary>Show an answer</summary>\n\n```python\ny = 2\n```\n"),
        ]
    cells = [
        {"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": src}
        | ({"outputs": [], "execution_count": None} if kind == "code" else {})
        for i, (kind, src) in enumerate(sources)
    ]
    path = tmp_path / "01-lesson.ipynb"
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    model = to_5(pace_minutes(path, new_terms=3))
    assert model == 35  # 17.6 minutes of reading, 8 of code, 1 of new terms, 6 of Try it's
    assert stated_minutes(path) < model

"""Instructor notes (curriculum/instructor-notes/): one page per module with its timings, the
misconceptions to expect, discussion prompts and the assignment; the role plays of modules 02 and 04.

The timings are the lessons' own stated times, the misconceptions cover every question whose wrong
answers the module's question bank lists (and name no question it does not hold), and every link
resolves.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import pytest
from lesson_tools import assignment_pace_minutes, stated_minutes
from repo_paths import ROOT

NOTES = ROOT / "curriculum" / "instructor-notes"
MODULES = sorted(p for p in (ROOT / "curriculum").iterdir() if p.is_dir() and p.name[:2].isdigit())
BANKS = ROOT / "toolkit" / "citykit" / "questions"
SECTIONS = [
    "## Timing",
    "## Misconceptions to expect",
    "## Discussion prompts",
    "## The assignment",
]
ROLE_PLAYS = {
    "02-performance-management": "## Role play: the stat meeting",
    "04-results-driven-contracting": "## Role play: the provider check-in",
}


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n## ", 1)[0] if heading in text else ""


def bank_questions(module: str) -> dict[str, int]:
    """Each question of the module's bank with the number of wrong answers it lists."""
    bank = tomllib.loads((BANKS / f"{module}.toml").read_text(encoding="utf-8"))
    return {qid: len(q.get("mistakes", [])) for qid, q in bank["questions"].items()}


def notes_problems(text: str, page: Path, module: Path, questions: dict[str, int]) -> list[str]:
    """What is wrong with one module's notes page."""
    problems = [
        f"no section {s!r}" for s in SECTIONS + [ROLE_PLAYS.get(module.name)] if s and s not in text
    ]
    timing = _section(text, "## Timing")
    for lesson in sorted(module.glob("*.ipynb")):
        row = next((r for r in timing.splitlines() if f"/{lesson.name})" in r), None)
        if row is None:
            problems.append(f"no timing for {lesson.name}")
            continue
        minutes = [int(m) for m in re.findall(r"\|\s*(\d+)\b", row)]
        if not minutes or minutes[0] != stated_minutes(lesson):
            problems.append(
                f"{lesson.name}: the notes say {minutes[:1]}, the lesson {stated_minutes(lesson)}"
            )
        elif minutes[1:2] and minutes[1] < minutes[0]:
            problems.append(f"{lesson.name}: a session shorter than the lesson")
    for assignment in sorted((ROOT / "solutions" / module.name).glob("*.ipynb")):
        row = next((r for r in timing.splitlines() if f"`{assignment.stem}`" in r), "")
        minutes = re.findall(r"\|\s*(\d+)\s*\|", row)
        if not minutes or int(minutes[0]) < 5 * math.floor(
            assignment_pace_minutes(assignment) / 5 + 0.5
        ):
            problems.append(f"{assignment.stem}: no time, or less than a beginner's pace")
    misconceptions = _section(text, "## Misconceptions to expect")
    named = set(re.findall(r"`(q\d+_\w+)`", misconceptions))
    problems += [f"{q}: not a question of the bank" for q in sorted(named - set(questions))]
    problems += [
        f"{q}: the bank lists its wrong answers; the notes do not discuss them"
        for q, n in sorted(questions.items())
        if n and q not in named
    ]
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        if not link.startswith("http") and not (page.parent / link).resolve().exists():
            problems.append(f"broken link {link}")
    return problems


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_every_module_has_notes_that_match_its_lessons_and_its_bank(module):
    page = NOTES / f"{module.name}.md"
    assert page.exists(), f"no instructor notes for {module.name}"
    problems = notes_problems(
        page.read_text(encoding="utf-8"), page, module, bank_questions(module.name)
    )
    assert not problems, "\n".join(problems)


def test_the_index_links_every_modules_notes():
    index = (NOTES / "README.md").read_text(encoding="utf-8")
    for module in MODULES:
        assert f"]({module.name}.md)" in index
    for link in re.findall(r"\]\(([^)#]+)\)", index):
        assert link.startswith("http") or (NOTES / link).resolve().exists(), link


def test_notes_that_skip_a_misconception_or_misstate_a_time_are_caught():
    module = ROOT / "curriculum" / "00-foundations"
    page = NOTES / "00-foundations.md"
    questions = bank_questions(module.name)
    text = page.read_text(encoding="utf-8")
    assert notes_problems(text, page, module, questions) == []

    skipped = text.replace("`q8_late_ranking`", "the last question")
    assert notes_problems(skipped, page, module, questions) == [
        "q8_late_ranking: the bank lists its wrong answers; the notes do not discuss them"
    ]
    invented = text.replace("`q8_late_ranking`", "`q9_invented`")
    assert "q9_invented: not a question of the bank" in notes_problems(
        invented, page, module, questions
    )
    stated = stated_minutes(module / "01-tables-and-filters.ipynb")
    shorter = re.sub(rf"(01-tables-and-filters\.ipynb\) \| ){stated}", r"\g<1>40", text)
    assert any(
        "01-tables-and-filters" in p for p in notes_problems(shorter, page, module, questions)
    )
    no_play = (
        (NOTES / "02-performance-management.md")
        .read_text(encoding="utf-8")
        .replace("## Role play: the stat meeting", "## Activity")
    )
    pm = ROOT / "curriculum" / "02-performance-management"
    found = notes_problems(no_play, NOTES / "x.md", pm, bank_questions(pm.name))
    assert "no section '## Role play: the stat meeting'" in found

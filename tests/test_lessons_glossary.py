"""The glossary (curriculum/glossary.md) and the rule it enforces: every term is taught before it is
assessed.

For every glossary term, the first notebook that uses it, in course order (each module's lessons,
then its assignment), must be the lesson the glossary names, and that lesson must define it: the
term in **bold** in the first cell that uses it (the title block aside). Every lesson links to the
glossary.
"""

from __future__ import annotations

import json
import re

import pytest
from lesson_tools import cells, course_order, lesson_number
from repo_paths import ROOT

GLOSSARY = ROOT / "curriculum" / "glossary.md"
LESSONS = sorted((ROOT / "curriculum").glob("*/*.ipynb"))
IDS = [f"{p.parent.name[:2]}-{p.stem}" for p in LESSONS]
_INTRO = re.compile(r"^\*Introduced in \[(\d\d\.\d) · [^\]]+\]\(([^)]+\.ipynb)\)\.\*", re.M)


def parse_glossary(text: str) -> list[dict]:
    """One entry per ``### term`` heading: its ``forms`` (the heading's words, and the ones in its
    brackets), the lesson that introduces it, its Excel equivalent (or None) and its definition."""
    entries = []
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        main, _, rest = heading.partition(" (")
        forms = [main.strip()] + [f.strip() for f in rest.rstrip(")").split(",") if f.strip()]
        # a term that is also an everyday word (the mean / to mean) says how the course writes it;
        # a form in bold (**mean**) is found only where it is written in bold
        found_as = re.search(r"<!-- found as: (.+?) -->", body)
        if found_as:
            forms = [f.strip() for f in found_as.group(1).split(",")]
        intro = _INTRO.search(body)
        excel = re.search(r"^\*In Excel:\* (.+)$", body, flags=re.M)
        definition = "\n".join(
            line
            for line in body.strip().splitlines()
            if line and not line.startswith(("*", "#", "<"))
        )
        entries.append(
            {
                "term": main.strip(),
                "forms": forms,
                "lesson": intro.group(1) if intro else None,
                "link": intro.group(2) if intro else None,
                "excel": excel.group(1) if excel else None,
                "definition": definition,
            }
        )
    return entries


def form_pattern(form: str) -> re.Pattern:
    """How a form is found in a notebook: in backticks (code) exactly, with its case; an
    abbreviation (two capitals or more, or two letters at most) with its case; a word in any case,
    plural too."""
    if form.startswith("`") and form.endswith("`"):
        word = re.escape(form.strip("`"))
        lead = r"(?<![\w])" if form[1].isalnum() or form[1] == "_" else ""
        return re.compile(lead + word + r"(?![\w])")
    word = re.escape(form).replace(r"\ ", r"[\s-]+")
    plural = r"(?:s|es)?" if form[-1].isalpha() else ""
    exact = sum(ch.isupper() for ch in form) >= 2 or len(form) <= 2
    return re.compile(rf"(?<![\w-]){word}{plural}(?![\w])", 0 if exact else re.I)


def _is_code(form: str) -> bool:
    return form.startswith("`")


def uses(path, entry) -> list[int]:
    """The cells of a notebook that use a term: markdown for every form, code cells for the forms
    written as code (`merge`, `lambda`). The lessons' fixed headings ("Key points") are not uses."""
    found = []
    for i, (kind, src, _) in enumerate(cells(path)):
        forms = entry["forms"] if kind == "markdown" else [f for f in entry["forms"] if _is_code(f)]
        text = src.replace("## Key points", "") if kind == "markdown" else src
        if any(form_pattern(f).search(text) for f in forms):
            found.append(i)
    return found


def first_use_problem(entry, order) -> str | None:
    """Why a term is not taught before it is used, or None: the first notebook using it (in course
    order) must be the lesson the glossary names, and that lesson's first cell using it (after the
    title block) must define it in bold."""
    first = next((p for p in order if uses(p, entry)), None)
    if first is None:
        return f"{entry['term']!r} is in the glossary but no notebook uses it"
    where = f"{first.parent.name}/{first.name}"
    if first.parent.parent.name != "curriculum":
        return f"{entry['term']!r} is first used in an assignment ({where}), before any lesson teaches it"
    if lesson_number(first) != entry["lesson"]:
        return (
            f"{entry['term']!r} is first used in {lesson_number(first)} ({where}); "
            f"the glossary says {entry['lesson']} introduces it"
        )
    used = [i for i in uses(first, entry) if i > 0]  # the title block announces; the text defines
    if not used:
        return f"{entry['term']!r}: {where} names it only in its title block"
    kind, source, _ = cells(first)[used[0]]
    if kind != "markdown" or not defines(source, entry):
        return (
            f"{entry['term']!r}: the first cell of {where} that uses it (cell {used[0]}) does not "
            f"define it (the term in bold): {source[:200]!r}"
        )
    return None


def defines(source: str, entry) -> bool:
    """The cell writes the term in bold: ``**term**`` (or ``**`term`**``), any of its forms."""
    bold = re.findall(r"\*\*(.+?)\*\*", source, flags=re.S)
    return any(form_pattern(f.strip("*")).search(b) for f in entry["forms"] for b in bold)


ENTRIES = parse_glossary(GLOSSARY.read_text(encoding="utf-8")) if GLOSSARY.exists() else []
ORDER = course_order(ROOT)


def test_the_glossary_is_complete_in_its_form():
    assert len(ENTRIES) >= 150, "the glossary holds every term of the course"
    terms = [e["term"].lower() for e in ENTRIES]
    assert len(terms) == len(set(terms)), "each term once"
    assert terms == sorted(terms, key=lambda t: t.strip("`").lstrip(".")), "in alphabetical order"
    lessons = {lesson_number(p): p for p in LESSONS}
    for entry in ENTRIES:
        assert entry["lesson"] in lessons, f"{entry['term']}: names no lesson of the course"
        target = (GLOSSARY.parent / entry["link"]).resolve()
        assert target == lessons[entry["lesson"]].resolve(), f"{entry['term']}: broken link"
        assert len(entry["definition"].split()) >= 8, f"{entry['term']}: a definition in words"
    with_excel = [e for e in ENTRIES if e["excel"]]
    assert len(with_excel) >= 40, "the Excel equivalent, wherever one exists"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["term"].strip("`") for e in ENTRIES])
def test_every_term_is_defined_in_a_lesson_before_any_notebook_uses_it(entry):
    problem = first_use_problem(entry, ORDER)
    assert problem is None, problem


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_lesson_links_to_the_glossary(path):
    text = "\n".join(src for kind, src, _ in cells(path) if kind == "markdown")
    assert "](../glossary.md)" in text


def _notebook(path, sources):
    cells_ = [
        {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": src}
        for i, src in enumerate(sources)
    ]
    nb = {"cells": cells_, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_first_use_rules_catch_a_term_used_before_its_lesson(tmp_path):
    """A term used in an assignment before any lesson, in a lesson before the one the glossary names,
    or in a lesson before its bold definition, fails; defined at first use, it passes."""
    entry = parse_glossary(
        "### standard error (SE)\n*Introduced in [03.1 · Why randomize](03-evaluation/"
        "01-why-randomize.ipynb).*\n\nHow far an estimate would move, typically, if the test were "
        "run again.\n"
    )[0]
    assert entry["forms"] == ["standard error", "SE"] and entry["lesson"] == "03.1"
    assert form_pattern("SE").search("an HC2 SE") and not form_pattern("SE").search("see these")
    assert form_pattern("standard error").search("Standard errors are HC2")
    assert form_pattern("`merge`").search("a.merge(b)")
    assert not form_pattern("`merge`").search("merged")

    root = tmp_path / "course"
    title = "# 03.1 · Why randomize"
    lesson = root / "curriculum" / "03-evaluation" / "01-why-randomize.ipynb"
    exercise = root / "exercises" / "02-performance-management" / "stat-meeting-prep.ipynb"
    earlier = root / "curriculum" / "02-performance-management" / "01-goal.ipynb"

    _notebook(lesson, [title, "The **standard error** (SE) is how far ...", "Its SE is small."])
    assert first_use_problem(entry, [lesson]) is None

    _notebook(lesson, [title, "Its SE is small.", "The **standard error** (SE) is ..."])
    assert "does not define it" in first_use_problem(entry, [lesson])

    _notebook(exercise, ["Give the standard error of the estimate."])
    assert "first used in an assignment" in first_use_problem(entry, [exercise, lesson])

    _notebook(earlier, ["# 02.1 · Goal", "Its standard error is small."])
    assert "the glossary says 03.1" in first_use_problem(entry, [earlier, lesson])
    assert "no notebook uses it" in first_use_problem(entry, [])

"""The glossary (curriculum/glossary.md) and the rule it enforces: every term is taught before it is
assessed.

For every glossary term, the first notebook that uses it, in course order (each module's lessons,
then its assignment), must be the lesson the glossary names, and that lesson must define it: the
term in **bold** in the first cell that uses it (the title block aside). Every lesson links to the
glossary.
"""

from __future__ import annotations

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
        intro = _INTRO.search(body)
        excel = re.search(r"^\*In Excel:\* (.+)$", body, flags=re.M)
        definition = "\n".join(
            line for line in body.strip().splitlines() if line and not line.startswith("*")
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
    abbreviation (two capitals or more) with its case; a word in any case, plural too."""
    if form.startswith("`") and form.endswith("`"):
        word = re.escape(form.strip("`"))
        lead = r"(?<![\w])" if form[1].isalnum() or form[1] == "_" else ""
        return re.compile(lead + word + r"(?![\w])")
    word = re.escape(form).replace(r"\ ", r"[\s-]+")
    plural = r"(?:s|es)?" if form[-1].isalpha() else ""
    flags = 0 if sum(ch.isupper() for ch in form) >= 2 else re.I
    return re.compile(rf"(?<![\w-]){word}{plural}(?![\w])", flags)


def _is_code(form: str) -> bool:
    return form.startswith("`")


def uses(path, entry) -> list[int]:
    """The cells of a notebook that use a term: markdown for every form, code cells for the forms
    written as code (`merge`, `lambda`)."""
    found = []
    for i, (kind, src, _) in enumerate(cells(path)):
        forms = entry["forms"] if kind == "markdown" else [f for f in entry["forms"] if _is_code(f)]
        if any(form_pattern(f).search(src) for f in forms):
            found.append(i)
    return found


def defines(source: str, entry) -> bool:
    """The cell writes the term in bold: ``**term**`` (or ``**`term`**``), any of its forms."""
    bold = re.findall(r"\*\*(.+?)\*\*", source)
    return any(
        form_pattern(f).fullmatch(b.strip()) or form_pattern(f).search(b)
        for f in entry["forms"]
        for b in bold
    )


ENTRIES = parse_glossary(GLOSSARY.read_text(encoding="utf-8")) if GLOSSARY.exists() else []
ORDER = course_order(ROOT)


def test_the_glossary_is_complete_in_its_form():
    assert len(ENTRIES) >= 150, "the glossary holds every term of the course"
    terms = [e["term"].lower() for e in ENTRIES]
    assert len(terms) == len(set(terms)), "each term once"
    assert terms == sorted(terms, key=lambda t: t.strip("`").lower()), "in alphabetical order"
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
    first = next((p for p in ORDER if uses(p, entry)), None)
    assert first is not None, f"{entry['term']!r} is in the glossary but no notebook uses it"
    where = first.relative_to(ROOT).as_posix()
    assert first.parent.parent.name == "curriculum", (
        f"{entry['term']!r} is first used in an assignment ({where}), before any lesson teaches it"
    )
    assert lesson_number(first) == entry["lesson"], (
        f"{entry['term']!r} is first used in {lesson_number(first)} ({where}); "
        f"the glossary says {entry['lesson']} introduces it"
    )
    lesson = cells(first)
    used = [i for i in uses(first, entry) if i > 0]  # the title block announces; the text defines
    assert used, f"{entry['term']!r}: {where} names it only in its title block"
    kind, source, _ = lesson[used[0]]
    assert kind == "markdown" and defines(source, entry), (
        f"{entry['term']!r}: the first cell of {where} that uses it (cell {used[0]}) does not define "
        f"it (the term in bold): {source[:300]!r}"
    )


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_lesson_links_to_the_glossary(path):
    text = "\n".join(src for kind, src, _ in cells(path) if kind == "markdown")
    assert "](../glossary.md)" in text


def test_first_use_rules_catch_a_term_used_before_its_lesson(tmp_path):
    """A term used in an assignment before any lesson, or in a lesson before its definition, fails."""
    entry = parse_glossary(
        "### standard error (SE)\n*Introduced in [03.1 · Why randomize](03-evaluation/"
        "01-why-randomize.ipynb).*\n\nHow far an estimate would move, typically, if the test were "
        "run again.\n"
    )[0]
    assert entry["forms"] == ["standard error", "SE"]
    assert form_pattern("SE").search("an HC2 SE") and not form_pattern("SE").search("see these")
    assert form_pattern("standard error").search("Standard errors are HC2")
    assert form_pattern("`merge`").search("a.merge(b)") and not form_pattern("`merge`").search(
        "merged"
    )
    assert defines("the **standard error** is ...", entry)
    assert not defines("the standard error is ...", entry)

"""Numbers in the prose cannot drift from the outputs they describe.

Every number a lesson's text quotes about the data is a *figure* (``lesson_figures.FIGURES``): the
sentence as the lesson writes it, with ``{}`` where the numbers go, and a Python expression that
computes those numbers in the lesson's own kernel, at the point where the text quotes them. The
sample-city lesson runs once with a probe before each quoting cell; the numbers it computes must be
the numbers the text prints. A change in the data, or in the code, shows up here as a failing test,
not as stale prose.

Every other number in the text is accounted for: a constant of a method, a published figure, a
threshold or a made-up example (``lesson_figures.CONSTANTS``, each a phrase that must still be in the
lesson), or a year, a lesson or figure number, a list marker. A new number in a lesson's text fails the
completeness test until it is one or the other.
"""

from __future__ import annotations

import re

import pytest
from lesson_figures import CONSTANTS, FIGURES
from lesson_tools import (
    cells,
    markdown,
    probe_positions,
    quote_pattern,
    run_with_figures,
    sample_city_run,
    text_pattern,
)
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum").glob("*/*.ipynb"))
KEYS = [f"{p.parent.name}/{p.stem}" for p in LESSONS]
IDS = [f"{p.parent.name[:2]}-{p.stem}" for p in LESSONS]

NUMBER = re.compile(r"(?<![\w.,/-])[-−+]?\d(?:[\d,]*\d)?(?:\.\d+)?%?(?![\w])")
#: Numbers that are not statements about the data: years, lesson and figure numbers, list markers,
#: the lesson's time, the service line's name, a share's scale and the reference value 1 of a ratio.
EXEMPT = [
    re.compile(p)
    for p in (
        r"(?<!\d)(?:19|20)\d\d(?:[–-](?:19|20)?\d\d)?(?!\d)",  # years and year ranges
        r"\b0\d\.\d\b",  # lesson numbers, 03.2
        r"(?i)\bmodules?\s+0\d(?:\s+(?:and|to|or)\s+0\d)?",
        r"(?i)\b(?:figures?|questions?|parts?|rules?|steps?|lessons?)\s+\d+(?:(?:,\s+|\s+and\s+|\s+or\s+|-|–)\d+)*",
        r"\*\*Time:\*\* about \d+ minutes",
        r"(?m)^\s*\d+\. |\|\s*\d+\.\s",  # numbered lists, numbered rows of a table
        r"\b311\b",  # the city's service line
        r"\b0(?:–|-|\s+to\s+|\s+and\s+)1\b|\b0/1\b",  # the scale of a share, a yes/no column
        r"(?i)(?:above|below|around|excludes|includes|cross|at|left of|than)\s+1\b(?![.,]\d)",  # ratio 1
    )
]


def _prose(text: str) -> str:
    """Markdown without code (fenced and inline), links' addresses, HTML tags, DOIs and the Sources
    paragraph: blanked, so that positions stay where they were."""
    for pattern in (
        r"```.*?```",
        r"`[^`\n]*`",
        r"\]\([^)]*\)",
        r"<[^>]+>",
        r"https?://\S+",
        r"doi:\S+",
        r"\*\*Sources\.\*\*.*?(?=\n\n|\Z)",  # references: volumes, pages, years
    ):
        text = re.sub(pattern, lambda m: " " * len(m.group()), text, flags=re.S)
    return text


def uncovered_numbers(key: str, texts: list[str]) -> list[str]:
    """The numbers of a lesson's text that are neither a figure, a constant nor exempt."""
    patterns = [quote_pattern(f.quote) for f in FIGURES.get(key, [])]
    constants = [re.compile(text_pattern(c)) for c in CONSTANTS.get(key, [])]
    found = []
    for text in texts:
        prose = _prose(text)
        covered = [
            m.span()
            for pattern in (*patterns, *constants, *EXEMPT)
            for m in pattern.finditer(prose if pattern in EXEMPT else text)
        ]
        for m in NUMBER.finditer(prose):
            if not any(a <= m.start() and m.end() <= b for a, b in covered):
                context = prose[max(0, m.start() - 50) : m.end() + 30].replace("\n", " ")
                found.append(f"{m.group()!r} in: ...{context}...")
    return found


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_number_in_the_text_is_a_checked_figure_or_a_named_constant(path):
    key = f"{path.parent.name}/{path.stem}"
    missing = uncovered_numbers(key, markdown(path))
    assert not missing, "numbers the text quotes with no figure or constant:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_figure_and_constant_is_still_in_the_text(path):
    key = f"{path.parent.name}/{path.stem}"
    text = "\n".join(markdown(path))
    for figure in FIGURES.get(key, []):
        assert quote_pattern(figure.quote).search(text), f"no longer in the text: {figure.quote!r}"
    for constant in CONSTANTS.get(key, []):
        assert re.search(text_pattern(constant), text), f"no longer in the text: {constant!r}"
    positions = probe_positions(path, FIGURES.get(key, []))
    for figure, position in zip(FIGURES.get(key, []), positions, strict=True):
        assert position is not None, f"no text cell to compute {figure.quote!r} before"


def test_unknown_lessons_are_not_listed():
    assert set(FIGURES) | set(CONSTANTS) <= set(KEYS)


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_the_numbers_the_text_quotes_are_the_numbers_the_lesson_computes(path):
    key = f"{path.parent.name}/{path.stem}"
    figures = FIGURES.get(key, [])
    _, values = sample_city_run(path)
    texts = [src for kind, src, _ in cells(path) if kind == "markdown"]
    wrong = []
    for number, figure in enumerate(figures):
        value = values.get(number)
        if not isinstance(value, list):
            wrong.append(f"{figure.quote!r}: {value or 'not computed'} ({figure.value})")
            continue
        if figure.quote.count("{}") != len(value):
            wrong.append(f"{figure.quote!r}: {len(value)} numbers for {figure.quote.count('{}')}")
            continue
        expected = figure.quote.format(*value)
        if not any(re.search(text_pattern(expected), text) for text in texts):
            wrong.append(f"the text says {figure.quote!r}; the lesson computes {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_a_figure_that_drifts_from_its_output_is_caught(tmp_path):
    """A lesson whose text quotes 16 days for a duration the code computes as 15 fails."""
    import json

    from lesson_figures import Figure

    lesson = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "a",
                "outputs": [],
                "metadata": {"tags": ["parameters"]},
                "source": "city = 'Riverton'",
            },
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "b",
                "outputs": [],
                "metadata": {},
                "source": "import pandas as pd\nwait = pd.Timedelta(days=15.5)",
            },
            {
                "cell_type": "markdown",
                "id": "c",
                "metadata": {},
                "source": "The first request took 16 days and 12 hours.",
            },
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(lesson))
    figure = Figure("took {} days and {} hours", "(wait.days, wait.seconds // 3600)")
    _, values = run_with_figures(path, tmp_path / "out" / "lesson.ipynb", [figure])
    assert values == {0: ["15", "12"]}
    assert figure.quote.format(*values[0]) not in lesson["cells"][2]["source"]
    # the completeness scan finds a number nobody accounted for
    assert uncovered_numbers("none", ["In 2024 the median was 2.6 days (lesson 00.2)."]) == [
        "'2.6' in: ...In 2024 the median was 2.6 days (lesson 00.2)...."
    ]

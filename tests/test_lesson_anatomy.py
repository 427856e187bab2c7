"""Every lesson of every module has the same anatomy (DESIGN.md, "Lesson anatomy"): a title block
with time, questions, objectives and why it matters; one papermill `parameters` cell naming the
city's tables; a setup cell; sections; explained code; numbered figure captions; "Try it"
exercises with answers; key points and what comes next; no outputs in git."""

from __future__ import annotations

import re

import pytest
from lesson_tools import PARAMETERS, cells
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum").glob("*/*.ipynb"))
IDS = [f"{p.parent.name[:2]}-{p.stem}" for p in LESSONS]


def test_every_module_has_lessons():
    # a module is a numbered folder; instructor-notes/ sits beside them
    modules = sorted(
        p.name for p in (ROOT / "curriculum").iterdir() if p.is_dir() and p.name[:2].isdigit()
    )
    assert modules[:1] == ["00-foundations"] and len(modules) >= 6
    for module in modules:
        assert list((ROOT / "curriculum" / module).glob("*.ipynb")), module


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_title_block(path):
    kind, title, _ = cells(path)[0]
    assert kind == "markdown"
    number = f"{path.parent.name[:2]}.{int(path.stem[:2])}"
    assert re.match(rf"# {re.escape(number)} · \S", title), title.splitlines()[0]
    for part in (
        "**Time:** about",
        "**Questions**",
        "**Objectives",
        "**Why it matters for a city:**",
    ):
        assert part in title, part
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", title)
    questions = re.findall(r"^- ", title.split("**Objectives")[0], flags=re.M)
    objectives = re.findall(r"^- ", title.split("**Objectives")[1].split("**Why")[0], flags=re.M)
    assert 2 <= len(questions) <= 3 and 3 <= len(objectives) <= 5


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_parameters_and_setup(path):
    lesson = cells(path)
    tagged = [
        i for i, (_, _, c) in enumerate(lesson) if "parameters" in c["metadata"].get("tags", [])
    ]
    assert len(tagged) == 1, "exactly one cell tagged `parameters`"
    parameters = lesson[tagged[0]][1]
    assert parameters.startswith(PARAMETERS)
    setup = next(src for kind, src, _ in lesson[tagged[0] + 1 :] if kind == "code")
    assert setup.startswith("# Run this cell first")
    assert "from citykit import" in setup and "tips.enable()" in setup
    # every table the lesson reads is named in the parameters cell (or literally), so another
    # city can run the lesson on its own exports
    code = "\n".join(src for kind, src, _ in lesson if kind == "code")
    for table in re.findall(r"datasets\.load\(([^,)]+), data_dir=data_dir\)", code):
        named = f"{table} = " in parameters or f"for {table} in " in code
        assert table.startswith(('"', "'")) or named, table


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_sections_key_points_and_no_outputs(path):
    lesson = cells(path)
    lines = [line for kind, src, _ in lesson if kind == "markdown" for line in src.splitlines()]
    sections = [h for h in lines if h.startswith("## ") and h != "## Key points"]
    assert len(sections) >= 3
    assert "## Key points" in lesson[-1][1] and "**Next:**" in lesson[-1][1]
    for kind, _, cell in lesson:
        if kind == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_code_is_explained_and_figures_are_captioned_in_order(path):
    lesson = cells(path)
    for i, (kind, src, _) in enumerate(lesson):
        if kind == "code" and i > 0:
            assert lesson[i - 1][0] == "markdown", f"code cell {i} has no explanation before it"
        if kind == "code" and ("plt.show()" in src or re.search(r"_explorer\(", src)):
            after_kind, after, _ = lesson[i + 1]
            assert after_kind == "markdown" and re.match(r"\*Figure \d+[.( ]", after), f"cell {i}"
    numbers = [
        int(m.group(1))
        for kind, src, _ in lesson
        if kind == "markdown" and (m := re.match(r"\*Figure (\d+)[.( ]", src))
    ]
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    assert not any(src.startswith("*Figure:") for _, src, _ in lesson)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_try_it_has_code_and_an_answer(path):
    lesson = cells(path)
    tries = [
        i for i, (kind, src, _) in enumerate(lesson) if kind == "markdown" and "### Try it" in src
    ]
    assert len(tries) >= 2
    for i in tries:
        assert lesson[i + 1][0] == "code"
        # the answer follows the try-it code (and, for a chart, the chart's caption)
        after = [src for _, src, _ in lesson[i + 2 :] if not src.startswith("*Figure ")]
        assert after[0].startswith("<details><summary>Show an answer</summary>"), after[0][:80]
        assert after[0].rstrip().endswith("</details>")

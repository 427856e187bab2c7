"""The website's build (book/build.py), piece by piece: links, settings, captions as alt text,
explorers, staging whatever pages the course holds, and lessons executed again when stale.

The built site itself is tested in a browser: tests/browser/test_site.py.
"""

from __future__ import annotations

import doctest
import json
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from repo_paths import ROOT

sys.path.insert(0, str(ROOT / "book"))
import build  # book/build.py

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
SETTINGS = build.Settings(
    title="Course",
    hub_url="https://hub.city.gov",
    repository_url="https://git.example.org/city/academy.git",
    branch="spring",
)


def test_doctests():
    result = doctest.testmod(build)
    assert result.attempted >= 5 and result.failed == 0


def test_the_hub_link_follows_nbgitpuller_documented_form():
    settings = build.load_settings(
        hub_url="https://hub.city.gov/",
        repository_url="https://git.example.org/city/academy.git",
        branch="spring",
    )
    url = build.nbgitpuller_url(settings, "curriculum/00-foundations/01-tables-and-filters.ipynb")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "hub.city.gov",
        "/hub/user-redirect/git-pull",
    )
    assert parse_qs(parts.query) == {
        "repo": ["https://git.example.org/city/academy.git"],
        # nbgitpuller clones into a folder named after the repository: the path starts there
        "urlpath": ["lab/tree/academy/curriculum/00-foundations/01-tables-and-filters.ipynb"],
        "branch": ["spring"],
    }


def test_settings_that_cannot_work_are_refused_with_the_fix(tmp_path):
    with pytest.raises(build.BuildError, match=r"hub_url must be an http\(s\) address.*--hub-url"):
        build.load_settings(hub_url="hub.city.gov")
    odd = tmp_path / "site.toml"
    odd.write_text(
        (ROOT / "book" / "site.toml").read_text() + 'hub = "https://hub.city.gov"\n',
        encoding="utf-8",
    )
    with pytest.raises(build.BuildError, match=r"\['hub'\] not known"):
        build.load_settings(odd)


def _executed_lesson(*, caption: str | None = "*Figure 1. Bars of requests per district.*"):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# 00.1 · A lesson\n\nText."},
        {
            "cell_type": "code",
            "metadata": {},
            "source": "ax.plot()\nplt.show()",
            "outputs": [
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"image/png": PNG, "text/plain": "<Figure>"},
                }
            ],
        },
    ]
    if caption is not None:
        cells.append({"cell_type": "markdown", "metadata": {}, "source": caption + "\n\nMore."})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


REL = "curriculum/00-foundations/01-a-lesson.ipynb"
PUBLISHED = {REL: REL, "curriculum/00-foundations": "curriculum/00-foundations/index.md"}


def test_a_figure_gets_its_caption_as_alt_text():
    summary = build.Summary()
    nb = build.prepare_lesson(
        _executed_lesson(),
        rel=REL,
        settings=SETTINGS,
        assignment=None,
        published=PUBLISHED,
        summary=summary,
    )
    chart = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert chart["metadata"]["mystnb"]["image"]["alt"] == "Figure 1. Bars of requests per district."
    assert (summary.figures, summary.figures_with_alt_text) == (1, 1)
    box = nb["cells"][1]["source"]
    assert "{download}`Download the notebook <../../_notebooks/" + REL + ">`" in box
    assert build.nbgitpuller_url(SETTINGS, REL) in box


@pytest.mark.parametrize("caption", [None, "The chart above shows requests.", "*Figure: bars.*"])
def test_a_figure_without_a_caption_stops_the_build(caption):
    with pytest.raises(build.BuildError, match=rf"{REL}, code cell 1: .*caption"):
        build.prepare_lesson(
            _executed_lesson(caption=caption),
            rel=REL,
            settings=SETTINGS,
            assignment=None,
            published=PUBLISHED,
            summary=build.Summary(),
        )


def test_an_explorer_shows_its_first_picture_and_says_it_needs_a_notebook():
    nb = _executed_lesson()
    view = "application/vnd.jupyter.widget-view+json"
    nb["cells"][1]["outputs"] = [
        {"output_type": "execute_result", "metadata": {}, "data": {view: {"model_id": "box"}}}
    ]
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                "box": {
                    "model_name": "VBoxModel",
                    "state": {"children": ["IPY_MODEL_out", "IPY_MODEL_text", "IPY_MODEL_img"]},
                },
                "out": {
                    "model_name": "OutputModel",
                    "state": {
                        "outputs": [
                            {
                                "output_type": "display_data",
                                "data": {"image/png": PNG},
                                "metadata": {},
                            }
                        ]
                    },
                },
                "text": {"model_name": "HTMLModel", "state": {"value": "<b>12 signals</b>"}},
                "img": {
                    "model_name": "ImageModel",
                    "state": {"format": "png"},
                    "buffers": [{"encoding": "base64", "path": ["value"], "data": PNG}],
                },
            }
        }
    }
    summary = build.Summary()
    prepared = build.prepare_lesson(
        nb, rel=REL, settings=SETTINGS, assignment=None, published=PUBLISHED, summary=summary
    )
    outputs = prepared["cells"][2]["outputs"]
    kinds = [sorted(o["data"]) for o in outputs]
    assert kinds == [["image/png"], ["image/png"], ["text/html"], ["text/markdown"]]
    assert "needs a running" not in json.dumps(nb)  # the executed copy is left as it was
    assert "running notebook" in outputs[-1]["data"]["text/markdown"]
    assert "widgets" not in prepared["metadata"], "no widget state: nothing to fetch from a CDN"
    assert summary.explorers_replaced == [f"{REL} cell 1"] and summary.figures_with_alt_text == 2


def test_links_to_files_the_site_does_not_publish_go_to_the_repository_and_are_counted():
    outside = []
    text = build.rewrite_links(
        "See [the data](../../datasets/README.md), [lesson 2](02-next.ipynb#part) and "
        "[nbgrader](https://nbgrader.readthedocs.io).",
        source=REL,
        page=REL,
        published={**PUBLISHED, "curriculum/00-foundations/02-next.ipynb": "x/02-next.ipynb"},
        settings=SETTINGS,
        outside=outside,
    )
    assert "(https://git.example.org/city/academy/tree/spring/datasets/README.md)" in text
    assert "(../../x/02-next.ipynb#part)" in text
    assert "(https://nbgrader.readthedocs.io)" in text
    assert outside == [f"{REL}: ../../datasets/README.md"]


def _course(root, *, readme_sections=None):
    """A small course: one module with a lesson and an assignment, a README, a docs page."""
    root.mkdir(parents=True, exist_ok=True)
    headings = readme_sections or ["Module map"] + [
        heading for _, _, parts in build.GUIDES for heading, _ in parts
    ]
    text = "# Course\n\nIntro.\n\n" + "\n\n".join(f"## {h}\n\nText of {h}." for h in headings)
    text = text.replace(
        "Text of Module map.",
        "| module | what | lessons | assignment | time |\n|---|---|---|---|---|\n"
        "| [00 · First](curriculum/00-first/) | Tables | 00.1 | `a1` | 1 h |",
    )
    (root / "README.md").write_text(text, encoding="utf-8")
    lesson = root / "curriculum" / "00-first" / "01-a-lesson.ipynb"
    exercise = root / "exercises" / "00-first" / "a1.ipynb"
    for path, title in ((lesson, "# 00.1 · A lesson"), (exercise, "# Assignment 00")):
        path.parent.mkdir(parents=True)
        nb = {
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": title}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        path.write_text(json.dumps(nb), encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "grading.md").write_text("# Grading\n\nText.\n", encoding="utf-8")
    for folder in ("toolkit/citykit", "datasets"):
        (root / folder).mkdir(parents=True)
    return {"curriculum/00-first/01-a-lesson.ipynb": lesson}


def test_the_site_takes_whatever_markdown_pages_the_curriculum_holds(tmp_path):
    root = tmp_path / "course"
    executed = _course(root)
    summary = build.Summary()
    build.stage(root, tmp_path / "src", executed, SETTINGS, summary)  # no glossary yet: fine
    assert "Reference" not in (tmp_path / "src" / "index.md").read_text()

    (root / "curriculum" / "glossary.md").write_text(
        "# Glossary\n\n**Measure.** See [lesson 00.1](00-first/01-a-lesson.ipynb).\n"
    )
    (root / "curriculum" / "00-first" / "notes.md").write_text("# Notes for module 00\n")
    summary = build.Summary()
    build.stage(root, tmp_path / "src", executed, SETTINGS, summary)
    src = tmp_path / "src"
    assert {"curriculum/glossary.md", "curriculum/00-first/notes.md"} <= set(summary.pages)
    index = (src / "index.md").read_text()
    assert ":caption: Reference" in index and "curriculum/glossary" in index
    assert (
        "[lesson 00.1](00-first/01-a-lesson.ipynb)" in (src / "curriculum/glossary.md").read_text()
    )
    module = (src / "curriculum/00-first/index.md").read_text()
    assert "# 00 · First" in module and "notes" in module and "a1" in module
    assert summary.links_to_repository == []
    info = json.loads((src / "_extra" / "build-info.json").read_text())
    assert list(info["lessons"]) == ["curriculum/00-first/01-a-lesson.ipynb"]


def test_notes_beside_the_modules_become_a_section_and_a_module_handout_a_download(tmp_path):
    root = tmp_path / "course"
    executed = _course(root)
    notes = root / "curriculum" / "instructor-notes"
    notes.mkdir()
    (notes / "00-first.md").write_text("# Notes for module 00\n\nTimings.\n")
    with pytest.raises(build.BuildError, match=r"curriculum/instructor-notes/ .*no README\.md"):
        build.stage(root, tmp_path / "src", executed, SETTINGS, build.Summary())
    (notes / "README.md").write_text(
        "# Instructor notes\n\n[Module 00](00-first.md), [the lesson](../00-first/01-a-lesson.ipynb)\n"
    )
    form = "# A plan\n\n**1. Question.** ____\n"
    (root / "curriculum" / "00-first" / "plan.md").write_text(form)
    (root / "README.md").write_text(
        (root / "README.md").read_text() + "\nSee the [notes](curriculum/instructor-notes/).\n"
    )
    summary = build.Summary()
    src = tmp_path / "src"
    build.stage(root, src, executed, SETTINGS, summary)
    # the notes: a section of the site, its README the first page, listing the other pages
    index = (src / "index.md").read_text()
    guides = index.split(":caption: Guides", 1)[1].split("```", 1)[0]
    assert "curriculum/instructor-notes/README" in guides
    assert "curriculum/instructor-notes/00-first" not in index
    first = (src / "curriculum/instructor-notes/README.md").read_text()
    assert ":caption: Instructor notes" in first and "\n00-first\n" in first
    assert "[the lesson](../00-first/01-a-lesson.ipynb)" in first
    instructors = (src / "guides/instructors.md").read_text()
    assert "(../curriculum/instructor-notes/README.md)" in instructors
    assert summary.links_to_repository == []
    # the module's handout: a box to download the file itself, copied as it is
    plan = (src / "curriculum/00-first/plan.md").read_text()
    assert plan.startswith("# A plan\n\n```{admonition} Take this page with you")
    assert "{download}`Download plan.md <../../_files/curriculum/00-first/plan.md>`" in plan
    assert (src / "_files/curriculum/00-first/plan.md").read_text() == form
    assert summary.downloads == ["curriculum/00-first/plan.md"]
    assert "Take this page with you" not in first  # only a module's own pages are handouts
    info = json.loads((src / "_extra" / "build-info.json").read_text())
    assert info["downloads"] == ["curriculum/00-first/plan.md"]
    # a page below a section's folder has no place on the site: named, not dropped
    (notes / "deeper").mkdir()
    (notes / "deeper" / "x.md").write_text("# X\n")
    with pytest.raises(build.BuildError, match=r"instructor-notes/deeper/x\.md is too deep"):
        build.stage(root, tmp_path / "src2", executed, SETTINGS, build.Summary())


def test_the_course_stages_every_page_it_holds(tmp_path):
    """The real course: the glossary, the Excel bridge, the pre-analysis plan (to download), the
    instructor notes and every lesson (03.5 included) are pages of the site, and nothing else."""
    lessons = sorted(ROOT.glob("curriculum/*/*.ipynb"))
    executed = {p.relative_to(ROOT).as_posix(): p for p in lessons}  # titles only: no outputs
    summary = build.Summary()
    build.stage(ROOT, tmp_path / "src", executed, SETTINGS, summary)
    listed = lambda pattern: sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern))  # noqa: E731
    modules = sorted({p.parent.name for p in lessons})
    expected = (
        ["index.md", "guides/learners.md", "guides/instructors.md"]
        + listed("curriculum/*.md")
        + listed("curriculum/*/*.md")
        + listed("docs/*.md")
        + [f"curriculum/{m}/index.md" for m in modules]
        + listed("curriculum/*/*.ipynb")
        + listed("exercises/*/*.ipynb")
    )
    assert sorted(summary.pages) == sorted(expected)
    for page in (
        "curriculum/glossary.md",
        "curriculum/excel-bridge.md",
        "curriculum/03-evaluation/pre-analysis-plan.md",
        "curriculum/03-evaluation/05-run-a-real-trial.ipynb",
        "curriculum/instructor-notes/README.md",
        "curriculum/instructor-notes/03-evaluation.md",
    ):
        assert page in summary.pages, page
    notes = listed("curriculum/instructor-notes/*.md")
    assert len(notes) == 7 and len(summary.pages) == 52, len(summary.pages)
    assert summary.downloads == ["curriculum/03-evaluation/pre-analysis-plan.md"]
    assert summary.links_to_repository == []
    module = (tmp_path / "src/curriculum/03-evaluation/index.md").read_text()
    assert "05-run-a-real-trial" in module and "pre-analysis-plan" in module


def test_a_missing_readme_section_is_named(tmp_path):
    root = tmp_path / "course"
    executed = _course(root, readme_sections=["Module map", "Quick start"])
    with pytest.raises(build.BuildError, match=r"README.md has no section \['For learners'"):
        build.stage(root, tmp_path / "src", executed, SETTINGS, build.Summary())


@pytest.mark.notebooks
@pytest.mark.slow
def test_a_lesson_is_executed_again_when_it_or_the_toolkit_changes(tmp_path):
    root = tmp_path / "course"
    _course(root)
    lesson = root / "curriculum" / "00-first" / "01-a-lesson.ipynb"
    nb = json.loads(lesson.read_text())
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "source": "print(6 * 7)",
            "outputs": [],
            "execution_count": None,
        }
    )
    nb["metadata"]["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    lesson.write_text(json.dumps(nb))
    out = tmp_path / "lessons"

    def run() -> build.Summary:
        summary = build.Summary()
        build.execute_lessons(root, out, summary=summary)
        return summary

    assert run().lessons_executed == ["curriculum/00-first/01-a-lesson.ipynb"]
    executed = json.loads((out / "00-first" / "01-a-lesson.ipynb").read_text())
    assert "42" in json.dumps(executed["cells"][-1]["outputs"])
    assert run().lessons_reused == ["curriculum/00-first/01-a-lesson.ipynb"]
    (root / "toolkit" / "citykit" / "measures.py").write_text("X = 1\n")
    assert run().lessons_executed == ["curriculum/00-first/01-a-lesson.ipynb"], "toolkit changed"
    assert run().lessons_executed == []
    nb["cells"][-1]["source"] = "print(6 * 9)"
    lesson.write_text(json.dumps(nb))
    assert run().lessons_executed == ["curriculum/00-first/01-a-lesson.ipynb"], "lesson changed"
    executed = json.loads((out / "00-first" / "01-a-lesson.ipynb").read_text())
    assert "54" in json.dumps(executed["cells"][-1]["outputs"])


def test_the_documented_hub_link_is_the_one_the_build_writes():
    guide = (ROOT / "docs" / "website.md").read_text(encoding="utf-8")
    settings = build.load_settings(
        hub_url="https://hub.mycity.gov",
        repository_url="https://git.mycity.gov/analytics/analyst-academy",
        branch="main",
    )
    assert f"--hub-url {settings.hub_url} --repository-url {settings.repository_url}" in guide
    link = build.nbgitpuller_url(settings, "curriculum/00-foundations/01-tables-and-filters.ipynb")
    assert "\n" + link + "\n" in guide


def test_links_shown_as_code_are_left_as_they_are():
    text = (
        "Write `[lesson 00.2](02-x.ipynb)` to link.\n\n```markdown\n[data](../../datasets/a.csv)\n```\n\n"
        "But [data](../../datasets/a.csv) is a link."
    )
    outside = []
    new = build.rewrite_links(
        text, source=REL, page=REL, published=PUBLISHED, settings=SETTINGS, outside=outside
    )
    assert "`[lesson 00.2](02-x.ipynb)`" in new and "\n[data](../../datasets/a.csv)\n```" in new
    assert new.endswith(
        "But [data](https://git.example.org/city/academy/tree/spring/datasets/a.csv) is a link."
    )
    assert len(outside) == 1


def test_an_explorer_with_nothing_to_show_is_counted_and_named():
    nb = _executed_lesson()
    view = "application/vnd.jupyter.widget-view+json"
    nb["cells"][1]["outputs"] = [
        {"output_type": "execute_result", "metadata": {}, "data": {view: {"model_id": "gone"}}}
    ]
    summary = build.Summary()
    prepared = build.prepare_lesson(
        nb, rel=REL, settings=SETTINGS, assignment=None, published=PUBLISHED, summary=summary
    )
    assert [sorted(o["data"]) for o in prepared["cells"][2]["outputs"]] == [["text/markdown"]]
    assert summary.explorers_without_picture == [f"{REL} cell 1"]
    assert f"1 had nothing to show: {REL} cell 1" in str(summary)


def _git_clone_with_origin(folder, remote: str | None):
    import subprocess

    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True)
    return folder


def test_the_repository_comes_from_the_git_remote_and_is_never_invented(tmp_path):
    site = (ROOT / "book" / "site.toml").read_text(encoding="utf-8")
    assert not any(line.startswith("repository_url") for line in site.splitlines())
    ssh = _git_clone_with_origin(tmp_path / "ssh", "git@git.mycity.gov:analytics/academy.git")
    assert (
        build.load_settings(root=ssh).repository_url
        == "https://git.mycity.gov/analytics/academy.git"
    )
    none = _git_clone_with_origin(tmp_path / "none", None)
    assert build.load_settings(root=none).repository_url == ""
    assert build.load_settings(root=tmp_path / "not-a-clone").repository_url == ""
    given = build.load_settings(root=ssh, repository_url="https://git.example.org/c.git")
    assert given.repository_url == "https://git.example.org/c.git"
    with pytest.raises(build.BuildError, match="repository_url must be an http"):
        build.load_settings(root=none, repository_url="git.example.org/c")


def test_without_a_repository_the_site_has_no_hub_link_and_no_repository_link(tmp_path):
    bare = build.Settings(
        title="Course", hub_url="https://hub.city.gov", repository_url="", branch="main"
    )
    outside = []
    text = build.rewrite_links(
        "See [the data](../../datasets/README.md).",
        source=REL,
        page=REL,
        published=PUBLISHED,
        settings=bare,
        outside=outside,
    )
    assert text == "See the data."
    assert outside == [f"{REL}: ../../datasets/README.md"]
    boxes = {
        settings.repository_url: "".join(
            build.prepare_exercise(
                _executed_lesson(caption=None),
                rel=REL,
                module="00-foundations",
                settings=settings,
                published=PUBLISHED,
            )["cells"][1]["source"]
        )
        for settings in (bare, SETTINGS)
    }
    assert "Download the assignment" in boxes[""]
    assert "JupyterHub" not in boxes[""] and "git-pull" not in boxes[""]
    assert "git-pull" in boxes[SETTINGS.repository_url]

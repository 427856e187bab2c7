"""Module 04 lessons: the lesson anatomy holds, and every lesson runs cleanly on another city's export."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from repo_paths import ROOT

MODULE = ROOT / "curriculum" / "04-results-driven-contracting"
LESSONS = sorted(MODULE.glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]

PARAMETERS = (
    "# Parameters (papermill can replace these: citykit course run -p data_dir /path/to/your/city)\n"
    "data_dir = None  # None: the sample city Riverton; or a folder with your own city's CSV exports\n"
    'city = "Riverton"\n'
)


def _cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c) for c in nb["cells"]]


def test_the_module_has_its_four_lessons():
    assert NAMES == [
        "01-outputs-vs-outcomes",
        "02-fair-comparison",
        "03-the-monthly-check-in",
        "04-paying-for-results",
    ]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_lesson_anatomy(path):
    cells = _cells(path)
    kind, title, _ = cells[0]
    number = path.stem[:2]
    assert kind == "markdown"
    assert re.match(rf"# 04\.{int(number)} · \S", title), title.splitlines()[0]
    for part in (
        "**Time:** about",
        "**Questions**",
        "**Objectives",
        "**Why it matters for a city:**",
    ):
        assert part in title, part
    questions = re.findall(r"^- ", title.split("**Objectives")[0], flags=re.M)
    objectives = re.findall(r"^- ", title.split("**Objectives")[1].split("**Why")[0], flags=re.M)
    assert 2 <= len(questions) <= 3 and 3 <= len(objectives) <= 5

    tagged = [
        i for i, (_, _, c) in enumerate(cells) if "parameters" in c["metadata"].get("tags", [])
    ]
    assert len(tagged) == 1
    parameters = cells[tagged[0]][1]
    assert parameters.startswith(PARAMETERS)
    # the tables the lesson reads are parameters, so another city can name its own exports
    assert 'enrollments_table = "hmis_enrollments"' in parameters
    setup = next(src for kind, src, _ in cells[tagged[0] + 1 :] if kind == "code")
    assert setup.startswith("# Run this cell first")
    assert "from citykit import contracting, datasets" in setup
    assert "datasets.load(enrollments_table, data_dir=data_dir)" in setup

    sections = [src for kind, src, _ in cells if kind == "markdown" and "\n## " in "\n" + src]
    assert len(sections) >= 4
    assert "## Key points" in cells[-1][1] and "**Next:**" in cells[-1][1]

    for kind, _, cell in cells:
        if kind == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_code_is_explained_and_every_try_it_has_an_answer(path):
    cells = _cells(path)
    for i, (kind, _, _) in enumerate(cells):
        if kind == "code" and i > 0:
            assert cells[i - 1][0] == "markdown", f"code cell {i} has no explanation before it"
    tries = [
        i for i, (kind, src, _) in enumerate(cells) if kind == "markdown" and "### Try it" in src
    ]
    assert len(tries) >= 2
    for i in tries:
        assert cells[i + 1][0] == "code"
        after = [src for kind, src, _ in cells[i + 2 :] if not src.startswith("*Figure ")]
        answer = after[0] if after else ""
        assert answer.startswith("<details><summary>Show an answer</summary>"), answer[:80]
        assert answer.rstrip().endswith("</details>")


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_every_chart_has_a_caption_and_uses_the_course_style(path):
    cells = _cells(path)
    charts = [i for i, (kind, src, _) in enumerate(cells) if kind == "code" and "plt.show()" in src]
    assert charts, "every lesson of the module has at least one chart"
    for i in charts:
        kind, caption, _ = cells[i + 1]
        assert kind == "markdown" and caption.startswith("*Figure "), f"no caption under cell {i}"
        source = cells[i][1]
        assert "plots.provider_" in source or (
            "plots.finish_axes" in source and "plots.palette(" in source
        ), "charts come from citykit.plots or use its style and colourblind-safe palette"


def test_lessons_teach_with_the_module_toolkit():
    text = "\n".join(src for p in LESSONS for _, src, _ in _cells(p))
    for name in (
        "exits_to_permanent_housing",
        "returns_to_homelessness",
        "prevention_outcomes",
        "destination_codes",
        "risk_adjust",
        "funnel_data",
        "provider_funnel_plot",
        "risk_adjustment_explorer",
        "provider_progress_report",
        "data_quality_flags",
        "pay_for_performance",
        "simulate_cream_skimming",
        "score_vendors",
        "weight_sensitivity",
        "contract_portfolio",
    ):
        assert f"{name}(" in text, name


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's HMIS export: half of Riverton's clients, with its own provider ids."""
    source = ROOT / "datasets"
    read = {"dtype": str, "keep_default_na": False}
    clients = pd.read_csv(source / "hmis_clients.csv", **read).iloc[::2]
    enrollments = pd.read_csv(source / "hmis_enrollments.csv", **read)
    enrollments = enrollments[enrollments["client_id"].isin(clients["client_id"])]
    ids = {f"P{i:02d}": f"OT-{100 + i}" for i in range(1, 12)}
    folder = tmp_path_factory.mktemp("other_city")
    clients.to_csv(folder / "hmis_clients.csv", index=False)
    enrollments.assign(provider_id=enrollments["provider_id"].map(ids)).to_csv(
        folder / "hmis_enrollments.csv", index=False
    )
    for name in ("providers", "provider_contracts"):
        table = pd.read_csv(source / f"{name}.csv", **read)
        table.assign(provider_id=table["provider_id"].map(ids)).to_csv(
            folder / f"{name}.csv", index=False
        )
    return folder


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
@pytest.mark.parametrize("city", ["Riverton", "Othertown"])
def test_lesson_runs_without_errors_or_warnings(path, city, other_city, tmp_path):
    """Papermill runs the lesson (sample city, and another city's export via the parameters cell)."""
    from citykit import course

    parameters = {}
    if city != "Riverton":
        parameters = {"data_dir": str(other_city), "city": city}
        if path.stem == "03-the-monthly-check-in":
            parameters["provider"] = "OT-108"
    output = tmp_path / path.name
    course.execute_notebook(path, output, parameters=parameters)
    outputs = [o for _, _, c in _cells(output) if c["cell_type"] == "code" for o in c["outputs"]]
    stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
    assert not stderr, "".join(stderr)[:2000]
    printed = "".join("".join(o.get("text", "")) for o in outputs if o.get("name") == "stdout")
    assert f"for {city}" in printed
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    charts = sum("plt.show()" in src for kind, src, _ in _cells(path) if kind == "code")
    assert len(images) == charts, "every chart is drawn inside the notebook"

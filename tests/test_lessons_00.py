"""Module 00 lessons: the lesson anatomy holds, and every lesson runs cleanly on another city's export."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum" / "00-foundations").glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]

PARAMETERS = (
    "# Parameters (papermill can replace these: citykit course run -p data_dir /path/to/your/city)\n"
    "data_dir = None  # None: the sample city Riverton; or a folder with your own city's CSV exports\n"
    'city = "Riverton"'
)


def _cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c) for c in nb["cells"]]


def test_the_module_has_its_three_lessons():
    assert NAMES == ["01-tables-and-filters", "02-group-pivot-dates", "03-first-chart"]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_lesson_anatomy(path):
    cells = _cells(path)
    kind, title, _ = cells[0]
    number = path.stem[:2]
    assert kind == "markdown"
    assert re.match(rf"# 00\.{int(number)} · \S", title), title.splitlines()[0]
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
    assert cells[tagged[0]][1] == PARAMETERS
    setup = next(src for kind, src, _ in cells[tagged[0] + 1 :] if kind == "code")
    assert "import pandas as pd" in setup and "from citykit import datasets" in setup
    assert 'requests = datasets.load("service_requests", data_dir=data_dir)' in setup

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
        # the answer follows the try-it code (and, for a chart, the chart's caption)
        after = [src for kind, src, _ in cells[i + 2 :] if not src.startswith("*Figure ")]
        answer = after[0] if after else ""
        assert answer.startswith("<details><summary>Show an answer</summary>"), answer[:80]
        assert answer.rstrip().endswith("</details>")


def test_every_chart_has_a_caption_under_it():
    cells = _cells(ROOT / "curriculum" / "00-foundations" / "03-first-chart.ipynb")
    charts = [i for i, (kind, src, _) in enumerate(cells) if kind == "code" and "plt.show()" in src]
    assert len(charts) >= 3
    for i in charts:
        kind, caption, _ = cells[i + 1]
        assert kind == "markdown" and caption.startswith("*Figure "), f"no caption under cell {i}"
        assert (
            "set_title" in cells[i][1]
            and "set_xlabel" in cells[i][1]
            and "set_ylabel" in cells[i][1]
        )
        assert "palette(" in cells[i][1], "charts use the colourblind-safe palette"


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's export: a seventh of Riverton's rows, with its own names for places and units."""
    source = ROOT / "datasets" / "service_requests.csv"
    table = pd.read_csv(source, dtype=str, keep_default_na=False).iloc[::7]
    wards = {name: f"Ward {i + 1}" for i, name in enumerate(sorted(set(table["district"]) - {""}))}
    table = table.assign(
        district=table["district"].map(lambda d: wards.get(d, d)),
        department=table["department"].replace(
            {"Sanitation": "Solid Waste", "Public Works": "Streets"}
        ),
        service_type=table["service_type"].replace({"Pothole": "Pothole Repair"}),
    )
    folder = tmp_path_factory.mktemp("other_city")
    table.to_csv(folder / "service_requests.csv", index=False)
    return folder


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
@pytest.mark.parametrize("city", ["Riverton", "Othertown"])
def test_lesson_runs_without_errors_or_warnings(path, city, other_city, tmp_path):
    """Papermill runs the lesson (sample city, and another city's export via the parameters cell)."""
    from citykit import course

    parameters = {} if city == "Riverton" else {"data_dir": str(other_city), "city": city}
    output = tmp_path / path.name
    course.execute_notebook(path, output, parameters=parameters)
    outputs = [o for _, _, c in _cells(output) if c["cell_type"] == "code" for o in c["outputs"]]
    stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
    assert not stderr, "".join(stderr)[:2000]
    printed = "".join("".join(o.get("text", "")) for o in outputs if o.get("name") == "stdout")
    assert f"service requests for {city}." in printed
    if path.stem == "03-first-chart":
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        charts = sum("plt.show()" in src for kind, src, _ in _cells(path) if kind == "code")
        assert len(images) == charts, "every chart is drawn inside the notebook"

"""Module 01 lessons: the lesson anatomy holds, and every lesson runs cleanly on another city's export."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum" / "01-open-data").glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]

PARAMETERS = (
    "# Parameters (papermill can replace these: citykit course run -p data_dir /path/to/your/city)\n"
    "data_dir = None  # None: the sample city Riverton; or a folder with your own city's CSV exports\n"
    'city = "Riverton"\n'
)
TABLES = ("catalog", "records_requests", "portal_usage", "building_permits")


def _cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c) for c in nb["cells"]]


def test_the_module_has_its_four_lessons():
    assert NAMES == [
        "01-decide-what-to-publish",
        "02-describe-and-validate",
        "03-protect-privacy",
        "04-read-engagement-and-act",
    ]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_lesson_anatomy(path):
    cells = _cells(path)
    kind, title, _ = cells[0]
    assert kind == "markdown"
    assert re.match(rf"# 01\.{int(path.stem[:2])} · \S", title), title.splitlines()[0]
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
    # every table the lesson loads is named in the parameters cell, so another city can run it
    setup = next(src for kind, src, _ in cells[tagged[0] + 1 :] if kind == "code")
    assert "# Run this cell first" in setup and "from citykit import" in setup
    loads = re.findall(r"datasets\.load\((\w+), data_dir=data_dir\)", setup)
    assert loads and all(f"{name} = " in parameters for name in loads), loads

    sections = [src for kind, src, _ in cells if kind == "markdown" and "\n## " in "\n" + src]
    assert len(sections) >= 4
    assert "## Key points" in cells[-1][1] and "**Next:**" in cells[-1][1]
    for kind, _, cell in cells:
        if kind == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_code_is_explained_charts_have_captions_and_try_its_have_answers(path):
    cells = _cells(path)
    for i, (kind, src, _) in enumerate(cells):
        if kind == "code" and i > 0:
            assert cells[i - 1][0] == "markdown", f"code cell {i} has no explanation before it"
        if kind == "code" and ("plt.show()" in src or "explorer(" in src):
            assert cells[i + 1][1].startswith("*Figure "), f"no caption under cell {i}"
    tries = [
        i for i, (kind, src, _) in enumerate(cells) if kind == "markdown" and "### Try it" in src
    ]
    assert len(tries) >= 1
    for i in tries:
        assert cells[i + 1][0] == "code"
        answer = cells[i + 2][1]
        assert answer.startswith("<details><summary>Show an answer</summary>"), answer[:80]
        assert answer.rstrip().endswith("</details>")


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's exports: half of Riverton's permits and requests, with its own ward names."""
    folder = tmp_path_factory.mktemp("other_city")
    source = ROOT / "datasets"
    for name in ("catalog", "portal_usage"):
        shutil.copy(source / f"{name}.csv", folder / f"{name}.csv")
    requests = pd.read_csv(source / "records_requests.csv", dtype=str, keep_default_na=False)
    requests.iloc[::2].to_csv(folder / "records_requests.csv", index=False)
    permits = pd.read_csv(source / "building_permits.csv", dtype=str, keep_default_na=False)
    wards = {name: f"Ward {i + 1}" for i, name in enumerate(sorted(set(permits["district"])))}
    permits = permits.iloc[::2].assign(district=lambda t: t["district"].map(wards))
    permits.to_csv(folder / "building_permits.csv", index=False)
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
    assert printed.startswith(f"{city}:")
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    charts = sum("plt.show()" in src for kind, src, _ in _cells(path) if kind == "code")
    assert len(images) == charts, "every chart is drawn inside the notebook"

"""Module 03 lessons: the replication uses the trial's real counts, and every
lesson runs cleanly on the sample city and on another city's export."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from lesson_tools import cells as _cells
from lesson_tools import charts, images, printed, run_lesson, sample_city_run
from lesson_tools import code as _code
from repo_paths import ROOT

FOLDER = ROOT / "curriculum" / "03-evaluation"
LESSONS = sorted(FOLDER.glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]


def test_the_module_has_its_five_lessons():
    assert NAMES == [
        "01-why-randomize",
        "02-design",
        "03-analyse",
        "04-replicate-a-real-trial",
        "05-run-a-real-trial",
    ]


PLAN = FOLDER / "pre-analysis-plan.md"
PLAN_SECTIONS = (
    "Question and decision",
    "Units and arms",
    "The lottery",
    "Primary outcome",
    "Covariates",
    "Estimator",
    "Size and power",
    "Decision rule",
    "Attrition, non-compliance, spillovers",
    "Ethics and equity review",
    "Cost",
    "Changes after filing",
)


def test_the_pre_analysis_plan_is_a_one_page_form_the_trial_lesson_links():
    text = PLAN.read_text(encoding="utf-8")
    sections = re.findall(r"^\*\*\d+\. ([^.*]+)", text, flags=re.M)
    assert tuple(sections) == PLAN_SECTIONS, sections
    assert len(text.split()) <= 450 and len(text.splitlines()) <= 60, "one printed page"
    assert text.count("____") >= len(PLAN_SECTIONS), "a line to fill in for every section"
    lesson = "\n".join(src for kind, src, _ in _cells(FOLDER / "05-run-a-real-trial.ipynb"))
    assert "](pre-analysis-plan.md)" in lesson


def test_the_trial_lesson_covers_what_real_city_trials_meet():
    text = "\n".join(src for kind, src, _ in _cells(FOLDER / "05-run-a-real-trial.ipynb"))
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    for topic in (
        "Attrition",
        "Non-compliance",
        "Spillovers",
        "pre-analysis plan",
        "Ethics and equity",
        "cost",
    ):
        assert any(topic in h for h in headings), topic
    words = " ".join(text.split())
    for term in (
        "intention-to-treat",
        "effect on the treated",
        "worst-case bounds",
        "cost per extra outcome",
        "ethics and equity review",
        "pre-analysis plan",
    ):
        assert f"**{term}**" in words, term


def test_lessons_use_the_module_toolkit():
    code = {p.stem: _code(p) for p in LESSONS}
    for name in ("estimate_effects", "effect_sentence", "randomization_test", "randomization_plot"):
        assert name in code["01-why-randomize"], name
    for name in (
        "assign_simple",
        "assign_complete",
        "assign_blocked",
        "assign_clusters",
        "balance_table",
        "love_plot",
        "mde_two_proportions",
        "design_effect",
        "power_explorer",
    ):
        assert name in code["02-design"], name
    for name in (
        'block="account_type"',
        'cluster="posting_id"',
        "covariates=",
        'method="holm"',
        'method="bh"',
        "simulate_winners_curse",
    ):
        assert name in code["03-analyse"], name


def _typed_counts() -> pd.DataFrame:
    """The counts typed into lesson 03.4, by running the cell that defines them."""
    cell = next(
        src for kind, src, _ in _cells(LESSONS[3]) if src.startswith("counts = pd.DataFrame")
    )
    namespace = {"pd": pd}
    exec(cell, namespace)
    return namespace["counts"].set_index("arm")


def test_replication_lesson_reads_no_data_file_and_cites_the_paper():
    path = LESSONS[3]
    code = _code(path)
    assert "read_csv" not in code and "datasets.load" not in code
    text = "\n".join(src for kind, src, _ in _cells(path) if kind == "markdown")
    assert "doi:10.1017/S0143814X21000131" in text and "Moore" in text
    counts = _typed_counts()
    # published figures (Moore et al. 2022): about 40%, 45% and 46% recertified; 3,539 randomized
    assert counts["randomized"].sum() == 3539 and counts["families"].sum() == 3520
    assert np.allclose(counts["rate"], [0.40, 0.45, 0.46], atol=0.006)


@pytest.mark.realdata
def test_typed_counts_equal_the_replication_data(realdata):
    """The arm sizes and successes typed into lesson 03.4 are those of the authors' public data."""
    data = pd.read_csv(realdata / "dc-tanf-recert" / "df_replication_anonymized.csv")
    names = {"No_Letter": "no_letter", "Specific_Appt": "specific_date", "Open_Appt": "open_date"}
    randomized = data["condition"].map(names).value_counts()
    known = data[data["recert_status"].notna()]
    success = (known["recert_status"] == "Processed").groupby(known["condition"].map(names))
    counts = _typed_counts()
    for arm in names.values():
        assert counts.loc[arm, "randomized"] == randomized[arm]
        assert counts.loc[arm, "families"] == success.size()[arm]
        assert counts.loc[arm, "recertified"] == success.sum()[arm]


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's export of the three tests: every second row of Riverton's."""
    folder = tmp_path_factory.mktemp("other_city")
    for name in ("bill_reminder_trial", "registration_reminder_trial", "job_posting_trial"):
        table = pd.read_csv(ROOT / "datasets" / f"{name}.csv", dtype=str, keep_default_na=False)
        table.iloc[::2].to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
@pytest.mark.parametrize("city", ["Riverton", "Othertown"])
def test_lesson_runs_without_errors_or_warnings(path, city, other_city, tmp_path):
    """Papermill runs the lesson (sample city, and another city's export via the parameters cell)."""
    parameters = {} if city == "Riverton" else {"data_dir": str(other_city), "city": city}
    if city == "Riverton":  # the run the figures test checks too, once per session
        outputs = sample_city_run(path)[0]
    else:
        outputs = run_lesson(path, tmp_path / path.name, parameters)
    assert city in printed(outputs)
    assert len(images(outputs)) >= charts(path), "every chart is drawn inside the notebook"

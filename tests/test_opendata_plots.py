"""Open-data figures: each returns an Axes with a title, labelled axes with units, and the data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from citykit import opendata as od
from citykit import plots
from citykit.errors import CityKitError
from citykit.synth import DEFAULT_SEED
from citykit.synth import opendata as fam
from citykit.synth._core import RIVERTON


@pytest.fixture(scope="module")
def tables():
    return fam.generate(seed=DEFAULT_SEED, city=RIVERTON)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_quality_scores_plot(tables):
    summary = od.quality_summary(
        {"Riverton": tables["catalog"], "Tiny": [{"keyword": ["a"], "modified": "2024-01-01"}]}
    )
    ax = plots.quality_scores_plot(summary)
    widths = sorted(p.get_width() for p in ax.containers[0])
    assert widths == pytest.approx(sorted(summary["score"]))
    assert ax.get_title(loc="left") and "405" in ax.get_xlabel()
    assert ax.get_xlim() == (0, 405)


def test_quality_criteria_plot(tables):
    quality = od.score_catalog(tables["catalog"], name="Riverton")
    ax = plots.quality_criteria_plot(quality)
    bars = ax.containers[0]
    assert len(bars) == len(od.MQA_CRITERIA)
    keyword = quality.criteria.set_index("criterion").loc["keyword", "share_met"]
    assert bars[-1].get_width() == pytest.approx(100 * keyword)  # first criterion drawn on top
    assert "(%)" in ax.get_xlabel()
    with pytest.raises(CityKitError, match="score_catalog"):
        plots.quality_criteria_plot(tables["catalog"])


def test_usage_trends_plot(tables):
    usage = tables["portal_usage"]
    ax = plots.usage_trends_plot(usage, top=3)
    labels = [line.get_label() for line in ax.lines]
    assert labels == list(fam.TOP_DOWNLOADED)
    first = usage[usage["title"] == fam.TOP_DOWNLOADED[0]]["downloads"].tolist()
    assert list(ax.lines[0].get_ydata()) == first
    assert "(count)" in ax.get_ylabel()
    with pytest.raises(CityKitError, match="do not appear"):
        plots.usage_trends_plot(usage, datasets=["nope"])
    with pytest.raises(CityKitError):
        plots.usage_trends_plot(usage, top=0)


def test_priority_plot(tables):
    candidates = od.assemble_candidates(
        tables["catalog"], requests=tables["records_requests"], usage=tables["portal_usage"]
    )
    ranked = od.priority_scores(candidates[candidates["status"] == "planned"])
    ax = plots.priority_plot(ranked)
    assert len(ax.containers) >= 4
    # the stacked bars add up to each total
    ends = {}
    for container in ax.containers:
        for bar in container:
            label = bar.get_y()
            ends[label] = max(ends.get(label, 0), bar.get_x() + bar.get_width())
    assert sorted(ends.values()) == pytest.approx(sorted(ranked["total"]))
    assert "points" in ax.get_xlabel()
    with pytest.raises(CityKitError, match="priority_scores"):
        plots.priority_plot(pd.DataFrame({"title": ["a"], "total": [1.0]}))

"""A real city's 311 export, conformed with the README's few lines, runs through the 311 lessons.

The export is NYC Open Data's (dataset erm2-nwe9) in its own column names and formats: US 12-hour
datetimes, statuses such as "Assigned" and "Pending", upper-case channels, no service levels. The
conversion is the README's code block, run as written (only the file's and the folder's names are
replaced), so the documented example cannot drift from what works.
"""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest
from lesson_tools import LessonFailed, printed, run_lesson
from repo_paths import ROOT

pytestmark = pytest.mark.realdata

CITY = "New York City"
#: Every lesson that reads the 311 requests and runs on a city's requests export alone, without
#: service levels. (02.2 charts the on-time share only: it stops, saying why; 02.3 reads the
#: scorecard, not the requests.)
LESSONS = [
    ROOT / "curriculum" / "00-foundations" / "01-tables-and-filters.ipynb",
    ROOT / "curriculum" / "00-foundations" / "02-group-pivot-dates.ipynb",
    ROOT / "curriculum" / "00-foundations" / "03-first-chart.ipynb",
    ROOT / "curriculum" / "02-performance-management" / "01-from-goal-to-measure.ipynb",
    ROOT / "curriculum" / "02-performance-management" / "04-inventory-and-data-quality.ipynb",
]
#: What a lesson prints when it computes on values a city's export does not have.
MISSING = re.compile(r"\bNaT\b|\bnan\b|<NA>|\bNaN\b")


def leftovers(text: str, table: pd.DataFrame) -> list[str]:
    """Missing-value markers and the sample city's names in ``text`` (the city's own names aside:
    NYC's "Sanitation Condition" is not Riverton's "Sanitation")."""
    own = {str(v) for c in ("department", "service_type", "district") for v in table[c].dropna()}
    for name in sorted(own, key=len, reverse=True):
        text = text.replace(name, " ")
    from citykit import datasets

    sample = {"Riverton"}
    for column in ("department", "service_type", "district"):
        sample |= set(
            datasets.describe("service_requests").loc[column, "allowed_values"].split(", ")
        )
    found = {m.group() for m in MISSING.finditer(text)}
    found |= {name for name in sample if re.search(rf"\b{re.escape(name)}\b", text)}
    return sorted(found)


@pytest.fixture(scope="module")
def export(realdata):
    path = realdata / "nyc-311-sample" / "nyc311-100.csv"
    if not path.is_file():
        message = f"the NYC 311 sample is not at {path}"
        required = os.environ.get("CITYKIT_REQUIRE_REALDATA", "").strip()
        if required not in ("", "0", "false", "no"):  # as conftest's realdata fixture reads it
            pytest.fail(message + "; CITYKIT_REQUIRE_REALDATA=1 forbids skipping")
        pytest.skip(message)
    return path


def readme_conversion() -> str:
    """The README's example: the code block that conforms NYC's export."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    found = [b for b in blocks if "datasets.conform(" in b and '"erm2-nwe9.csv"' in b]
    assert len(found) == 1, "README has one example that conforms NYC's 311 export"
    return found[0]


@pytest.fixture(scope="module")
def conformed(export, tmp_path_factory):
    folder = tmp_path_factory.mktemp("nyc")
    code = readme_conversion()
    assert 'nyc.save("nyc")' in code
    code = code.replace('"erm2-nwe9.csv"', repr(str(export)))
    code = code.replace('nyc.save("nyc")', f"nyc.save({str(folder)!r})")
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    return scope["nyc"], folder


def test_the_readme_conversion_reports_what_it_did(conformed, export):
    result, folder = conformed
    raw = pd.read_csv(export, dtype=str)
    table = result.table
    assert len(table) == len(raw) and result.dropped_rows == 0
    # the statuses NYC uses for unfinished work are open; every other request is closed
    unfinished = raw["Status"].isin(["Assigned", "Pending", "Started", "In Progress", "Open"])
    assert (table["status"] == "Open").sum() == unfinished.sum() == 2
    assert set(table["status"].astype(str)) == {"Open", "Closed"}
    # dates parsed, none lost, and no request closes before it opens
    assert table["opened_at"].notna().all()
    assert table["closed_at"].notna().sum() == raw["Closed Date"].notna().sum()
    days = (table["closed_at"] - table["opened_at"]).dt.total_seconds() / 86400
    assert (days.dropna() >= 0).all()
    assert table.loc[table["request_id"] == 42254749, "opened_at"].item() == pd.Timestamp(
        "2019-04-18 21:55:45"
    )
    # channels in the course's names; the unknown ones missing, and counted in the report
    assert set(table["channel"].dropna().astype(str)) <= {"Phone", "Web", "Mobile app"}
    unknown = int(raw["Open Data Channel Type"].isin(["UNKNOWN", "OTHER"]).sum())
    assert table["channel"].isna().sum() == unknown > 0
    report = result.report.set_index(["column", "action"])
    assert report.loc[("channel", "missing values"), "rows"] == unknown
    assert report.loc[("sla_days", "defaulted"), "rows"] == len(raw)
    summary = result.summary()
    assert "Encoding UTF-8" in summary and "Separator comma" in summary
    assert "'Assigned' → 'Open' (1)" in summary
    assert (folder / "service_requests.csv").is_file()


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_311_lesson_runs_on_the_conformed_export(path, conformed, tmp_path):
    result, folder = conformed
    outputs = run_lesson(path, tmp_path / path.name, {"data_dir": str(folder), "city": CITY})
    text = printed(outputs)
    assert f"service requests for {CITY}." in text
    found = leftovers(text, result.table)
    assert not found, f"{path.name} printed {found}:\n{text[:3000]}"
    said = "no department_measures.csv" if path.stem.startswith("04") else "no service levels"
    assert said in text, "the lesson says what a city without them loses"


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_open_requests_briefing_counts_nyc_open_requests(conformed, tmp_path):
    result, folder = conformed
    path = LESSONS[0]
    outputs = run_lesson(path, tmp_path / path.name, {"data_dir": str(folder), "city": CITY})
    n_open = int((result.table["status"] == "Open").sum())
    oldest = result.table.loc[result.table["status"] == "Open", "opened_at"].min()
    text = printed(outputs)
    assert f"{CITY}: {n_open:,} requests were still open when the data were exported." in text
    assert f"The oldest open request was opened on {oldest.date()}" in text


def test_the_leftover_check_catches_what_the_sample_city_leaves_behind():
    table = pd.DataFrame(
        {"department": ["NYPD"], "service_type": ["Sanitation Condition"], "district": ["QUEENS"]}
    )
    text = "The oldest open request was opened on NaT, nan days before the last request."
    assert leftovers(text, table) == ["NaT", "nan"]
    assert leftovers("Sanitation requests still open: 0", table) == ["Sanitation"]
    assert leftovers("Sanitation Condition: 3 requests in QUEENS", table) == []


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_lesson_that_needs_service_levels_stops_naming_its_section_and_the_fix(
    conformed, tmp_path
):
    result, folder = conformed
    path = ROOT / "curriculum" / "02-performance-management" / "02-signal-vs-noise.ipynb"
    with pytest.raises(LessonFailed) as stopped:
        run_lesson(path, tmp_path / path.name, {"data_dir": str(folder), "city": CITY})
    message = str(stopped.value)
    assert "02.2" in message and "the cell '# Run this cell first'" in message
    assert "no service levels" in message and "defaults={'sla_days': 7}" in message
    assert "cell 4" not in message.lower() and "In [" not in message

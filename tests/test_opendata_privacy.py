"""Small-cell suppression with complementary suppression, its audit, and k-anonymity (§4.4)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import opendata as od
from citykit.errors import ArgumentRangeError, ColumnTypeError, EmptyDataError, MissingColumnError
from citykit.synth import DEFAULT_SEED
from citykit.synth import permits as pfam
from citykit.synth._core import RIVERTON


@pytest.fixture
def counts():
    # methods.md §4.4 suppression test vector
    return pd.DataFrame(
        {"A": [25, 7, 40], "B": [3, 30, 12], "C": [18, 22, 0]}, index=["North", "South", "East"]
    )


def test_methods_44_published_table_exactly(counts):
    # methods.md §4.4 [COMP]: A = (S, S, 40), B = (S, S, 12), C = (18, 22, 0)
    result = od.suppress_small_cells(counts)
    assert result.published["A"].tolist() == ["S", "S", 40]
    assert result.published["B"].tolist() == ["S", "S", 12]
    assert result.published["C"].tolist() == [18, 22, 0]
    primary = result.primary.stack()
    assert sorted(primary[primary].index.tolist()) == [("North", "B"), ("South", "A")]
    complementary = result.complementary.stack()
    assert sorted(complementary[complementary].index.tolist()) == [("North", "A"), ("South", "B")]
    assert result.audit.passes
    # the zero is published
    assert result.published.loc["East", "C"] == 0
    totals = result.with_totals()
    assert totals.loc["Total", "Total"] == counts.to_numpy().sum() == 157
    assert totals.loc["North", "Total"] == 46


def test_methods_44_feasible_range_of_north_b(counts):
    # methods.md §4.4: the feasible range of North-B given all margins is 0-28
    result = od.suppress_small_cells(counts)
    cells = result.audit.cells.set_index(["row", "column"])
    assert (cells.loc[("North", "B"), "low"], cells.loc[("North", "B"), "high"]) == (0, 28)
    assert not cells["exact"].any()
    # independent check of the range: North-B = 28 - North-A, every cell >= 0
    assert cells.loc[("North", "A"), "high"] == 28


def test_methods_44_primary_only_is_recoverable(counts):
    # methods.md §4.4: suppressing only the primaries leaves rows North, South and cols A, B
    # each with one hidden cell, so both values are recoverable.
    primary_only = (counts > 0) & (counts < 11)
    audit = od.audit_suppression(counts, suppressed=primary_only)
    assert not audit.passes
    assert audit.flagged_rows == ["North", "South"]
    assert audit.flagged_columns == ["A", "B"]
    cells = audit.cells.set_index(["row", "column"])
    assert cells.loc[("North", "B"), ["low", "high"]].tolist() == [3, 3]
    assert cells.loc[("South", "A"), ["low", "high"]].tolist() == [7, 7]
    assert "FAILS" in repr(audit)


def test_threshold_is_a_parameter(counts):
    five = od.suppress_small_cells(counts, threshold=5)  # hides 1-4: only the 3
    assert five.n_primary == 1
    assert five.audit.cells["primary"].sum() == 1
    assert five.published.loc["South", "A"] == 7
    assert five.audit.passes
    nothing = od.suppress_small_cells(counts, threshold=1)
    assert nothing.n_primary == nothing.n_complementary == 0
    assert (nothing.published == counts).all().all()
    strict = od.suppress_small_cells(counts, threshold=13)  # 12 is small too
    assert strict.primary.loc["East", "B"]
    assert strict.audit.passes


def _lp_range(table, hidden, cell):
    """Feasible range of one hidden cell by linear programming (scipy linprog), for reference."""
    from scipy.optimize import linprog

    grid = np.zeros((table.shape[0] + 1, table.shape[1] + 1))
    grid[:-1, :-1] = table
    grid[:-1, -1] = table.sum(axis=1)
    grid[-1, :-1] = table.sum(axis=0)
    grid[-1, -1] = table.sum()
    cells = [tuple(rc) for rc in np.argwhere(hidden)]
    a_eq, b_eq = [], []
    n_rows, n_cols = grid.shape
    for r in range(n_rows):  # body cells of a row add up to its total
        row = np.zeros(len(cells))
        rhs = 0.0
        for c in range(n_cols):
            sign = -1 if c == n_cols - 1 else 1
            if hidden[r, c]:
                row[cells.index((r, c))] = sign
            else:
                rhs -= sign * grid[r, c]
        a_eq.append(row)
        b_eq.append(rhs)
    for c in range(n_cols):  # body cells of a column add up to its total
        col = np.zeros(len(cells))
        rhs = 0.0
        for r in range(n_rows):
            sign = -1 if r == n_rows - 1 else 1
            if hidden[r, c]:
                col[cells.index((r, c))] = sign
            else:
                rhs -= sign * grid[r, c]
        a_eq.append(col)
        b_eq.append(rhs)
    objective = np.zeros(len(cells))
    objective[cells.index(cell)] = 1
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def test_ranges_agree_with_linear_programming_on_random_patterns():
    # the audit computes each range as a maximum flow; a linear programme over the same
    # published numbers (scipy linprog) must give the same smallest and largest values
    rng = np.random.default_rng(12)
    for _ in range(30):
        shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
        values = rng.choice([0, 1, 2, 5, 9, 12, 20, 35, 60], size=shape)
        table = pd.DataFrame(values, columns=[f"c{j}" for j in range(shape[1])])
        hidden = rng.random((shape[0] + 1, shape[1] + 1)) < 0.45
        mask = pd.DataFrame(
            hidden, index=[*table.index, "Total"], columns=[*table.columns, "Total"]
        )
        audit = od.audit_suppression(table, suppressed=mask)
        for row in audit.cells.itertuples(index=False):
            r = len(table) if row.row == "Total" else table.index.get_loc(row.row)
            c = table.shape[1] if row.column == "Total" else table.columns.get_loc(row.column)
            low, high = _lp_range(values, hidden, (r, c))
            assert (row.low, row.high) == pytest.approx((low, high), abs=1e-6)


def test_random_tables_always_pass_the_audit():
    rng = np.random.default_rng(11)
    for _ in range(25):
        shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
        values = rng.choice([0, 1, 2, 5, 9, 12, 20, 35, 60], size=shape)
        table = pd.DataFrame(values, columns=[f"c{j}" for j in range(shape[1])])
        result = od.suppress_small_cells(table)
        shown = result.with_totals()
        # every small count, totals included, is hidden; zero and large counts may show
        printed = shown.where(shown != od.SUPPRESSED).to_numpy(dtype=float)
        assert not ((printed > 0) & (printed < 11)).any()
        hidden = shown == od.SUPPRESSED
        independent = od.audit_suppression(table, suppressed=hidden)
        assert independent.passes == result.audit.passes
        primary = result.audit.cells[result.audit.cells["primary"]]
        if result.audit.passes:
            assert (primary["high"] - primary["low"] >= 11).all()
        else:  # only when the table is too small to protect its small counts
            assert result.audit.exposed.empty
            assert (~primary["protected"]).any()


def test_a_range_of_zero_or_one_is_not_protection():
    # the hidden rectangle lets the 1 move only down to 0: a reader knows it is 0 or 1
    table = pd.DataFrame({"A": [1, 0], "B": [0, 20]}, index=["r1", "r2"])
    hidden = pd.DataFrame(True, index=table.index, columns=table.columns)
    audit = od.audit_suppression(table, suppressed=hidden)
    cell = audit.cells.set_index(["row", "column"]).loc[("r1", "A")]
    assert (cell["low"], cell["high"], cell["exact"]) == (0, 1, False)
    assert not cell["protected"] and not audit.passes
    # the totals are published too: the row total 1 is itself a small count in print
    assert ("r1", "Total", 1) in set(audit.exposed.itertuples(index=False, name=None))
    assert "narrowed below 11" in repr(audit) and "small counts published" in repr(audit)
    # a narrower protection can be asked for explicitly
    assert od.audit_suppression(table, suppressed=hidden, protection=1).cells.iloc[0]["protected"]


@pytest.mark.realdata
def test_minneapolis_use_of_force_tables_publish_no_small_count(realdata):
    # issue 16: on four real tables the body was safe but with_totals() printed 4, 8, 3 and 53
    # totals between 1 and 10. Totals are cells too: now none is printed, and every hidden small
    # count keeps a range at least 11 wide.
    data = pd.read_csv(realdata / "mpls-police-use-of-force" / "mn_police_use_of_force.csv")
    tables = {
        ("force_type", "race"): 4,
        # 9 with the 4 records that have no neighborhood, now counted in a "(missing)" row
        ("neighborhood", "race"): 9,
        ("force_type", "sex"): 3,
        ("problem", "force_type"): 53,
    }
    for (rows, columns), small_totals in tables.items():
        counts = od.count_table(data, rows=rows, columns=columns)
        # what was published before: small body cells hidden, every total printed
        totals = pd.concat([counts.sum(axis=1), counts.sum(axis=0)])
        assert int(((totals > 0) & (totals < 11)).sum()) == small_totals
        body_only = od.audit_suppression(counts, suppressed=(counts > 0) & (counts < 11))
        assert not body_only.passes and len(body_only.exposed) == small_totals
        result = od.suppress_small_cells(counts)
        assert result.audit.passes, (rows, columns)
        shown = result.with_totals()
        printed = shown.where(shown != od.SUPPRESSED).to_numpy(dtype=float)
        assert not ((printed > 0) & (printed < 11)).any()
        hidden_totals = int(result.primary.iloc[-1].sum() + result.primary.iloc[:, -1].sum())
        assert hidden_totals == small_totals
        cells = result.audit.cells
        assert (cells.loc[cells["primary"], "width"] >= 11).all()
        # spot-check the narrowest ranges against linear programming
        hidden = (shown == od.SUPPRESSED).to_numpy()
        for row in cells[cells["primary"]].nsmallest(3, "width").itertuples(index=False):
            r = len(counts) if row.row == "Total" else counts.index.get_loc(row.row)
            c = counts.shape[1] if row.column == "Total" else counts.columns.get_loc(row.column)
            low, high = _lp_range(counts.to_numpy(), hidden, (r, c))
            assert (row.low, row.high) == pytest.approx((low, high), abs=1e-6)


def test_permits_small_cells_are_protected():
    permits = pfam.generate(seed=DEFAULT_SEED, city=RIVERTON)["building_permits"]
    table = od.count_table(permits, rows="district", columns="permit_type")
    result = od.suppress_small_cells(table)
    demolitions = np.asarray(pfam.DEMOLITIONS_BY_DISTRICT)
    expected_small = int(((demolitions > 0) & (demolitions < 11)).sum())
    assert expected_small == 7
    assert int(result.primary["demolition"].sum()) >= expected_small
    assert result.audit.passes
    hidden = result.published == od.SUPPRESSED
    assert hidden["demolition"].sum() >= expected_small
    # no line of the table with its totals is left with a single hidden cell (it could be
    # subtracted out)
    extended = result.with_totals() == od.SUPPRESSED
    per_row, per_column = extended.sum(axis=1), extended.sum(axis=0)
    assert not (per_row == 1).any() and not (per_column == 1).any()
    assert result.n_complementary >= 1


def test_methods_44_k_anonymity_vector():
    # methods.md §4.4 [COMP]: (zip3, age_band, sex) over 8 records -> k = 1, 2 records below k = 3
    people = pd.DataFrame(
        {
            "zip3": ["021"] * 3 + ["021"] + ["022"] * 3 + ["023"],
            "age_band": ["30-39"] * 3 + ["40-49"] + ["30-39"] * 3 + ["50-59"],
            "sex": ["F"] * 3 + ["M"] + ["M"] * 3 + ["F"],
        }
    )
    report = od.k_anonymity(people, quasi_identifiers=["zip3", "age_band", "sex"], k=3)
    assert report.k == 1
    assert report.n_at_risk == 2
    assert report.classes["size"].tolist() == [1, 1, 3, 3]
    assert sorted(report.at_risk["zip3"]) == ["021", "023"]
    assert report.unique_records == 2
    assert report.share_at_risk == pytest.approx(2 / 8)
    assert "does not meet" in repr(report)


def test_k_anonymity_on_permits_finds_out_of_town_applicants():
    permits = pfam.generate(seed=DEFAULT_SEED, city=RIVERTON)["building_permits"]
    report = od.k_anonymity(permits, quasi_identifiers=["district", "applicant_zip"], k=5)
    riverton = {z for pair in pfam.DISTRICT_ZIPS for z in pair}
    away = permits[~permits["applicant_zip"].isin(riverton)]
    # each out-of-town applicant has a ZIP of its own: all are alone in their group
    assert report.k == 1
    assert set(away.index) <= set(report.at_risk.index)
    direct = permits.groupby(["district", "applicant_zip"]).size()
    assert report.n_at_risk == int(direct[direct < 5].sum())
    # missing values are a group of their own, not dropped
    with_missing = od.k_anonymity(permits, quasi_identifiers=["year_built"], k=1)
    assert with_missing.classes["size"].sum() == len(permits)


def test_bad_inputs(counts):
    with pytest.raises(ArgumentRangeError, match="CMS"):
        od.suppress_small_cells(counts, threshold=0)
    with pytest.raises(ArgumentRangeError, match="whole"):
        od.suppress_small_cells(counts, threshold=10.5)
    with pytest.raises(ArgumentRangeError):
        od.suppress_small_cells(counts, threshold="11")
    with pytest.raises(ArgumentRangeError, match="non-negative"):
        od.suppress_small_cells(counts - 30)
    with pytest.raises(ColumnTypeError, match="set_index"):
        od.suppress_small_cells(counts.reset_index())
    with pytest.raises(ColumnTypeError, match="fillna"):
        od.suppress_small_cells(counts.astype(float).where(counts > 0))
    with pytest.raises(ColumnTypeError, match="Series"):
        od.suppress_small_cells(counts["A"])
    with pytest.raises(EmptyDataError):
        od.suppress_small_cells(counts.iloc[0:0])
    with pytest.raises(ColumnTypeError, match="same rows"):
        od.audit_suppression(counts, suppressed=counts.iloc[:2] > 5)
    people = pd.DataFrame({"zip": ["1", "2"], "sex": ["F", "M"]})
    with pytest.raises(ArgumentRangeError, match="at least 1"):
        od.k_anonymity(people, quasi_identifiers=["zip"], k=0)
    with pytest.raises(ColumnTypeError, match="whole number"):
        od.k_anonymity(people, quasi_identifiers=["zip"], k=2.5)
    with pytest.raises(MissingColumnError, match="sex"):
        od.k_anonymity(people, quasi_identifiers=["zip", "gender"], k=2)
    with pytest.raises(ColumnTypeError, match="non-empty list"):
        od.k_anonymity(people, quasi_identifiers=[], k=2)
    with pytest.raises(EmptyDataError):
        od.k_anonymity(people.iloc[0:0], quasi_identifiers=["zip"], k=2)


def test_inputs_are_not_modified_and_no_warnings(counts):
    before = counts.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        od.suppress_small_cells(counts)
    pd.testing.assert_frame_equal(counts, before)


def test_count_table_bad_inputs():
    data = pd.DataFrame({"district": ["N"], "type": ["a"]})
    with pytest.raises(MissingColumnError, match="district"):
        od.count_table(data, rows="distrct", columns="type")
    with pytest.raises(EmptyDataError):
        od.count_table(data.iloc[0:0], rows="district", columns="type")
    with pytest.raises(ArgumentRangeError):
        od.audit_suppression(
            pd.DataFrame({"a": [1]}), suppressed=pd.DataFrame({"a": [True]}), threshold=0
        )


def test_the_audit_says_when_a_line_counts_records_without_a_label():
    # records without a district are counted in a "(missing)" row: the audit of that table says
    # so, in its text and its notes, instead of differing from the labelled table's without a word
    records = pd.DataFrame(
        {"district": ["N"] * 30 + [None] * 12 + ["S"] * 30, "type": ["a", "b", "c"] * 24}
    )
    counts = od.count_table(records, rows="district", columns="type")
    audit = od.audit_suppression(counts, suppressed=(counts > 0) & (counts < 11))
    assert audit.notes == (
        "row '(missing)' counts 12 records without a row label (published like any other row)",
    )
    assert "'(missing)' counts 12 records" in repr(audit)
    assert "counts 12 records" in audit._repr_html_()
    assert od.suppress_small_cells(counts).audit.notes == audit.notes
    # a blank column label is the same thing; a labelled table has no note
    blank = counts.rename(columns={"c": " "})
    assert od.audit_suppression(blank, suppressed=blank < 0).notes[-1].startswith("column ' '")
    labelled = od.count_table(records.dropna(), rows="district", columns="type")
    assert od.audit_suppression(labelled, suppressed=labelled < 0).notes == ()
    assert "records without" not in repr(od.suppress_small_cells(labelled).audit)

"""HMIS destinations and provider outcomes (methods.md §3.3, HUD SPM / HMIS FY2024)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import CityKitError, ColumnTypeError, MissingColumnError


def _table(rows):
    cols = [
        "enrollment_id",
        "client_id",
        "provider_id",
        "project_type",
        "entry_date",
        "exit_date",
        "destination",
    ]
    return pd.DataFrame(rows, columns=cols)


def test_classify_destination_reference_vector():
    # methods.md §3.3 test vector (HMIS CSV FY2024 Appendix B; greenriver SPM 3.1 list)
    assert ct.classify_destination(410) == "permanent"
    assert ct.classify_destination(435) == "permanent"
    assert ct.classify_destination(314) == "temporary"
    assert ct.classify_destination(24) == "other"
    assert ct.classify_destination(31, version="FY2022") == "permanent"
    assert ct.classify_destination(31, version="FY2024") == "unknown code"
    assert ct.classify_destination(None) == "missing"


def test_permanent_code_sets_match_methods():
    # methods.md §3.3: FY2024 permanent = 4xx list; SPM v3.1 legacy permanent set
    fy24 = ct.destination_codes()
    assert set(fy24.loc[fy24.destination_class == "permanent", "code"]) == {
        410,
        411,
        421,
        422,
        423,
        426,
        435,
    }
    legacy = ct.destination_codes(version="legacy")
    assert set(legacy.loc[legacy.destination_class == "permanent", "code"]) == {
        3,
        10,
        11,
        19,
        20,
        21,
        22,
        23,
        26,
        28,
        31,
        33,
        34,
    }


def test_crosswalk_keeps_the_class_of_every_legacy_code():
    for code, (new, _subsidy) in ct.LEGACY_TO_FY2024.items():
        assert ct.DESTINATIONS_LEGACY[code][1] == ct.DESTINATIONS_FY2024[new][1], code
    assert ct.LEGACY_TO_FY2024[31] == (435, 428)
    assert ct.LEGACY_TO_FY2024[16] == (116, None)


def test_prepare_harmonizes_by_version_column_and_flags_mismatches():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2023-01-01", "2023-02-01", 20],
            ["e2", "b", "P1", "ES", "2023-01-01", "2023-02-01", 20],
            ["e3", "c", "P1", "ES", "2023-01-01", "2023-02-01", 410],
        ]
    ).assign(data_standards_version=["FY2022", "FY2024", "FY2024"])
    out = ct.prepare_enrollments(raw)
    assert out["destination_fy2024"].tolist()[0] == 435
    assert out["permanent_exit"].tolist()[0] is True
    # code 20 in a FY2024 row is not a FY2024 code: flagged, not silently reinterpreted
    assert out["dq_issue"].tolist() == ["", "unknown destination code", ""]
    assert "dq_issue" not in raw.columns  # input untouched


def test_prepare_infers_standard_without_version_column():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2023-01-01", "2023-02-01", 31],
            ["e2", "b", "P1", "ES", "2023-01-01", "2023-02-01", 30],
        ]
    )
    out = ct.prepare_enrollments(raw)
    assert out["destination_fy2024"].tolist() == [435, 30]
    assert out["destination_class"].tolist() == ["permanent", "other"]


def test_bad_rows_are_flagged_and_left_out_of_rates():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2023-01-10", "2023-01-05", 410],  # exit before entry
            ["e2", "b", "P1", "ES", "2023-01-01", "2023-02-01", 999],  # unknown code
            ["e3", "c", "P1", "ES", "2023-01-01", "2023-02-01", None],  # exit without destination
            ["e4", "d", "P1", "ES", "2023-01-01", None, 410],  # destination without exit
            ["e5", "e", "P1", "ES", "2023-01-01", "2023-02-01", 101],
            ["e5", "f", "P1", "ES", "2023-01-01", "2023-02-01", 410],  # duplicate id
            ["e7", "g", "P1", "XX", "2023-01-01", "2023-02-01", 410],  # unknown project type
        ]
    )
    out = ct.prepare_enrollments(raw)
    assert out["dq_issue"].tolist() == [
        "exit before entry",
        "unknown destination code",
        "exit without destination",
        "destination without exit",
        "",
        "duplicate enrollment id",
        "unknown project type",
    ]
    rates = ct.exits_to_permanent_housing(raw, project_types=None)
    assert rates.loc[0, "exits"] == 1 and rates.loc[0, "permanent_exits"] == 0
    assert rates.loc[0, "excluded_flagged"] == 5  # e4 has not exited
    dq = ct.data_quality_flags(raw)
    assert dq.loc[0, "flagged"] == 6 and dq.loc[0, "exit before entry"] == 1


def test_missing_column_and_bad_dates_raise_actionable_errors():
    raw = _table([["e1", "a", "P1", "ES", "2023-01-01", "2023-02-01", 410]])
    with pytest.raises(MissingColumnError, match="did you mean|Did you mean"):
        ct.prepare_enrollments(raw.rename(columns={"exit_date": "exitdate"}))
    bad = raw.assign(entry_date=["01/13/2023x"])
    with pytest.raises(ColumnTypeError, match="entry_date"):
        ct.prepare_enrollments(bad)
    with pytest.raises(CityKitError, match="swap"):
        ct.return_episodes(raw, start="2024-12-31", end="2024-01-01")
    with pytest.raises(CityKitError, match="undercounted"):
        ct.return_episodes(raw, start="2025-01-01", end="2025-12-31")


def test_custom_column_names_are_renamed_to_standard():
    raw = _table([["e1", "a", "P1", "ES", "2023-01-01", "2023-02-01", 410]]).rename(
        columns={"client_id": "PersonalID", "exit_date": "ExitDate"}
    )
    out = ct.prepare_enrollments(raw, client="PersonalID", exit="ExitDate")
    assert {"client_id", "exit_date"} <= set(out.columns)
    assert ct.exits_to_permanent_housing(out)["rate"].tolist() == [1.0]


def test_exits_by_provider_type_and_month_counts_beside_rates():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2024-01-01", "2024-01-20", 410],
            ["e2", "b", "P1", "ES", "2024-01-01", "2024-01-25", 101],
            ["e3", "c", "P1", "RRH", "2024-01-01", "2024-02-03", 435],
            ["e4", "d", "P2", "ES", "2024-01-01", "2024-02-10", 30],
        ]
    )
    out = ct.exits_to_permanent_housing(raw, by=["provider_id", "project_type"], frequency="month")
    assert out[
        ["provider_id", "project_type", "period", "exits", "permanent_exits"]
    ].to_numpy().tolist() == [
        ["P1", "ES", "2024-01", 2, 1],
        ["P1", "RRH", "2024-02", 1, 1],
        ["P2", "ES", "2024-02", 1, 0],
    ]
    assert out["rate"].tolist() == [0.5, 1.0, 0.0]
    excluded = ct.exits_to_permanent_housing(raw, by=None, exclude_destinations=(30,))
    assert excluded.loc[0, "exits"] == 3


def test_spm_7b1_leaves_out_the_destinations_hud_excludes():
    # HUD SPM Programming Specifications, Measure 7b.1 step 4: "Destinations indicated with an X
    # (values 15, 6, 25, 24) cause leavers with those destinations to be completely excluded from
    # the entire measure" (quoted in greenriver/hmis-warehouse, HudSpmReport FY2020 MeasureSeven;
    # FY2024 codes 206, 215, 225, 24 in its FY2024 and FY2026 M7B_REJECTED lists)
    assert set(ct.SPM_7B1_EXCLUDED_DESTINATIONS) == {206, 215, 225, 24}
    rows = [
        ["h", "h", "P1", "ES", "2024-01-01", "2024-02-01", 206],  # hospital: excluded
        ["f", "f", "P1", "ES", "2024-01-01", "2024-02-01", 215],  # foster care: excluded
        ["l", "l", "P1", "TH", "2024-01-01", "2024-02-01", 225],  # long-term care: excluded
        ["d", "d", "P1", "RRH", "2024-01-01", "2024-02-01", 24],  # deceased: excluded
        ["j", "j", "P1", "ES", "2024-01-01", "2024-02-01", 207],  # jail: stays (not housed)
        ["p", "p", "P1", "ES", "2024-01-01", "2024-02-01", 204],  # psychiatric: stays
        ["s", "s", "P1", "ES", "2024-01-01", "2024-02-01", 101],  # shelter: stays
        ["r", "r", "P1", "ES", "2024-01-01", "2024-02-01", 410],  # rental: stays, permanent
    ]
    legacy = [  # the same exclusions recorded with FY2022 codes
        ["h2", "h2", "P2", "ES", "2023-01-01", "2023-02-01", 6],
        ["f2", "f2", "P2", "ES", "2023-01-01", "2023-02-01", 15],
        ["l2", "l2", "P2", "ES", "2023-01-01", "2023-02-01", 25],
        ["d2", "d2", "P2", "ES", "2023-01-01", "2023-02-01", 24],
        ["r2", "r2", "P2", "ES", "2023-01-01", "2023-02-01", 10],
    ]
    raw = _table(rows + legacy).assign(
        data_standards_version=["FY2024"] * len(rows) + ["FY2022"] * len(legacy)
    )
    out = ct.exits_to_permanent_housing(raw).set_index("provider_id")
    assert out.loc["P1", ["exits", "permanent_exits", "excluded_destination"]].tolist() == [4, 1, 4]
    assert out.loc["P1", "rate"] == 0.25
    assert out.loc["P2", ["exits", "permanent_exits", "excluded_destination"]].tolist() == [1, 1, 4]
    # keeping every exit (the old default) counts the excluded ones as failures
    kept = ct.exits_to_permanent_housing(raw, exclude_destinations=()).set_index("provider_id")
    assert kept.loc["P1", "exits"] == 8 and kept.loc["P1", "excluded_destination"] == 0
    # the provider report and provider_outcomes use the same universe
    outcomes = ct.provider_outcomes(raw, start="2023-01-01", end="2024-12-31", as_of="2024-12-31")
    assert outcomes.set_index("provider_id").loc["P1", "exits"] == 4


def test_spm2_rules_earliest_exit_transfer_window_and_buckets():
    # hand-built cases; report year 2024 -> index exits in 2022 (730-day look-back)
    raw = _table(
        [
            # a: two permanent exits in the window; the earliest (2022-02-01) is the index
            ["a1", "a", "P1", "RRH", "2022-01-01", "2022-02-01", 435],
            ["a2", "a", "P2", "ES", "2022-03-01", "2022-04-01", 410],
            # b: enters PSH 14 days after exit (transfer, not a return), then ES at day 200
            ["b1", "b", "P1", "ES", "2022-01-01", "2022-06-01", 410],
            ["b2", "b", "P1", "PSH", "2022-06-15", "2022-12-18", 422],
            # c: enters TH 15 days after exit -> a return in 0-180 days
            ["c1", "c", "P1", "ES", "2022-01-01", "2022-06-01", 410],
            ["c2", "c", "P2", "TH", "2022-06-16", None, None],
            # d: same-day ES entry is a return (0 days)
            ["d1", "d", "P2", "ES", "2022-01-01", "2022-06-01", 411],
            ["d2", "d", "P2", "ES", "2022-06-01", None, None],
            # e: prevention enrollment is never a return; ES at day 400
            ["e1", "e", "P2", "ES", "2022-01-01", "2022-03-01", 410],
            ["e2", "e", "P3", "PREV", "2022-04-01", "2022-05-01", 410],
            ["e3", "e", "P2", "ES", "2023-04-05", None, None],
            # f: exit in 2021 is outside the look-back window
            ["f1", "f", "P1", "ES", "2021-01-01", "2021-06-01", 410],
            ["f2", "f", "P1", "ES", "2021-07-01", None, None],
            # g: non-permanent exit is not in the universe
            ["g1", "g", "P1", "ES", "2022-01-01", "2022-06-01", 101],
        ]
    )
    ep = ct.return_episodes(raw, start="2024-01-01", end="2024-12-31", as_of="2024-12-31")
    got = dict(
        zip(
            ep["client_id"],
            zip(
                ep["provider_id"],
                ep["days_to_return"].astype("float").fillna(-1).astype(int),
                ep["return_window"],
                strict=True,
            ),
            strict=True,
        )
    )
    assert got == {
        "a": ("P1", 28, "0-180 days"),  # exit 2022-02-01 -> ES entry 2022-03-01
        "b": ("P1", -1, "no return"),  # PSH at day 14 is a transfer
        "c": ("P1", 15, "0-180 days"),  # TH at day 15 counts
        "d": ("P2", 0, "0-180 days"),
        "e": ("P2", 400, "366-730 days"),  # PREV at day 31 is not a return
    }
    summary = ct.returns_to_homelessness(
        raw, start="2024-01-01", end="2024-12-31", by=None, as_of="2024-12-31"
    )
    assert summary.loc[0, "permanent_exits"] == 5
    assert summary.loc[0, "returns_6m"] == 3 and summary.loc[0, "returns_24m"] == 4
    assert summary.loc[0, "rate_24m"] == pytest.approx(0.8)
    # a one-year look-back cannot show 24-month returns, so that column is left out
    short = ct.returns_to_homelessness(
        raw,
        start="2023-01-01",
        end="2023-12-31",
        lookback_days=365,
        by=None,
        as_of="2024-12-31",
    )
    assert "rate_24m" not in short.columns and short.loc[0, "permanent_exits"] == 5


def test_spm2_same_day_ties_go_to_the_smallest_enrollment_id():
    # rows out of order on purpose: the answer must not depend on the order of the table
    raw = _table(
        [
            ["z2", "z", "P2", "ES", "2022-01-01", "2022-03-01", 410],
            ["z1", "z", "P1", "RRH", "2022-01-05", "2022-03-01", 435],  # same-day exit: z1 wins
            ["y1", "y", "P3", "ES", "2022-01-01", "2022-02-01", 410],
            ["y3", "y", "P1", "SO", "2022-05-01", None, None],
            ["y2", "y", "P2", "TH", "2022-05-01", None, None],  # same-day returns: y2 wins
            ["x1", "x", "P1", "ES", "2022-01-01", "2022-02-01", 410],
        ]
    )
    ep = ct.return_episodes(raw, start="2024-01-01", end="2024-12-31", as_of="2024-12-31")
    assert list(ep["client_id"]) == ["x", "y", "z"]
    assert list(ep["provider_id"]) == ["P1", "P3", "P1"]
    assert ep.loc[1, "return_project_type"] == "TH" and ep.loc[1, "days_to_return"] == 89
    assert ep["days_to_return"].isna().tolist() == [True, False, True]


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 1, 0, 2]], ids=["sorted", "shuffled"])
def test_repeated_enrollment_id_is_flagged_after_its_first_row(order):
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2024-01-01", "2024-01-20", 410],
            ["e2", "b", "P1", "ES", "2024-01-01", "2024-01-20", 410],
            ["e2", "c", "P2", "ES", "2024-01-01", "2024-01-20", 410],
            ["e3", "d", "P1", "ES", "2024-01-01", "2024-01-20", 410],
        ]
    ).iloc[order]
    out = ct.prepare_enrollments(raw).set_index("client_id")
    first, second = ("b", "c") if order.index(1) < order.index(2) else ("c", "b")
    assert out.loc[first, "dq_issue"] == ""
    assert out.loc[second, "dq_issue"] == "duplicate enrollment id"
    assert (out.drop(index=second)["dq_issue"] == "").all()


def test_prevention_success_and_length_of_stay():
    raw = _table(
        [
            ["p1", "a", "P9", "PREV", "2023-01-01", "2023-02-01", 410],
            ["p2", "b", "P9", "PREV", "2023-01-01", "2023-02-01", 410],
            ["s2", "b", "P1", "ES", "2024-01-15", "2024-02-01", 101],  # within 12 months of exit
            ["p3", "c", "P9", "PREV", "2023-01-01", "2023-02-01", 410],
            ["s3", "c", "P1", "ES", "2024-03-01", "2024-03-11", 101],  # 13 months later: success
            ["p4", "d", "P9", "PREV", "2024-06-01", "2024-07-01", 410],  # not enough follow-up
        ]
    )
    out = ct.prevention_outcomes(raw, months=12, as_of="2024-12-31")
    assert out.loc[0, ["prevention_exits", "entered_shelter", "stayed_housed"]].tolist() == [
        3,
        1,
        2,
    ]
    assert out.loc[0, "success_rate"] == pytest.approx(2 / 3)
    los = ct.length_of_stay(raw, by="project_type")
    es = los.set_index("project_type").loc["ES"]
    assert es["exits"] == 2 and es["median_days"] == pytest.approx((17 + 10) / 2)


def test_provider_outcomes_table_and_no_warnings():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2023-02-01", "2023-03-01", 410],
            ["e2", "a", "P1", "ES", "2023-06-01", "2024-01-10", 101],
            ["e3", "b", "P2", "RRH", "2024-01-01", "2024-02-01", 435],
            ["e4", "c", "P2", "RRH", "2024-03-01", "2024-02-01", 435],
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ct.provider_outcomes(raw, start="2024-01-01", end="2024-12-31", as_of="2024-12-31")
    p1 = out.set_index("provider_id").loc["P1"]
    assert p1["exits"] == 1 and p1["permanent_exits"] == 0
    assert p1["returns_base"] == 1 and p1["returns_12m"] == 1  # exit 2023-03 -> back 2023-06
    p2 = out.set_index("provider_id").loc["P2"]
    assert p2["ph_rate"] == 1.0 and p2["flagged_rows"] == 1


def test_client_exits_and_monthly_length_of_stay():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2024-01-01", "2024-01-11", 410],
            ["e2", "b", "P1", "ES", "2024-01-05", "2024-02-04", 101],
            ["e3", "c", "P1", "RRH", "2024-02-01", "2024-01-04", 435],  # flagged: left out
            ["e4", "d", "P1", "RRH", "2024-02-01", None, None],  # still enrolled: left out
        ]
    )
    people = pd.DataFrame({"client_id": list("abcd"), "monthly_income_usd": [0, 500, 0, 0]})
    out = ct.client_exits(raw, clients=people)
    assert out["client_id"].tolist() == ["a", "b"]
    assert out["exit_ph"].tolist() == [1, 0] and out["has_income"].tolist() == [False, True]
    with pytest.raises(CityKitError, match="one row per person"):
        ct.client_exits(raw, clients=pd.concat([people, people]))
    los = ct.length_of_stay(raw, by="provider_id", frequency="month")
    assert los[["period", "exits", "median_days"]].to_numpy().tolist() == [
        ["2024-01", 1, 10.0],
        ["2024-02", 1, 30.0],
    ]


def test_returns_and_prevention_by_period():
    raw = _table(
        [
            ["a1", "a", "P1", "RRH", "2022-01-01", "2022-02-01", 435],
            ["a2", "a", "P1", "ES", "2022-03-01", None, None],
            ["b1", "b", "P1", "RRH", "2022-01-01", "2022-03-05", 410],
            ["p1", "c", "P9", "PREV", "2022-01-01", "2022-02-10", 410],
            ["p2", "d", "P9", "PREV", "2022-01-01", "2022-03-10", 410],
            ["s2", "d", "P1", "ES", "2022-06-01", "2022-07-01", 101],
        ]
    )
    ret = ct.returns_to_homelessness(
        raw,
        start="2024-01-01",
        end="2024-12-31",
        by=None,
        frequency="month",
        as_of="2024-12-31",
    )
    assert ret[["period", "permanent_exits", "returns_6m"]].to_numpy().tolist() == [
        ["2022-02", 1, 1],
        ["2022-03", 1, 0],
    ]
    prev = ct.prevention_outcomes(raw, months=12, as_of="2024-12-31", by=None, frequency="month")
    assert prev[["period", "prevention_exits", "entered_shelter"]].to_numpy().tolist() == [
        ["2022-02", 1, 0],
        ["2022-03", 1, 1],
    ]


def test_old_option_names_still_work_for_one_release_with_a_warning():
    raw = _table(
        [
            ["a1", "a", "P1", "RRH", "2022-01-01", "2022-02-01", 435],
            ["a2", "a", "P1", "ES", "2022-03-01", None, None],
            ["b1", "b", "P1", "RRH", "2022-01-01", "2022-03-05", 410],
        ]
    )
    window = {"as_of": "2024-12-31", "by": None}
    new = ct.returns_to_homelessness(
        raw, start="2024-01-01", end="2024-12-31", frequency="month", **window
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = ct.returns_to_homelessness(
            raw, report_start="2024-01-01", report_end="2024-12-31", period="month", **window
        )
    said = sorted(str(w.message).split(";")[0] for w in caught if w.category is FutureWarning)
    assert said == [
        "returns_to_homelessness(period=...) is now returns_to_homelessness(frequency=...)",
        "returns_to_homelessness(report_end=...) is now returns_to_homelessness(end=...)",
        "returns_to_homelessness(report_start=...) is now returns_to_homelessness(start=...)",
    ]
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match=r"\(frequency=\.\.\.\)"):
        old = ct.length_of_stay(raw, period="month")
    pd.testing.assert_frame_equal(old, ct.length_of_stay(raw, frequency="month"))
    # both names at once is a mistake, not a silent choice
    with pytest.raises(CityKitError, match="both period= and frequency="):
        ct.exits_to_permanent_housing(raw, period="month", frequency="year")


def test_confidence_level_became_alpha_and_the_old_level_is_converted():
    new = ct.poisson_binomial_test(12, [0.4] * 20, alpha=0.01)
    with pytest.warns(FutureWarning, match=r"\(alpha=\.\.\.\)"):
        old = ct.poisson_binomial_test(12, [0.4] * 20, level=0.99)
    assert (old["low"], old["high"]) == pytest.approx((new["low"], new["high"]), abs=1e-12)
    # a 99% interval is wider than the default 95% one: alpha is read as 1 - level, not as level
    default = ct.poisson_binomial_test(12, [0.4] * 20)
    assert new["low"] < default["low"] and new["high"] > default["high"]
    with pytest.warns(FutureWarning):
        old = ct.garwood_interval([27], [26.29], level=0.9)
    pd.testing.assert_frame_equal(old, ct.garwood_interval([27], [26.29], alpha=0.1))


def test_an_exit_whose_client_is_not_in_clients_says_so_on_its_row():
    raw = _table(
        [
            ["e1", "a", "P1", "ES", "2024-01-01", "2024-01-11", 410],
            ["e2", "b", "P1", "ES", "2024-01-05", "2024-02-04", 101],
            ["e3", "z", "P1", "ES", "2024-01-05", "2024-02-04", 101],
        ]
    )
    people = pd.DataFrame({"client_id": ["a", "b"], "veteran": [True, False]})
    out = ct.client_exits(raw, clients=people)
    # visible in the table itself (DataFrame.attrs is never displayed)
    assert out[["client_id", "unmatched"]].to_numpy().tolist() == [["a", 0], ["b", 0], ["z", 1]]
    assert out.loc[out["unmatched"] == 1, "veteran"].isna().all()
    assert out["unmatched"].sum() == 1 and "1 of 3" in out.attrs["notes"][0]
    full = ct.client_exits(raw.iloc[:2], clients=people)
    assert full["unmatched"].tolist() == [0, 0]

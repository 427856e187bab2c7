"""One input contract across the analytics packages: the inputs city exports really have.

Each test pairs a legitimate or bad input with what the toolkit must do: give the same answer as
the clean input, or raise a CityKitError naming the column, what was found and the fix. Each
also shows the wrong answer it rules out (the old behaviour), so it discriminates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit import performance
from citykit.errors import CityKitError

MONTHS = pd.date_range("2023-07-01", periods=14, freq="MS")
VALUES = [0.80, 0.82, 0.81, 0.79, 0.80, 0.81, 0.70, 0.69, 0.70, 0.68, 0.69, 0.70, 0.71, 0.69]


@pytest.fixture
def requests():
    opened = pd.date_range("2024-01-01 08:00", periods=40, freq="7h")
    closed = opened + pd.to_timedelta(np.arange(40) % 9, unit="D")
    closed = pd.Series(closed).where(np.arange(40) % 7 != 0)
    return pd.DataFrame(
        {"opened_at": opened, "closed_at": closed, "sla_days": 5, "status": "Closed"}
    )


def test_add_time_to_close_reads_a_second_date_format(requests):
    expected = performance.add_time_to_close(requests, as_of="2024-03-01")
    text = requests["closed_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    us = requests["closed_at"].dt.strftime("%m/%d/%Y %I:%M:%S %p")
    mixed = text.where(np.arange(40) % 2 == 0, us).where(requests["closed_at"].notna(), None)
    got = performance.add_time_to_close(requests.assign(closed_at=mixed), as_of="2024-03-01")
    cols = ["days_to_close", "is_open", "closed_on_time"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])
    # the old reading made every US-format close NaT: closed requests became open and late
    assert expected["is_open"].sum() < 10


def test_a_request_without_a_service_level_is_neither_on_time_nor_late(requests):
    sla = requests["sla_days"].astype(float).where(np.arange(40) % 10 != 3)
    got = performance.add_time_to_close(requests.assign(sla_days=sla), as_of="2024-03-01")
    expected = performance.add_time_to_close(requests, as_of="2024-03-01")
    no_sla = sla.isna()
    # missing where there is no SLA (the old answer was False: counted late), unchanged elsewhere
    assert got.loc[no_sla, "closed_on_time"].isna().all()
    assert expected.loc[no_sla, "closed_on_time"].notna().any()
    pd.testing.assert_series_equal(
        got.loc[~no_sla, "closed_on_time"], expected.loc[~no_sla, "closed_on_time"]
    )


def test_add_time_to_close_refuses_values_that_are_not_dates(requests):
    bad = requests["closed_at"].dt.strftime("%Y-%m-%d").astype(object)
    bad[3] = "closed - see notes"
    with pytest.raises(CityKitError, match=r"'closed_at'.*1 of 40.*closed - see notes"):
        performance.add_time_to_close(requests.assign(closed_at=bad))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.assign(
            opened_at=d["opened_at"].dt.tz_localize("America/New_York"),
            closed_at=d["closed_at"].dt.tz_localize("America/New_York"),
        ),
        lambda d: d.convert_dtypes(dtype_backend="pyarrow"),
        lambda d: d.convert_dtypes(),
        lambda d: d.assign(status=d["status"].astype("category")),
    ],
    ids=["tz_aware", "arrow", "nullable", "categorical"],
)
def test_add_time_to_close_legitimate_inputs_identical(requests, change):
    expected = performance.add_time_to_close(requests, as_of="2024-03-01")
    got = performance.add_time_to_close(change(requests), as_of="2024-03-01")
    for col in ["days_to_close", "is_open", "closed_on_time"]:
        assert (
            got[col].astype(object).where(got[col].notna(), None).tolist()
            == expected[col].astype(object).where(expected[col].notna(), None).tolist()
        )


def _series(periods):
    return pd.DataFrame({"month": periods, "value": VALUES})


def test_control_chart_orders_text_periods_in_time():
    dated = performance.xmr_chart(_series(MONTHS), value="value", period="month", baseline=6)
    text = MONTHS.strftime("%m/%d/%Y")
    shuffled = _series(text).sample(frac=1, random_state=3)
    got = performance.xmr_chart(shuffled, value="value", period="month", baseline=6)
    assert got.sigma == pytest.approx(dated.sigma)
    assert got.table["period"].tolist() == list(text)
    # alphabetical order would put 01/01/2024 first and give another sigma
    alphabetical = sorted(text)
    assert alphabetical != list(text)


def test_stat_brief_reads_text_periods_as_dates():
    data = _series(MONTHS).assign(
        department="Sanitation", measure="On-time pickups", target=0.8, direction="up"
    )
    expected = performance.stat_brief(
        data, department="Sanitation", owner=None, cases=None, unit=None, baseline=6
    )
    text = data.assign(month=MONTHS.strftime("%m/%d/%Y")).iloc[::-1]
    got = performance.stat_brief(
        text, department="Sanitation", owner=None, cases=None, unit=None, baseline=6
    )
    assert got.table.to_dict("records") == expected.table.to_dict("records")


def test_charts_refuse_infinity_and_report_missing_values():
    data = _series(MONTHS)
    with pytest.raises(CityKitError, match=r"'value'.*infinite"):
        performance.xmr_chart(
            data.assign(value=data["value"].replace(0.70, np.inf)), value="value", period="month"
        )
    gaps = data.assign(value=data["value"].where(np.arange(14) != 4))
    chart = performance.xmr_chart(gaps, value="value", period="month")
    assert np.isfinite(chart.centre)
    assert any("1 period(s) have no value (2023-11)" in n for n in chart.notes)
    rates = pd.DataFrame({"month": MONTHS, "num": [5.0] * 13 + [np.nan], "den": 20})
    chart = performance.p_chart(rates, numerator="num", denominator="den", period="month")
    assert chart.centre == pytest.approx(0.25)
    assert any("no value" in n for n in chart.notes)
    with pytest.raises(CityKitError, match="'den' holds 1 infinite"):
        performance.p_chart(
            rates.assign(den=[20.0] * 13 + [np.inf]),
            numerator="num",
            denominator="den",
            period="month",
        )


def test_chart_periods_tz_aware_and_arrow_identical():
    expected = performance.xmr_chart(_series(MONTHS), value="value", period="month")
    for periods in (
        MONTHS.tz_localize("Europe/Paris"),
        pd.Series(MONTHS).astype("timestamp[ns][pyarrow]"),
    ):
        got = performance.xmr_chart(
            _series(periods).convert_dtypes(dtype_backend="pyarrow"), value="value", period="month"
        )
        assert got.sigma == pytest.approx(expected.sigma)
        assert got.table["period"].tolist() == expected.table["period"].tolist()


# --- contracting: HMIS ---------------------------------------------------------------------


@pytest.fixture
def enrollments():
    from citykit import datasets

    table = datasets.load("hmis_enrollments")
    return table[table["entry_date"] >= "2023-06-01"].head(800).reset_index(drop=True)


def test_hmis_counts_enrollments_without_a_provider(enrollments):
    from citykit import contracting

    expected = contracting.exits_to_permanent_housing(enrollments, start="2023-01-01")
    holes = enrollments.assign(
        provider_id=enrollments["provider_id"].where(np.arange(len(enrollments)) % 10 != 0)
    )
    got = contracting.exits_to_permanent_housing(holes, start="2023-01-01")
    assert "(missing)" in set(got["provider_id"])
    # every exit is still counted: none is dropped with its provider
    assert got["exits"].sum() == expected["exits"].sum()
    assert got["permanent_exits"].sum() == expected["permanent_exits"].sum()
    with pytest.raises(CityKitError, match=r"'provider_id' has no values: all 800 rows"):
        contracting.exits_to_permanent_housing(enrollments.assign(provider_id=None))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.convert_dtypes(dtype_backend="pyarrow"),
        lambda d: d.assign(
            entry_date=d["entry_date"].dt.tz_localize("America/Chicago"),
            exit_date=d["exit_date"].dt.tz_localize("America/Chicago"),
        ),
        lambda d: d.assign(
            entry_date=d["entry_date"].dt.strftime("%m/%d/%Y %I:%M:%S %p"),
            exit_date=d["exit_date"].dt.strftime("%m/%d/%Y"),
        ),
    ],
    ids=["arrow", "tz_aware", "us_text"],
)
def test_hmis_legitimate_inputs_identical(enrollments, change):
    from citykit import contracting

    kw = {"start": "2023-06-01", "end": "2024-12-31", "as_of": "2025-01-01"}
    expected = contracting.provider_outcomes(enrollments, **kw)
    got = contracting.provider_outcomes(change(enrollments), **kw)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_client_join_on_ids_that_do_not_match(enrollments):
    from citykit import contracting, datasets

    clients = datasets.load("hmis_clients")
    exits = contracting.client_exits(enrollments, clients=clients)
    assert exits["age"].notna().all()
    renamed = clients.assign(client_id="X" + clients["client_id"])
    with pytest.raises(CityKitError, match="none of the .* client_id values is in clients"):
        contracting.client_exits(enrollments, clients=renamed)
    some = clients[clients["client_id"] != exits["client_id"].iloc[0]]
    partial = contracting.client_exits(enrollments, clients=some)
    assert partial["age"].isna().sum() >= 1
    assert "not in clients" in partial.attrs["notes"][0]


def test_risk_adjust_keeps_clients_without_a_provider(enrollments):
    from citykit import contracting

    frame = pd.DataFrame(
        {
            "provider_id": ["A"] * 20 + ["B"] * 20 + [None] * 10,
            "high_risk": [0, 1] * 25,
            "housed": ([1, 0, 1, 1, 0] * 10),
        }
    )
    result = contracting.risk_adjust(frame, outcome="housed", risk_factors=["high_risk"])
    table = result.table.set_index("provider_id")
    assert table["clients"].sum() == 50
    assert table.loc["(missing)", "clients"] == 10
    assert "no provider" in table.loc["(missing)", "note"]


# --- opendata ------------------------------------------------------------------------------


def test_count_table_counts_records_without_a_label():
    from citykit import opendata

    data = pd.DataFrame({"district": ["N", None, "S", None], "type": ["a", "b", "a", None]})
    table = opendata.count_table(data, rows="district", columns="type")
    assert int(table.to_numpy().sum()) == 4  # every record, none dropped
    assert table.loc["(missing)", "(missing)"] == 1
    cats = data.astype("category")
    assert opendata.count_table(cats, rows="district", columns="type").to_numpy().sum() == 4


def test_target_status_compares_with_the_previous_period_in_time():
    months = pd.date_range("2023-10-01", periods=5, freq="MS")
    data = pd.DataFrame(
        {
            "measure": "x",
            "month": months,
            "value": [5, 1, 2, 3, 4.0],
            "target": 3,
            "direction": "up",
        }
    )
    expected = performance.target_status(data, period="month")["improving"].tolist()
    text = data.assign(month=months.strftime("%m/%d/%Y")).iloc[::-1]
    got = performance.target_status(text, period="month").sort_index()["improving"].tolist()
    assert got == expected == [pd.NA, False, True, True, True]
    with pytest.raises(CityKitError, match="'value' holds infinite"):
        performance.target_status(data.assign(value=[1, np.inf, 2, 3, 4]), period="month")


def test_numpy_scalars_are_numbers():
    from citykit import evaluation

    expected = evaluation.power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=200)
    got = evaluation.power_two_proportions(
        control_rate=np.float64(0.4), treated=np.float64(0.5), n_per_arm=np.int64(200)
    )
    assert got == pytest.approx(expected)
    assert evaluation.power_two_proportions(
        control_rate=np.float32(0.4), treated=0.5, n_per_arm=200
    ) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(CityKitError, match="strictly between 0 and 1"):
        evaluation.power_two_proportions(control_rate=np.float32(1.4), treated=0.5, n_per_arm=200)


def test_balance_table_reads_numbers_stored_as_text():
    from citykit import evaluation

    units = pd.DataFrame(
        {
            "arm": ["control", "letter"] * 30,
            "balance": np.linspace(50, 400, 60).round(2),
            "late": [0, 1, 2] * 20,
        }
    )
    expected = evaluation.balance_table(units, covariates=["balance", "late"], control="control")
    text = units.assign(balance=units["balance"].astype(str), late=units["late"].astype("string"))
    got = evaluation.balance_table(text, covariates=["balance", "late"], control="control")
    assert len(got.table) == len(expected.table) == 2  # not one yes/no row per distinct value
    pd.testing.assert_series_equal(got.table["smd"], expected.table["smd"])


def test_fix_metadata_table_takes_categorical_and_arrow_catalogs():
    from citykit import datasets, opendata

    catalog = datasets.load("catalog")
    expected = opendata.fix_metadata_table(catalog)
    assert len(expected.changes) > 0
    for changed in (catalog.astype("category"), catalog.convert_dtypes(dtype_backend="pyarrow")):
        got = opendata.fix_metadata_table(changed)
        pd.testing.assert_frame_equal(got.changes, expected.changes)


def test_joins_on_ids_that_do_not_match_are_errors_or_counted():
    from citykit import contracting, opendata

    contracts = pd.DataFrame(
        {"provider_id": ["P1", "P2"], "amount_usd": [100.0, 200.0], "project_type": ["ES", "ES"]}
    )
    outcomes = pd.DataFrame(
        {"provider_id": ["P1", "P2"], "exits": [10, 20], "permanent_exits": [4, 5]}
    )
    contracting.contract_portfolio(contracts, outcomes)
    with pytest.raises(CityKitError, match="none of the 2 contracts' 'provider_id'"):
        contracting.contract_portfolio(contracts, outcomes.assign(provider_id=["p-1", "p-2"]))
    partial = contracting.contract_portfolio(contracts, outcomes.iloc[:1])
    assert "1 of 2 contracts have no row in outcomes" in partial.attrs["notes"][0]
    usage = pd.DataFrame({"identifier": ["a", "b"], "views": [5, 0], "downloads": [1, 0]})
    catalog = pd.DataFrame({"identifier": ["a", "b", "c"], "title": ["A", "B", "C"]})
    assert opendata.unused_datasets(usage, catalog=catalog)["identifier"].tolist() == ["b", "c"]
    with pytest.raises(CityKitError, match="none of the usage's 'identifier' values"):
        opendata.unused_datasets(usage.assign(identifier=["A-1", "B-1"]), catalog=catalog)


def test_evaluation_covariates_text_numbers_infinity_and_missing():
    from citykit import evaluation

    rng = np.random.default_rng(4)
    units = pd.DataFrame(
        {
            "arm": ["control", "letter"] * 40,
            "balance": rng.normal(100, 20, 80).round(2),
            "y": rng.normal(10, 2, 80).round(2),
        }
    )
    expected = evaluation.estimate_effects(units, outcome="y", covariates=["balance"])
    text = units.assign(balance=units["balance"].astype(str))
    got = evaluation.estimate_effects(text, outcome="y", covariates=["balance"])
    assert got.table["estimate"].tolist() == pytest.approx(expected.table["estimate"].tolist())
    with pytest.raises(CityKitError, match="'balance' .a covariate. holds infinite"):
        evaluation.estimate_effects(
            units.assign(balance=units["balance"].replace(units["balance"].iloc[3], np.inf)),
            outcome="y",
            covariates=["balance"],
        )
    holes = units.assign(balance=units["balance"].where(np.arange(80) % 10 != 0))
    test = evaluation.balance_test(holes, covariates=["balance"], control="control")
    assert test.table["missing_left_out"].tolist() == [8]
    assert "left out" in repr(test)


def test_compute_measures_counts_rows_without_a_date(requests):
    timed = performance.add_time_to_close(requests, as_of="2024-03-01")
    measure = performance.Measure("Requests", "count")
    full = performance.compute_measures(timed, measures=measure, frequency="monthly")
    assert "notes" not in full.attrs
    holes = timed.assign(opened_at=timed["opened_at"].where(np.arange(40) % 8 != 0))
    got = performance.compute_measures(holes, measures=measure, frequency="monthly")
    assert got["value"].sum() == full["value"].sum() - 5
    assert got.attrs["notes"] == [
        "5 row(s) have no 'opened_at' and are in no period; they are not counted."
    ]


def test_usage_and_requests_without_ids_or_text_are_counted_apart():
    from citykit import opendata

    usage = pd.DataFrame({"identifier": ["a", None, "b"], "downloads": [5, 7, 1]})
    top = opendata.top_datasets(usage)
    assert top["total"].sum() == 13
    assert "(missing)" in set(top["identifier"])
    with pytest.raises(CityKitError, match="'downloads' has 1 missing count"):
        opendata.top_datasets(usage.assign(downloads=[5, None, 1]))
    requests = pd.DataFrame({"request_text": ["building permit files", None, "  "]})
    topics = opendata.classify_requests(requests)["topic"].tolist()
    assert topics[1:] == ["(missing)", "(missing)"]
    assert topics[0] != "(missing)"


def test_periods_that_mix_dates_and_other_text_are_refused():
    data = _series(MONTHS.strftime("%Y-%m-%d")).astype({"month": object})
    data.loc[3, "month"] = "not recorded"
    with pytest.raises(CityKitError, match="'month' mixes dates with 1 value.*not recorded"):
        performance.xmr_chart(data, value="value", period="month")


def test_enrollments_without_a_client_id_are_flagged_not_followed(enrollments):
    from citykit import contracting

    holes = enrollments.assign(
        client_id=enrollments["client_id"].where(np.arange(len(enrollments)) % 20 != 0)
    )
    prepared = contracting.prepare_enrollments(holes, as_of="2025-01-01")
    assert (prepared["dq_issue"] == "missing client id").sum() == 40
    flags = contracting.data_quality_flags(holes)
    assert flags["missing client id"].sum() == 40


def test_client_income_written_as_text_and_infinite_measures(enrollments, requests):
    from citykit import contracting, datasets

    clients = datasets.load("hmis_clients")
    expected = contracting.client_exits(enrollments, clients=clients)
    text = clients.assign(monthly_income_usd=clients["monthly_income_usd"].astype(str))
    got = contracting.client_exits(enrollments, clients=text)
    assert got["has_income"].tolist() == expected["has_income"].tolist()
    words = clients.assign(monthly_income_usd="unknown")
    with pytest.raises(CityKitError, match="'monthly_income_usd' must hold amounts"):
        contracting.client_exits(enrollments, clients=words)
    timed = performance.add_time_to_close(requests, as_of="2024-03-01")
    timed.loc[2, "days_to_close"] = np.inf
    median = performance.Measure("Median days", "median", column="days_to_close")
    with pytest.raises(CityKitError, match="'days_to_close' .read by measure 'Median days'"):
        performance.compute_measures(timed, measures=median, frequency="monthly")


def test_subgroups_written_in_two_date_formats_are_one_subgroup():
    days = pd.Series(pd.to_datetime(["2024-01-05", "2024-01-12", "2024-01-19"]).repeat(4))
    data = pd.DataFrame({"day": days, "minutes": [5, 6, 7, 6, 8, 7, 9, 8, 6, 5, 7, 6.0]})
    expected = performance.xbar_chart(data, value="minutes", period="day")
    mixed = days.dt.strftime("%Y-%m-%d").where(
        np.arange(12) % 2 == 0, days.dt.strftime("%m/%d/%Y %I:%M:%S %p")
    )
    got = performance.xbar_chart(data.assign(day=mixed), value="minutes", period="day")
    assert len(got.table) == len(expected.table) == 3
    assert got.sigma == pytest.approx(expected.sigma)


def test_risk_factor_numbers_written_as_text_are_not_dozens_of_categories():
    from citykit import contracting

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "provider_id": list("ABCD") * 50,
            "age": rng.integers(18, 80, 200),
            "type": rng.choice(["1", "2", "3"], 200),
            "housed": rng.integers(0, 2, 200),
        }
    )
    contracting.risk_adjust(frame, outcome="housed", risk_factors=["age", "type"])
    with pytest.raises(CityKitError, match="'age' holds numbers written as text"):
        contracting.risk_adjust(
            frame.assign(age=frame["age"].astype(str)), outcome="housed", risk_factors=["age"]
        )
    with pytest.raises(CityKitError, match="'age' holds infinite"):
        contracting.risk_adjust(
            frame.assign(age=frame["age"].astype(float).replace(18.0, np.inf)),
            outcome="housed",
            risk_factors=["age"],
        )


def test_progress_report_and_unused_datasets_refuse_inputs_that_match_nothing(enrollments):
    from citykit import contracting, datasets, opendata

    contracts = datasets.load("provider_contracts")
    renamed = contracts.assign(provider_id="PRV-" + contracts["provider_id"])
    with pytest.raises(CityKitError, match="none of the .* contracted providers of 2024"):
        contracting.provider_progress_report(enrollments, month="2024-12", contracts=renamed)
    catalog = pd.DataFrame({"identifier": ["a"], "title": ["A"]})
    empty = pd.DataFrame({"identifier": [], "views": [], "downloads": []})
    with pytest.raises(CityKitError, match="usage has no rows"):
        opendata.unused_datasets(empty, catalog=catalog)


def test_compute_measures_counts_rows_without_a_group_label_in_a_missing_group(requests):
    timed = performance.add_time_to_close(requests, as_of="2024-03-01")
    timed["department"] = np.where(np.arange(40) % 2 == 0, "Parks", "Streets")
    timed.loc[timed.index[::5], "department"] = None
    count = performance.Measure("Requests", "count")
    got = performance.compute_measures(timed, measures=count, frequency="monthly", by="department")
    totals = got.groupby("department")["value"].sum()
    # every request is counted: the old answer dropped the 8 without a department
    assert totals.sum() == 40
    assert totals["(missing)"] == 8
    categorical = timed.assign(department=timed["department"].astype("category"))
    again = performance.compute_measures(
        categorical, measures=count, frequency="monthly", by="department"
    )
    assert again.groupby("department", observed=True)["value"].sum()["(missing)"] == 8


def test_length_of_stay_shows_the_exits_it_leaves_out():
    from citykit import contracting

    raw = pd.DataFrame(
        {
            "enrollment_id": ["e1", "e2", "e3", "e4"],
            "client_id": ["a", "b", "c", "d"],
            "provider_id": ["P1", "P1", "P1", "P2"],
            "project_type": ["ES"] * 4,
            "entry_date": ["2024-01-01"] * 4,
            "exit_date": ["2024-01-11", "2024-01-21", "2024-03-01", "2024-02-01"],
            "destination": [410, None, 17, None],
        }
    )
    los = contracting.length_of_stay(raw)
    # exits without a destination are left out of the days, and counted where they are seen
    assert los.set_index("provider_id")[["exits", "excluded"]].to_dict("index") == {
        "P1": {"exits": 2, "excluded": 1},
        "P2": {"exits": 0, "excluded": 1},
    }
    assert contracting.length_of_stay(raw, by=None)["excluded"].tolist() == [2]


def test_hmis_measures_show_the_exits_they_leave_out():
    from citykit import contracting

    raw = pd.DataFrame(
        {
            "enrollment_id": ["e1", "e2", "e3", "e4", "p1", "p2", "p3"],
            "client_id": ["a", "b", "c", "d", "e", "f", None],
            "provider_id": ["P1", "P1", "P1", "P2", "P3", "P3", "P3"],
            "project_type": ["ES", "ES", None, "RRH", "PREV", "PREV", "PREV"],
            "entry_date": ["2022-01-01"] * 4 + ["2022-01-01"] * 3,
            "exit_date": ["2022-02-01", "2022-02-01", "2022-03-01", "2022-02-01"]
            + ["2022-03-01"] * 3,
            "destination": [410, 435, 410, None, 410, 410, 410],
        }
    )
    kw = {"start": "2024-01-01", "end": "2024-06-30", "as_of": "2024-12-31"}
    ph = contracting.exits_to_permanent_housing(raw).set_index("provider_id")
    # the exit with no project type used to vanish with the project-type filter
    assert ph[["exits", "excluded_flagged"]].to_dict("index") == {
        "P1": {"exits": 2, "excluded_flagged": 1},
        "P2": {"exits": 0, "excluded_flagged": 1},
    }
    back = contracting.returns_to_homelessness(raw, **kw).set_index("provider_id")
    assert back[["permanent_exits", "excluded"]].to_dict("index") == {
        "P1": {"permanent_exits": 2, "excluded": 1},
        "P2": {"permanent_exits": 0, "excluded": 1},
    }
    assert contracting.returns_to_homelessness(raw, by=None, **kw)["excluded"].tolist() == [2]
    prev = contracting.prevention_outcomes(raw, months=6, as_of="2024-12-31")
    assert prev[["provider_id", "prevention_exits", "excluded"]].values.tolist() == [
        ["P1", 0, 1],
        ["P3", 2, 1],
    ]


def test_client_exits_count_the_exits_left_out_and_unknown_incomes():
    from citykit import contracting

    raw = pd.DataFrame(
        {
            "enrollment_id": ["e1", "e2", "e3", "e4"],
            "client_id": ["a", "b", "c", "d"],
            "provider_id": ["P1", "P1", "P1", "P2"],
            "project_type": ["ES", "ES", None, "ES"],
            "entry_date": ["2024-01-01"] * 4,
            "exit_date": ["2024-02-01"] * 4,
            "destination": [410, None, 410, 410],
        }
    )
    people = pd.DataFrame(
        {"client_id": ["a", "b", "c", "d"], "monthly_income_usd": [0.0, 500.0, 10.0, None]}
    )
    got = contracting.client_exits(raw, clients=people, project_types=("ES",))
    # two exits have a data-quality issue (no destination, no project type)
    assert got[["client_id", "excluded_exits"]].values.tolist() == [["a", 2], ["d", 2]]
    # an unknown income is not "no income"
    assert got["has_income"].isna().tolist() == [False, True]
    assert not got["has_income"].iloc[0]
    whole = contracting.client_exits(raw.assign(destination=410), clients=people)
    assert whole[["client_id", "excluded_exits"]].values.tolist() == [
        ["a", 1],
        ["b", 1],
        ["d", 1],
    ]
    clean = contracting.client_exits(raw.iloc[[0, 3]], clients=people)
    assert clean["excluded_exits"].tolist() == [0, 0]


def test_contract_portfolio_shows_contracts_without_outcomes_on_their_row():
    from citykit import contracting

    contracts = pd.DataFrame(
        {
            "provider_id": ["A", "B", None],
            "project_type": ["ES"] * 3,
            "amount_usd": [100_000.0, 200_000.0, 90_000.0],
        }
    )
    outcomes = pd.DataFrame(
        {"provider_id": ["A", "B"], "exits": [100, 150], "permanent_exits": [40, 50]}
    )
    got = contracting.contract_portfolio(contracts, outcomes)
    # the contract with no provider shows 0 served, and its row says why
    assert got[["served", "unmatched"]].values.tolist() == [[100, 0], [150, 0], [0, 1]]
    full = contracting.contract_portfolio(contracts.fillna({"provider_id": "A"}).iloc[:2], outcomes)
    assert full["unmatched"].tolist() == [0, 0]


def test_signal_rules_and_stat_brief_count_what_they_cannot_judge():
    points = pd.DataFrame({"value": [0.1, 2.4, 0.5, 2.2, 0.0]})
    complete = performance.signal_rules(points, centre=0, sigma=1)
    assert "no_value" not in complete.columns
    holes = performance.signal_rules(
        points.assign(value=[0.1, np.nan, 0.5, 2.2, 0.0]), centre=0, sigma=1
    )
    assert holes["no_value"].tolist() == [0, 1, 0, 0, 0]
    assert holes["rules"].iloc[1] == "missing value, not judged"

    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    data = pd.DataFrame(
        {
            "department": "Sanitation",
            "month": months,
            "measure": "On-time pickups",
            "value": [0.80, 0.82, 0.81, 0.79, 0.80, 0.81, 0.70, 0.69, 0.70, 0.68, 0.69, 0.70],
            "target": 0.80,
            "direction": "up",
        }
    )
    kw = {"department": "Sanitation", "baseline": 6, "owner": None, "cases": None, "unit": None}
    assert "Left out" not in performance.stat_brief(data, **kw).headline
    data.loc[3, "value"] = np.nan
    data.loc[5, "measure"] = None
    brief = performance.stat_brief(data, **kw)
    assert brief.headline.endswith(
        "Left out: 1 row(s) without a measure name; 1 row(s) without a value."
    )
    assert "Left out" in brief.markdown

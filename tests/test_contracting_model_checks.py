"""Calibration and discrimination of a case-mix model (docs/methods.md, "Risk adjustment")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import ArgumentRangeError, CityKitError


@pytest.fixture(scope="module")
def birthwt(repo_root):
    data = pd.read_csv(repo_root / "tests" / "data" / "birthwt.csv")
    return data.assign(
        provider_id="Baystate", race=data["race"].map({1: "white", 2: "black", 3: "other"})
    )


def test_hosmer_lemeshow_low_birth_weight(birthwt):
    # Hosmer & Lemeshow's low-birth-weight model (the example of Stata's [R] estat gof):
    # logistic low age lwt i.race smoke ptl ht ui, then estat gof, group(10)
    risk = ct.risk_adjust(
        birthwt, outcome="low", risk_factors=["age", "lwt", "race", "smoke", "ptl", "ht", "ui"]
    )
    check = ct.calibration(risk)
    table = check.table
    assert table["clients"].tolist() == [19] * 9 + [18]
    assert table["observed"].tolist() == [0, 2, 6, 1, 7, 7, 6, 7, 10, 13]
    assert table["expected"].round(1).tolist() == [
        1.2,
        2.0,
        3.2,
        4.3,
        4.9,
        5.6,
        6.5,
        8.2,
        10.3,
        12.8,
    ]
    assert table.loc[0, "highest_probability"] == pytest.approx(0.0827, abs=5e-5)
    assert check.df == 8
    assert check.statistic == pytest.approx(9.6525, abs=5e-5)
    assert check.p_value == pytest.approx(0.2903, abs=5e-5)
    # independently: the Pearson chi-square of the 2 x 10 table of observed and expected counts
    # of both outcomes (Hosmer & Lemeshow 1980's definition)
    y, p = birthwt["low"].to_numpy(), risk.expected.to_numpy()
    order = np.argsort(p, kind="stable")
    pearson = 0.0
    for chunk in np.split(order, np.cumsum(table["clients"])[:-1]):
        o1, e1 = y[chunk].sum(), p[chunk].sum()
        o0, e0 = len(chunk) - o1, len(chunk) - e1
        pearson += (o1 - e1) ** 2 / e1 + (o0 - e0) ** 2 / e0
    assert check.statistic == pytest.approx(pearson, rel=1e-12)
    assert "Hosmer-Lemeshow C = 9.65 on 8 df" in repr(check)


def test_c_statistic_hanley_mcneil_example():
    # Hanley & McNeil (1982, Radiology 143:29), Table 1: 109 CT images rated 1-5;
    # area 0.893, standard error 0.032
    normal = np.repeat([1, 2, 3, 4, 5], [33, 6, 6, 11, 2])
    abnormal = np.repeat([1, 2, 3, 4, 5], [3, 2, 2, 11, 33])
    scores = np.concatenate([normal, abnormal])
    outcome = np.repeat([0, 1], [58, 51])
    area, error = ct.c_statistic_from_scores(outcome, scores)
    assert round(area, 3) == 0.893
    assert round(error, 3) == 0.032
    # reversed scores rank the wrong way round: 1 - area
    assert ct.c_statistic_from_scores(outcome, -scores)[0] == pytest.approx(1 - area)


def test_checks_tell_a_good_model_from_a_poor_one():
    # the truth: chance of the outcome rises steeply with a risk score; one model knows the score,
    # the other only a coarse flag. Both have total O = total E; only calibration and
    # discrimination tell them apart.
    rng = np.random.default_rng(7)
    n = 4000
    score = rng.normal(size=n)
    truth = 1 / (1 + np.exp(-(-0.4 + 1.5 * score + 0.8 * score**2)))
    data = pd.DataFrame(
        {
            "provider_id": rng.choice(["A", "B", "C"], n),
            "score": score,
            "score2": score**2,
            "flag": score > 1.5,
            "y": (rng.random(n) < truth).astype(int),
        }
    )
    good = ct.risk_adjust(data, outcome="y", risk_factors=["score", "score2"])
    linear = ct.risk_adjust(data, outcome="y", risk_factors=["score"])
    coarse = ct.risk_adjust(data, outcome="y", risk_factors=["flag"])
    for model in (good, linear, coarse):
        assert model.table["observed"].sum() == pytest.approx(model.table["expected"].sum())
    assert ct.calibration(good).p_value > 0.05
    assert ct.calibration(linear).p_value < 0.001  # misses the curvature: miscalibrated
    assert ct.discrimination(good).c_statistic > ct.discrimination(coarse).c_statistic + 0.1
    with pytest.raises(CityKitError, match="at least 3 risk groups"):
        ct.calibration(coarse)  # two distinct probabilities only


def test_bad_inputs(birthwt):
    risk = ct.risk_adjust(birthwt, outcome="low", risk_factors=["age", "lwt"])
    with pytest.raises(ArgumentRangeError, match="at least 3"):
        ct.calibration(risk, groups=2)
    with pytest.raises(ArgumentRangeError, match="fewer groups"):
        ct.calibration(risk, groups=500)
    with pytest.raises(CityKitError, match="risk_adjust"):
        ct.calibration(risk.table)
    counts = ct.risk_adjust(birthwt, outcome="ptl", risk_factors=["age"], family="poisson")
    with pytest.raises(CityKitError, match="count"):
        ct.discrimination(counts)
    with pytest.raises(CityKitError, match="with and without"):
        ct.c_statistic_from_scores([1, 1], [0.2, 0.4])
    shown = ct.discrimination(risk)
    assert 0.5 < shown.c_statistic < 0.8 and shown.low < shown.c_statistic < shown.high
    assert "c-statistic" in repr(shown) and "<p>" in shown._repr_html_()
    assert "<table" in ct.calibration(risk)._repr_html_()

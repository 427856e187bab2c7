"""Funnel-plot limits and overdispersion (methods.md §3.2; FunnelPlotR, funnelR)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import ArgumentRangeError, CityKitError


def test_poisson_limits_funnelplotr_vector():
    # methods.md §3.2 [PKG-TEST] FunnelPlotR tests/testthat/test-poisson_limits.R
    out = ct.poisson_limits([15, 20, 30])
    np.testing.assert_allclose(out["ll95"], [0.5596924, 0.6108260, 0.6746958], atol=1e-7)
    np.testing.assert_allclose(out["ul95"], [1.649348, 1.544419, 1.427562], atol=1e-6)
    np.testing.assert_allclose(out["ll998"], [0.3862650, 0.4479107, 0.5289724], atol=1e-7)
    np.testing.assert_allclose(out["ul998"], [2.082907, 1.902094, 1.702771], atol=1e-6)


def test_shmi_overdispersed_limits_vector():
    # methods.md §3.2 [COMP] SHMI OD limits with tau2 = 0.02
    out = ct.poisson_limits([15, 20, 30], method="log", tau2=0.02)
    np.testing.assert_allclose(out["ll95"], [0.5615818, 0.5953786, 0.6359507], atol=1e-7)
    np.testing.assert_allclose(out["ul95"], [1.7806844, 1.6796035, 1.5724490], atol=1e-7)
    np.testing.assert_allclose(out["ll998"], [0.4026290, 0.4414906, 0.4898488], atol=1e-7)
    np.testing.assert_allclose(out["ul998"], [2.4836759, 2.2650539, 2.0414463], atol=1e-7)


def test_shmi_overdispersion_funnelplotr_test_data():
    # methods.md §3.2 [COMP]: FunnelPlotR test data, SHMI z, phi and tau2
    observed = [100, 150, 180, 80, 120, 225]
    expected = [108, 112, 165, 95, 100, 220]
    od = ct.overdispersion(observed, expected, kind="SR")
    np.testing.assert_allclose(
        od.z, [-0.799803, 3.091681, 1.117681, -1.674989, 1.823216, 0.333326], atol=1e-6
    )
    assert od.n == 6  # none truncated with 6 providers
    assert od.phi == pytest.approx(2.9480332, abs=1e-7)
    assert od.tau2 == pytest.approx(0.0194775, abs=1e-7)
    assert "phi=2.9480" in repr(od) and "more than chance" in od._repr_html_()


def test_proportion_overdispersion_vector():
    # methods.md §3.2 [COMP] PR example
    x = [30, 45, 12, 80, 22, 55, 9, 64]
    n = [100, 120, 50, 200, 90, 140, 40, 160]
    od = ct.overdispersion(x, n, kind="PR")
    np.testing.assert_allclose(
        od.z,
        [-1.114798, 0.518767, -1.745238, 1.395533, -2.243067, 0.994807, -1.785594, 1.248203],
        atol=1e-6,
    )
    assert od.phi == pytest.approx(1.9576686, abs=1e-7)
    assert od.tau2 == pytest.approx(0.0028317, abs=1e-7)
    theta = sum(x) / sum(n)
    assert theta == pytest.approx(0.3522222, abs=1e-7)
    plain = ct.binomial_limits([100], target=theta, method="arcsine", levels=(0.95,))
    assert plain.loc[0, "ll95"] == pytest.approx(0.2620296, abs=1e-7)
    assert plain.loc[0, "ul95"] == pytest.approx(0.4480735, abs=1e-7)
    adj = ct.binomial_limits([100], target=theta, method="arcsine", levels=(0.95,), tau2=od.tau2)
    assert adj.loc[0, "ll95"] == pytest.approx(0.2233731, abs=1e-6)
    assert adj.loc[0, "ul95"] == pytest.approx(0.4930959, abs=1e-6)
    # the same through funnel_data
    table = pd.DataFrame({"provider_id": list("ABCDEFGH"), "x": x, "n": n})
    f = ct.funnel_data(table, observed="x", denominator="n", kind="PR", adjust_overdispersion=True)
    assert f.od.tau2 == pytest.approx(0.0028317, abs=1e-7) and f.adjusted
    assert f.target == pytest.approx(theta)


def test_binomial_qbinom_step_limits_and_normal():
    # methods.md §3.2 [COMP] funnelR example, target 0.5: qbinom(p, n, 0.5) / n
    exact = ct.binomial_limits([20, 50, 100], target=0.5).set_index("n")
    assert exact.loc[20].tolist() == pytest.approx([0.30, 0.70, 0.15, 0.85])
    assert exact.loc[50].tolist() == pytest.approx([0.36, 0.64, 0.28, 0.72])
    assert exact.loc[100].tolist() == pytest.approx([0.40, 0.60, 0.35, 0.65])
    normal = ct.binomial_limits([20], target=0.5, method="normal")
    assert normal.loc[0, ["ll95", "ul95", "ll998", "ul998"]].tolist() == pytest.approx(
        [0.2808694, 0.7191306, 0.1545016, 0.8454984], abs=1e-7
    )


def test_funnel_zones_and_reference_risk_table():
    # a provider far above its limits lands in the 99.8% zone; an average one within 95%
    table = pd.DataFrame(
        {
            "provider_id": ["hi", "mid", "lo"],
            "observed": [60, 30, 10],
            "expected": [30.0, 30.0, 30.0],
        }
    )
    f = ct.funnel_data(table, observed="observed", denominator="expected", kind="SR")
    assert f.table["zone"].tolist() == [
        "above 99.8% limit",
        "within 95% limits",
        "below 99.8% limit",
    ]
    assert f.table.loc[1, "ll95"] == pytest.approx(0.6746958, abs=1e-7)
    assert f.limits["denominator"].is_monotonic_increasing
    # upper limit narrows as precision grows
    assert f.limits["ul95"].is_monotonic_decreasing
    assert "FunnelResult" in repr(f) and "<table" in f._repr_html_()


def test_funnel_bad_inputs_and_no_warnings():
    table = pd.DataFrame({"provider_id": ["A", "B", "C"], "x": [3, 0, 5], "n": [10, 0, 12]})
    with pytest.raises(CityKitError, match="no clients"):
        ct.funnel_data(table, observed="x", denominator="n", kind="PR")
    with pytest.raises(ArgumentRangeError):
        ct.poisson_limits([0, 5])
    with pytest.raises(CityKitError, match="levels"):
        ct.funnel_data(table[table.n > 0], observed="x", denominator="n", kind="PR", levels=(0.95,))
    with pytest.raises(CityKitError, match="at least 3"):
        ct.overdispersion([1, 2], [3, 4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = ct.funnel_data(table[table.n > 0], observed="x", denominator="n", kind="SR")
    assert len(f.table) == 2 and f.od is None


def _clients(rng, spec):
    """One row per client: provider, a risk score and a 0/1 outcome drawn with a provider shift."""
    rows = []
    for provider, (n, shift) in spec.items():
        score = rng.normal(size=n)
        chance = 1 / (1 + np.exp(-(-0.5 + 0.9 * score + shift)))
        rows.append(
            pd.DataFrame(
                {"provider_id": provider, "score": score, "y": (rng.random(n) < chance).astype(int)}
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_yes_no_outcome_funnel_uses_each_providers_poisson_binomial_limits():
    rng = np.random.default_rng(16)
    spec = {"A": (400, 0.0), "B": (250, 0.0), "C": (600, 0.0), "D": (300, -0.6), "E": (500, 0.5)}
    risk = ct.risk_adjust(_clients(rng, spec), outcome="y", risk_factors=["score"])
    f = ct.funnel_data(risk)
    assert (f.kind, f.method, f.variance) == ("SR", "exact", "poisson-binomial")
    assert 0.4 < f.variance_ratio < 0.9  # Var(O) well below E for a common outcome
    table = f.table.set_index("provider_id")
    for provider, group in risk.clients.groupby("provider_id"):
        own = ct.poisson_binomial_limits(group["expected"].to_numpy())
        for column in ("ll95", "ul95", "ll998", "ul998"):
            assert table.loc[provider, column] == pytest.approx(own.loc[0, column])
    # zones agree with the exact p-values of risk_adjust: outside the 95% limits <=> p < 0.05
    p = risk.table.set_index("provider_id")["p_value"]
    outside = table["zone"] != "within 95% limits"
    assert outside.to_dict() == (p < 0.05).to_dict()
    assert table.loc["D", "zone"].startswith("below") and table.loc["E", "zone"].startswith("above")
    z = (table["observed"] - table["denominator"]) / np.sqrt(table["variance"])
    assert table["z"].to_dict() == pytest.approx(z.to_dict())
    # the Poisson funnel of the same table is wider: it would miss what the right one finds
    poisson = ct.funnel_data(risk.table, observed="observed", denominator="expected")
    assert poisson.variance == "poisson"
    narrower = table["ul95"] - table["ll95"]
    wider = (
        poisson.table.set_index("provider_id")["ul95"]
        - poisson.table.set_index("provider_id")["ll95"]
    )
    assert (wider > 1.15 * narrower).all()
    # with only a variance column, the normal approximation 1 +/- z sqrt(V)/E
    normal = ct.funnel_data(
        risk.table, observed="observed", denominator="expected", variance="variance"
    )
    assert normal.method == "normal"
    row = normal.table.iloc[0]
    assert row["ll95"] == pytest.approx(
        1 - 1.959964 * np.sqrt(row["variance"]) / row["denominator"]
    )
    assert "Poisson-binomial" in normal.summary() and "average Var(O)/E" in normal.summary()
    with pytest.raises(CityKitError, match="each client's probability"):
        ct.funnel_data(
            risk.table,
            observed="observed",
            denominator="expected",
            variance="variance",
            method="exact",
        )
    with pytest.raises(CityKitError, match="alone"):
        ct.funnel_data(risk, observed="observed", denominator="expected")
    # the curves use the system's average Var(O)/E
    curve = f.limits.iloc[10]
    half = 3.090232 * np.sqrt(f.variance_ratio / curve["denominator"])
    assert curve["ul998"] == pytest.approx(1 + half, abs=1e-6)


def test_overdispersion_with_binary_variance_and_providers_without_clients():
    rng = np.random.default_rng(3)
    spec = {p: (300, s) for p, s in zip("ABCDEFGHIJ", np.linspace(-0.5, 0.5, 10), strict=True)}
    data = _clients(rng, spec)
    risk = ct.risk_adjust(data, outcome="y", risk_factors=["score"], all_providers=[*spec, "K"])
    f = ct.funnel_data(risk, adjust_overdispersion=True)
    assert f.left_out == ("K",) and "Left off (no clients): K" in f.summary()
    t = risk.table.dropna(subset=["expected"])
    s = np.sqrt(t["variance"]) / t["expected"]  # delta method: sd of log(O/E)
    z = np.log(t["observed"] / t["expected"]) / s
    np.testing.assert_allclose(f.od.z, z)
    assert f.od.phi > 1.5 and f.od.tau2 > 0 and f.method == "log"
    row = f.table.iloc[0]
    spread = 1.959964 * np.sqrt(row["variance"] / row["denominator"] ** 2 + f.od.tau2)
    assert row["ul95"] == pytest.approx(np.exp(spread), abs=1e-6)
    # without the variance the SHMI z would be used instead (Poisson): a different phi
    plain = ct.overdispersion(t["observed"], t["expected"])
    assert abs(plain.phi - f.od.phi) > 0.1
    crude = ct.funnel_data(risk, kind="PR")
    assert crude.variance == "binomial" and crude.table["denominator"].tolist() == [300] * 10

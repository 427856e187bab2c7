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
    assert f.points["zone"].tolist() == [
        "above 99.8% limit",
        "within 95% limits",
        "below 99.8% limit",
    ]
    assert f.points.loc[1, "ll95"] == pytest.approx(0.6746958, abs=1e-7)
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
    assert len(f.points) == 2 and f.od is None

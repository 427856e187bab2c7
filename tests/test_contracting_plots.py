"""Figures for contracting: funnel, O/E intervals, provider trends."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import CityKitError
from citykit.plots import contracting as cplots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def table():
    return pd.DataFrame(
        {"provider_id": ["A", "B", "C", "D"], "O": [60, 30, 10, 22], "E": [30.0, 30.0, 30.0, 20.0]}
    )


def test_funnel_plot_draws_limits_points_and_labels(table):
    result = ct.funnel_data(table, observed="O", denominator="E")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = cplots.provider_funnel_plot(result, highlight=["D"], label_all=False)
    assert ax.get_title(loc="left") == "Funnel plot"
    assert ax.get_ylabel() == "Observed / expected (ratio)"
    assert len(ax.get_lines()) == 5  # 2 x outer, 2 x inner, target
    texts = {t.get_text() for t in ax.texts}
    assert {"A", "C", "D"} <= texts and "B" not in texts  # outside 99.8% plus highlighted
    upper = ax.get_lines()[0].get_ydata()
    assert upper[0] > upper[-1]  # funnel narrows with precision
    few = cplots.provider_funnel_plot(result)  # few providers: every one is named
    assert {t.get_text() for t in few.texts} == {"A", "B", "C", "D"}


def test_funnel_plot_marks_each_providers_own_limits_for_a_yes_no_outcome():
    from matplotlib.collections import LineCollection

    clients = pd.DataFrame(
        {
            "provider_id": list("AABBCC") * 20,
            "high_risk": [0, 1, 1, 1, 0, 0] * 20,
            "housed": [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1] * 10,
        }
    )
    risk = ct.risk_adjust(clients, outcome="housed", risk_factors=["high_risk"])
    result = ct.funnel_data(risk)
    ax = cplots.provider_funnel_plot(result)
    ticks = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(ticks) == 4  # inner and outer limits, low and high, one tick per provider each
    own = sorted(seg[0][1] for seg in ticks[0].get_segments())
    assert own == pytest.approx(sorted(result.table["ll998"]))
    # a count outcome has one funnel for everyone: no ticks
    plain = cplots.provider_funnel_plot(
        ct.funnel_data(risk.table, observed="observed", denominator="expected")
    )
    assert not [c for c in plain.collections if isinstance(c, LineCollection)]


def test_funnel_plot_proportions_and_overdispersion():
    data = pd.DataFrame(
        {
            "coc": list("ABCDEFGH"),
            "x": [30, 45, 12, 80, 22, 55, 9, 64],
            "n": [100, 120, 50, 200, 90, 140, 40, 160],
        }
    )
    result = ct.funnel_data(
        data, observed="x", denominator="n", label="coc", kind="PR", adjust_overdispersion=True
    )
    ax = cplots.provider_funnel_plot(result, highlight=["E"])
    assert "overdispersion" in ax.get_title(loc="left") and ax.get_xlabel() == "Clients (count)"
    with pytest.raises(CityKitError, match="funnel_data"):
        cplots.provider_funnel_plot(data)


def test_oe_plot_orders_providers_and_marks_unity():
    spec = {"A": (40, 24, 10, 3), "B": (10, 6, 40, 14), "C": (25, 16, 25, 8), "D": (30, 15, 20, 4)}
    rows = []
    for provider, (n_low, s_low, n_high, s_high) in spec.items():
        rows += [(provider, 0, 1)] * s_low + [(provider, 0, 0)] * (n_low - s_low)
        rows += [(provider, 1, 1)] * s_high + [(provider, 1, 0)] * (n_high - s_high)
    clients = pd.DataFrame(rows, columns=["provider_id", "high_risk", "exit_ph"])
    ra = ct.risk_adjust(clients, outcome="exit_ph", risk_factors=["high_risk"])
    ax = cplots.provider_oe_plot(ra)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["D", "A", "C", "B"]  # by O/E
    assert ax.get_xlabel().startswith("Observed / expected (ratio")
    assert ax.get_title(loc="left") == "exit_ph: observed / expected, 95% interval"
    ax2 = cplots.provider_oe_plot(ra.table)
    assert len(ax2.collections) >= 2


def test_trend_plot_and_errors():
    trends = pd.DataFrame(
        {
            "provider_id": ["P1"] * 3 + ["P2"] * 3,
            "month": ["2024-01", "2024-02", "2024-03"] * 2,
            "exits": [10, 0, 8, 5, 5, 5],
            "ph_exits": [4, 0, 2, 1, 2, 3],
        }
    )
    ax = cplots.provider_trend_plot(trends, target=0.4)
    assert len(ax.get_lines()) == 3
    assert ax.get_ylabel() == "Exits to permanent housing (share 0-1)"
    with pytest.raises(CityKitError, match="not in trends"):
        cplots.provider_trend_plot(trends, providers=["P9"])


def test_re_exported_from_plots_package():
    from citykit import plots

    assert plots.provider_funnel_plot is cplots.provider_funnel_plot

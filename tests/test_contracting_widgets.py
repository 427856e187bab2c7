"""Risk-adjustment explorer, driven headless through its controls."""

from __future__ import annotations

import struct
import warnings
from html.parser import HTMLParser

import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import CityKitError, MissingColumnError
from citykit.synth import homeless
from citykit.synth._core import RIVERTON
from citykit.widgets import contracting as cw

FACTORS = list(homeless.RISK_FACTORS)


@pytest.fixture(scope="module")
def exits():
    t = homeless.generate(seed=20240501, scale=0.5, city=RIVERTON)
    prepared = ct.prepare_enrollments(t["hmis_enrollments"])
    es = prepared[
        (prepared["dq_issue"] == "") & prepared["exited"] & (prepared["project_type"] == "ES")
    ]
    data = es.merge(t["hmis_clients"], on="client_id")
    return data.assign(
        exit_ph=data["permanent_exit"].astype(int),
        has_income=data["monthly_income_usd"] > 0,
        high_risk=data["acuity_score"] >= 9,
    )


def test_explorer_starts_with_all_factors_and_a_ranking(exits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = cw.risk_adjustment_explorer(
            exits, outcome="exit_ph", risk_factors=FACTORS, high_risk="high_risk"
        )
    assert w.factors.value == tuple(FACTORS)
    assert w.result is not None and set(w.result.table["provider_id"]) == {
        "P01",
        "P02",
        "P06",
        "P08",
    }
    assert "<table" in w.table.value and w.figure.value[:4] == b"\x89PNG"
    assert "<table" in w.result._repr_html_() and "RiskExplorerResult" in repr(w.result)
    first = w.provider.value
    assert w.share.value == pytest.approx(
        exits.loc[exits.provider_id == first, "high_risk"].mean(), abs=0.01
    )


def test_changing_factors_changes_the_result(exits):
    w = cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=FACTORS)
    full = w.result.table.set_index("provider_id")["oe_ratio"]
    w.factors.value = ("veteran",)
    weak = w.result.table.set_index("provider_id")["oe_ratio"]
    # with a weak model P06 (hardest clients) looks worse than with the full model
    assert weak["P06"] < full["P06"]
    w.factors.value = ()
    assert w.result is None and "at least one" in w.message.value


def test_high_risk_slider_moves_crude_rate_not_oe(exits):
    w = cw.risk_adjustment_explorer(
        exits, outcome="exit_ph", risk_factors=FACTORS, high_risk="high_risk", seed=3
    )
    w.provider.value = "P02"
    before = w.result.table.set_index("provider_id").loc["P02"]
    w.share.value = 0.9
    after = w.result.table.set_index("provider_id").loc["P02"]
    assert after["high_risk_share"] == pytest.approx(0.9, abs=0.01)
    assert after["crude_rate"] < before["crude_rate"] - 0.05  # raw rate falls a lot
    assert abs(after["oe_ratio"] - before["oe_ratio"]) < 0.15  # adjusted position holds
    assert w.result.provider == "P02" and w.result.high_risk_share == 0.9


def test_bad_choice_is_a_message_not_a_crash(exits):
    data = exits.assign(constant=1)
    w = cw.risk_adjustment_explorer(data, outcome="exit_ph", risk_factors=["constant", "veteran"])
    assert w.result is None and "only one value" in w.message.value
    w.factors.value = ("veteran",)
    assert w.result is not None


def test_bad_inputs(exits):
    with pytest.raises(MissingColumnError):
        cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=["nope"])
    with pytest.raises(CityKitError, match="empty"):
        cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=[])
    assert isinstance(exits, pd.DataFrame)


class _Cells(HTMLParser):
    """The text of each header and data cell of an HTML table, row by row."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.rows[-1].append(self._cell.strip())
            self._cell = None


def _cells(markup: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(markup)
    return parser.rows


def test_table_reads_in_plain_words_without_ranks(exits):
    w = cw.risk_adjustment_explorer(
        exits, outcome="exit_ph", risk_factors=FACTORS, high_risk="high_risk"
    )
    data = w.result.table
    for markup in (w.table.value, w.result._repr_html_()):
        header, *rows = _cells(markup)
        # no crude or adjusted rank: each provider is placed against the funnel's limits
        assert header == [
            "Provider", "Clients", "High-risk share", "Crude rate", "O/E",
            "O/E 95% low", "O/E 95% high", "Funnel zone",
        ]  # fmt: skip
        # in the providers' order, not sorted by a rate as a league table would be
        assert [row[0] for row in rows] == sorted(row[0] for row in rows)
        first = dict(zip(header, rows[0], strict=True))
        assert first["Provider"] == data["provider_id"].iloc[0]
        assert first["Crude rate"] == f"{data['crude_rate'].iloc[0] * 100:.1f}%"
        assert first["High-risk share"] == f"{round(data['high_risk_share'].iloc[0] * 100)}%"
        assert first["O/E"] == f"{data['oe_ratio'].iloc[0]:.2f}"  # ratios keep decimals
        assert first["Clients"] == f"{data['clients'].iloc[0]:,}"
    assert 'text-align:right">O/E<' in w.table.value  # numbers line up on the right
    assert not [c for c in data.columns if "rank" in c]
    assert data["provider_id"].tolist() == sorted(data["provider_id"])
    assert data["oe_ratio"].tolist() != sorted(data["oe_ratio"], reverse=True)  # not by O/E
    zones = w.result.funnel.table.set_index("provider_id")["zone"]
    assert data.set_index("provider_id")["funnel_zone"].to_dict() == zones.to_dict()
    assert "oe_ratio" in data and "high_risk_share" in data  # the data keeps its column names


def test_share_slider_label_is_shown_whole(exits):
    w = cw.risk_adjustment_explorer(
        exits, outcome="exit_ph", risk_factors=FACTORS, high_risk="high_risk"
    )
    # the default 80-pixel description cuts "High-risk share" to "High-risk ..."
    assert w.share.description == "High-risk share"
    assert w.share.style.description_width == "initial"


def test_funnel_image_keeps_its_aspect_and_size(exits):
    w = cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=FACTORS)
    png = w.figure.value
    width, height = struct.unpack(">II", png[16:24])  # the PNG header (IHDR)
    # drawn at 100 dpi from the 8 x 4.5 in figure (the inline backend's size, not a blurry
    # 72 dpi picture scaled up), so the pixel ratio is the figure's ratio
    assert (width, height) == (800, 450)
    # shown at that size: no width/height attribute to distort it, no stretching to the width
    # of the output area (a flex column stretches its children), shrunk in proportion
    assert w.figure.width == "" and w.figure.height == ""
    layout = w.figure.layout
    assert layout.align_self == "flex-start"
    assert (layout.width, layout.height, layout.max_width) == ("auto", "auto", "100%")
    assert layout.object_fit == "contain"

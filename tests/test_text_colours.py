"""Coloured text the toolkit writes (status words in HTML briefs) is readable: WCAG 2.x AA."""

from __future__ import annotations

import pytest
from citykit.plots._style import PALETTE, TEXT_COLOURS


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag_examples():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    # the palette itself is too light for text: the reason TEXT_COLOURS exists
    assert contrast(PALETTE["orange"], "#FFFFFF") < 3


@pytest.mark.parametrize("name", sorted(TEXT_COLOURS))
@pytest.mark.parametrize("background", ["#FFFFFF", "#F0F0F0"])
def test_text_colours_reach_aa_contrast(name, background):
    assert contrast(TEXT_COLOURS[name], background) >= 4.5


def test_stat_brief_status_words_use_the_text_colours():
    from citykit.performance import brief

    assert set(brief._STATUS_COLOURS.values()) <= set(TEXT_COLOURS.values())

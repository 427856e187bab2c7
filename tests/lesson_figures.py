"""The figures the lessons' text quotes, and how each is computed (see test_lessons_figures.py).

``FIGURES[lesson]`` lists :class:`Figure` s: the text exactly as the lesson writes it, with ``{}``
where each number goes, and an expression evaluated in the lesson's kernel just before the first text
cell that holds the quote (or the cell holding ``near``). The expression gives one value or a tuple,
already written as the text writes it; lines before it, if any, prepare it (name what they make with
a leading underscore, so as not to touch the lesson's own names); the helpers ``_r(x, step)`` (rounded to a multiple of step,
thousands separated), ``_pct(x, step)`` (a share as a percentage, without the sign) and ``_n(x)`` (a
count) are defined in the kernel for them.

``CONSTANTS[lesson]`` lists phrases whose numbers are not about the data: a method's constant, a
published figure, a policy threshold, a made-up example. Each must appear in the lesson as written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A number (or several) the text quotes, and the expression that computes it."""

    quote: str
    value: str
    near: str | None = None


_MONTHLY = '_W = monthly.pivot(index="month", columns="department", values="requests")'

FIGURES: dict[str, list[Figure]] = {
    "00-foundations/01-tables-and-filters": [
        Figure(
            "in lower case the count is {}, without",
            'len(requests[requests["channel"] == "email"])',
        ),
    ],
    "00-foundations/02-group-pivot-dates": [
        Figure("Spotting that in {} rows of numbers", "len(monthly)"),
    ],
    "00-foundations/03-first-chart": [
        Figure(
            "peaking in May of both years at about {} to {} a month",
            f"""{_MONTHLY}
_may = _W["Sanitation"][_W.index.month == 5]
_r(_may.min(), 10), _r(_may.max(), 10)""",
        ),
        Figure(
            "Public Works leads, with up to about {} a month",
            f'{_MONTHLY}\n_r(_W["Public Works"].max(), 100)',
        ),
        Figure(
            "from about {} requests a month in winter to about {} in July",
            f"""{_MONTHLY}
_parks = _W["Parks and Recreation"]
_r(_parks[_parks.index.month.isin([12, 1, 2])].mean(), 50), _r(_parks[_parks.index.month == 7].mean(), 50)""",
        ),
        Figure(
            "Transportation stays between about {} and {} a month",
            f'{_MONTHLY}\n_r(_W["Transportation"].min(), 10), _r(_W["Transportation"].max(), 10)',
        ),
        Figure(
            "Water Utility between about {}\nand {}.",
            f'{_MONTHLY}\n_r(_W["Water Utility"].min(), 10), _r(_W["Water Utility"].max(), 10)',
        ),
        Figure("the city's {} service types", 'requests["service_type"].cat.categories.size'),
        Figure("for all {}.", 'requests["service_type"].cat.categories.size'),
        Figure(
            "The medians range\nonly from about {} days (Lakeshore) to {} days (Eastview)",
            '_r(by_district["median_days"].min(), 0.1), _r(by_district["median_days"].max(), 0.1)',
        ),
        Figure(
            "Every district is at {}% to {}%",
            "_pct(on_time['percent_on_time'].min() / 100), _pct(on_time['percent_on_time'].max() / 100)",
        ),
        Figure(
            "between about\n{} and {} requests a month",
            "_r(total.min(), 50), _r(total.max(), 50)",
        ),
    ],
}

CONSTANTS: dict[str, list[str]] = {
    "00-foundations/01-tables-and-filters": [
        "(0, 1, 2, ...)",
        "start at 0",
        "as 1 and `False` as 0",
    ],
    "00-foundations/02-group-pivot-dates": [
        "since 1900",
        "24 × 60 × 60 = 86,400",
        "dividing by 86,400",
        "(1 = January)",
        "(0 = midnight to 1 am)",
        "the value that 90% of requests",
    ],
    "00-foundations/03-first-chart": [
        "WCAG 2.1",
        "About 1 man in 12 and 1 woman in 200",
        "A chart that starts at 2.5 days",
        '"Requests up 15% in May!"',
        "on an axis from 0 to\n100%",
    ],
}

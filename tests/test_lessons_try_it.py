"""Every "Try it" is a real exercise: the cell as shipped does not hold its answer, and the answer
waits behind "Show an answer" as code the learner can compare with their own.

A try-it whose cell already runs the answer teaches nothing ("change it" to what it already is);
the check is that at least one line of the answer's code is not in the cell as shipped.
"""

from __future__ import annotations

import pytest
from lesson_tools import ANSWER_START, answer_code, missing_answer_lines, try_its
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum").glob("*/*.ipynb"))
IDS = [f"{p.parent.name[:2]}-{p.stem}" for p in LESSONS]


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_try_it_asks_for_a_change_the_cell_does_not_already_make(path):
    exercises = try_its(path)
    assert len(exercises) >= 2, "every lesson has at least two try-its"
    problems = []
    for exercise in exercises:
        where = f"{exercise['title']} (cell {exercise['index']})"
        if not exercise["answer"].startswith(ANSWER_START):
            problems.append(f"{where}: no answer behind the button")
        elif not answer_code(exercise["answer"]):
            problems.append(f"{where}: the answer shows no code to compare with")
        elif not missing_answer_lines(exercise["cell"], exercise["answer"]):
            problems.append(f"{where}: the cell as shipped already holds its answer")
    assert not problems, "\n".join(problems)


SOLVED = (
    'rules = dict(opendata.DEFAULT_TOPIC_RULES)\nrules["salaries"] = (r"payroll", r"salar")\n'
    "opendata.demand_by_topic(requests, rules=rules)"
)
ANSWER = (
    f"{ANSWER_START}\n\n```python\n"
    'rules = dict(opendata.DEFAULT_TOPIC_RULES)\nrules["salaries"] = (r"payroll", r"salar")\n'
    "opendata.demand_by_topic(requests, rules=rules)\n```\n\nAbout 40 requests.\n\n</details>"
)


def test_a_cell_that_already_holds_its_answer_is_caught():
    assert missing_answer_lines(SOLVED, ANSWER) == []
    # the same answer, written in a comment of the cell, still leaves the exercise to do
    unsolved = "rules = dict(opendata.DEFAULT_TOPIC_RULES)  # add: rules['salaries'] = ...\n" + (
        "opendata.demand_by_topic(requests, rules=rules)"
    )
    assert missing_answer_lines(unsolved, ANSWER) == ['rules["salaries"] = (r"payroll", r"salar")']


def test_elided_answers_and_keyword_changes_are_read_part_by_part():
    answer = f"{ANSWER_START}\n```python\nchart = performance.p_chart(sanitation, ..., baseline=None)\n```"
    shipped = (
        "chart = performance.p_chart(sanitation, numerator='n',\n    baseline=baseline_months)"
    )
    solved = "chart = performance.p_chart(sanitation, numerator='n',\n    baseline=None)"
    assert missing_answer_lines(shipped, answer)
    assert missing_answer_lines(solved, answer) == []
    # an answer with no code at all ("the cell above already does it") fails the lesson test
    assert answer_code(f"{ANSWER_START}\nThe cell above already does it.\n</details>") == []

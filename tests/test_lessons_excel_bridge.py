"""The Excel-to-pandas bridge (curriculum/excel-bridge.md): it covers the Excel tasks an analyst
brings, each pandas recipe names a lesson that really uses what it shows, and its examples run.
"""

from __future__ import annotations

import io
import re
import tokenize
from contextlib import redirect_stdout

import pytest
from lesson_tools import cells
from repo_paths import ROOT

BRIDGE = ROOT / "curriculum" / "excel-bridge.md"
LESSONS = sorted((ROOT / "curriculum").glob("*/*.ipynb"))
IDS = [f"{p.parent.name[:2]}-{p.stem}" for p in LESSONS]

#: What an Excel user reaches for (the issue's list): a section heading for each.
TASKS = [
    r"filter",
    r"sort",
    r"pivot table",
    r"vlookup.*xlookup|xlookup.*vlookup",
    r"count",
    r"date",
    r"chart",
    r"top item of a count",
]
#: A recipe: | the Excel | the pandas (or the Excel formula) | [NN.N](lesson link) |
_ROW = re.compile(
    r"^\| (?P<excel>.+?) \| (?P<code>.+?) \| \[(?P<n>\d\d\.\d)\]\((?P<link>[^)]+)\) \|$"
)


def recipes(text: str) -> list[dict]:
    """The rows of the page's tables whose middle column is pandas ("In pandas" headers)."""
    rows, in_pandas = [], False
    for line in text.splitlines():
        if line.startswith("| In Excel |") or line.startswith("| Method |"):
            in_pandas = "| In pandas" in line
            continue
        match = _ROW.match(line)
        if match:
            rows.append({**match.groupdict(), "pandas": in_pandas})
    return rows


def names(code: str) -> set[str]:
    """What a recipe calls or reads: attribute names (`.merge`, `.dt`), functions of the libraries
    (`pd.cut`, `np.where`, `sns.barplot`) and keyword arguments (`normalize=`), strings aside."""
    out: set[str] = set()
    layout = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT)
    try:
        tokens = [
            t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in layout
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return out
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.STRING and re.match(r"(?i)r?fr?['\"]", tok.string):
            for field in re.findall(r"\{([^{}]+)\}", tok.string):  # an f-string's fields are code
                out |= names(field.split(":")[0] if "(" not in field else field.rsplit(":", 1)[0])
            continue
        if tok.type != tokenize.NAME or i == 0 or i == len(tokens) - 1:
            continue
        prev, nxt = tokens[i - 1].string, tokens[i + 1].string
        if prev == "." or (nxt == "=" and prev in ("(", ",")):
            out.add(tok.string)
    return out


def lesson_code(path) -> str:
    """A lesson's code: its code cells, the code of its answers and the calls its text shows
    (`tracker.to_csv("follow_ups.csv", index=False)`)."""
    parts = []
    for kind, src, _ in cells(path):
        if kind == "code":
            parts.append(src)
            continue
        parts += re.findall(r"```python\n(.*?)```", src, flags=re.S)
        parts += [c for c in re.findall(r"(?<!`)`([^`\n]+\))`(?!`)", src)]
    return "\n".join(parts)


def recipe_problems(row: dict, code_of_lesson: str) -> list[str]:
    """The names a recipe shows that the lesson it names never uses."""
    inline = "\n".join(re.findall(r"`([^`]+)`", row["code"].replace("\\|", "|")))
    used = names(code_of_lesson)
    return sorted(n for n in names(inline) if n not in used)


TEXT = BRIDGE.read_text(encoding="utf-8")
ROWS = recipes(TEXT)


def test_the_bridge_covers_the_excel_tasks_and_every_module():
    headings = [h.lower() for h in re.findall(r"^## (.+)$", TEXT, flags=re.M)]
    for task in TASKS:
        assert any(re.search(task, h) for h in headings), f"no section for {task!r}"
    assert len([r for r in ROWS if r["pandas"]]) >= 50, "a recipe for each everyday Excel task"
    modules = {r["n"][:2] for r in ROWS}
    assert modules >= {"00", "01", "02", "03", "04"}, f"modules without an Excel link: {modules}"


def test_every_recipe_names_a_lesson_that_uses_it():
    problems = []
    for row in ROWS:
        lesson = (BRIDGE.parent / row["link"]).resolve()
        number = f"{lesson.parent.name[:2]}.{lesson.stem[1:2]}"
        if not lesson.exists() or number != row["n"]:
            problems.append(f"{row['excel']}: link {row['link']} is not lesson {row['n']}")
            continue
        if row["pandas"]:
            missing = recipe_problems(row, lesson_code(lesson))
            if missing:
                problems.append(f"{row['excel']}: lesson {row['n']} never uses {missing}")
    assert not problems, "\n".join(problems)


def test_the_examples_run_in_order_on_the_sample_city():
    import matplotlib

    matplotlib.use("Agg")
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
    assert len(blocks) >= 8
    namespace: dict = {}
    with redirect_stdout(io.StringIO()) as printed:
        for i, block in enumerate(blocks):
            exec(compile(block, f"excel-bridge.md, example {i + 1}", "exec"), namespace)
    assert "The busiest department is" in printed.getvalue()


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_lesson_links_to_the_bridge(path):
    text = "\n".join(src for kind, src, _ in cells(path) if kind == "markdown")
    assert "](../excel-bridge.md)" in text


def test_a_recipe_naming_the_wrong_lesson_or_a_method_it_never_uses_is_caught():
    row = {"excel": "VLOOKUP", "code": '`table.merge(lookup, on="key", validate="many_to_one")`'}
    assert recipe_problems(row, 'named = a.merge(b, on="k", validate="many_to_one")') == []
    assert recipe_problems(row, 'named = a.join(b, on="k")') == ["merge", "validate"]
    assert names('x.dt.strftime("%Y.m")') == {"dt", "strftime"}
    assert recipes(
        "| In Excel | In pandas | Lesson |\n|---|---|---|\n| A | `x.y()` | [00.1](a.ipynb) |"
    )[0]["pandas"]

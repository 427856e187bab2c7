"""Reading lesson notebooks in tests: cells as (kind, source, cell) triples, the lessons' shared
parameters cell, the course's order, and the "Try it" exercises with their answers."""

from __future__ import annotations

import functools
import io
import json
import re
import tempfile
import tokenize
from pathlib import Path

PARAMETERS = (
    "# Parameters (papermill can replace these: citykit course run -p data_dir /path/to/your/city)\n"
    "data_dir = None  # None: the sample city Riverton; or a folder with your own city's CSV exports\n"
    'city = "Riverton"'
)


#: Another city's names for Riverton's departments (its 311 export and its scorecard).
OTHER_DEPARTMENTS = {"Sanitation": "Solid Waste", "Public Works": "Streets"}


def other_city_requests(root: Path, *, step: int = 7):
    """Another city's 311 export: every ``step``-th Riverton request, read as text, with its own
    names for districts ("Ward 1", ...) and departments (:data:`OTHER_DEPARTMENTS`)."""
    import pandas as pd

    source = root / "datasets" / "service_requests.csv"
    table = pd.read_csv(source, dtype=str, keep_default_na=False).iloc[::step]
    wards = {name: f"Ward {i + 1}" for i, name in enumerate(sorted(set(table["district"]) - {""}))}
    return table.assign(
        district=table["district"].map(lambda d: wards.get(d, d)),
        department=table["department"].replace(OTHER_DEPARTMENTS),
    )


def cells(path: Path) -> list[tuple[str, str, dict]]:
    """The notebook's cells as (cell_type, source, cell)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c) for c in nb["cells"]]


def code(path: Path) -> str:
    """All the code of a notebook, one string."""
    return "\n".join(src for kind, src, _ in cells(path) if kind == "code")


class LessonFailed(Exception):
    """A lesson stopped with an error; the message names its section, not a cell number."""


def run_lesson(path: Path, output: Path, parameters: dict) -> list[dict]:
    """Execute a lesson (papermill, in its folder) and return its outputs; fails on any stderr.

    A cell that raises fails the run with :class:`LessonFailed`, naming the lesson's section (its
    heading) and the cell's first line, which a reader finds, rather than a cell number."""
    from citykit import course
    from papermill.exceptions import PapermillExecutionError

    try:
        course.execute_notebook(path, output, parameters=parameters)
    except PapermillExecutionError as error:
        where = section_of(path, error.source)
        raise LessonFailed(
            f"{lesson_number(path)} ({path.name}) stopped in {where}: {error.ename}: {error.evalue}"
        ) from None
    return _lesson_outputs(output)


def section_of(path: Path, source: str) -> str:
    """Where a cell of a lesson is, in a reader's words: the heading above it and its first line."""
    heading, found = "", None
    for kind, src, _ in cells(path):
        if kind == "markdown":
            heads = [line.lstrip("#").strip() for line in src.splitlines() if line.startswith("#")]
            heading = heads[-1] if heads else heading
        elif src.strip() == source.strip():
            found = heading
            break
    first = next((line for line in source.splitlines() if line.strip()), "")
    if found is None:
        return f"the cell {first!r}"
    return f"section {found!r}, the cell {first!r}"


@functools.cache
def sample_city_run(path: Path) -> tuple[list[dict], dict]:
    """The lesson run once per test session on the sample city, with the probes of the figures its
    text quotes (``lesson_figures.FIGURES``): its outputs, and the numbers each figure computes.
    The module tests and the figures test share this run."""
    from lesson_figures import FIGURES

    key = f"{path.parent.name}/{path.stem}"
    folder = Path(tempfile.mkdtemp(prefix="lesson-"))
    return run_with_figures(path, folder / path.name, FIGURES.get(key, []))


def _lesson_outputs(output: Path) -> list[dict]:
    """The outputs of an executed lesson, the figure probes' aside; fails on any stderr."""
    outputs = [
        o
        for _, _, c in cells(output)
        if c["cell_type"] == "code" and PROBE_TAG not in c["metadata"].get("tags", [])
        for o in c["outputs"]
    ]
    stderr = ["".join(o["text"]) for o in outputs if o.get("name") == "stderr"]
    assert not stderr, "".join(stderr)[:2000]
    return outputs


# --- Figures quoted in the prose, computed by the lesson itself ----------------------------------

PROBE_TAG = "figure-probe"
_PROBE_MARK = "[figure-probe] "
#: Helpers the figure expressions may use, defined in the lesson's kernel before the first probe.
PROBE_HELPERS = """
import json as _fig_json
import math as _fig_math

def _fig_round(x, step):
    q = _fig_math.floor(abs(float(x)) / step + 0.5 + 1e-9) * step  # half up, as people round
    return _fig_math.copysign(q, float(x)) if q else 0.0

def _fig_decimals(step):
    return max(0, -_fig_math.floor(_fig_math.log10(step) + 1e-9))

def _r(x, step=1):
    \"\"\"x rounded to the nearest multiple of step, written as in prose (1,234 or 0.26).\"\"\"
    return f"{_fig_round(x, step):,.{_fig_decimals(step)}f}"

def _pct(x, step=1):
    \"\"\"A share written as a percentage, rounded to step points, without the % sign.\"\"\"
    return _r(100 * float(x), step)

def _n(x):
    \"\"\"A count written as in prose: 1,234.\"\"\"
    return f"{int(round(float(x))):,}"
"""


def _probe_cell(figures: list[tuple[int, str]]) -> dict:
    lines = []
    for number, expression in figures:
        *setup, last = expression.strip().splitlines()
        lines += [
            "try:",
            *(f"    {line}" for line in setup),
            f"    _fig_v = ({last})",
            "    _fig_v = [str(x) for x in (_fig_v if isinstance(_fig_v, tuple) else (_fig_v,))]",
            "except Exception as _fig_e:",
            "    _fig_v = {'error': f'{type(_fig_e).__name__}: {_fig_e}'}",
            f"print({_PROBE_MARK!r} + _fig_json.dumps([{number}, _fig_v]))",
        ]
    return _code_cell("\n".join(lines))


def _code_cell(source: str) -> dict:
    import hashlib

    _code_cell.count += 1
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "probe-" + hashlib.sha1(f"{_code_cell.count}{source}".encode()).hexdigest()[:12],
        "metadata": {"tags": [PROBE_TAG]},
        "outputs": [],
        "source": source,
    }


_code_cell.count = 0


def probe_positions(path: Path, figures: list) -> list[int]:
    """For each figure, the cell before which it is computed: the first markdown cell that holds its
    quote (any numbers in the place of its ``{}``), or that holds ``near``, a text of its own."""
    lesson = cells(path)
    positions = []
    for figure in figures:
        pattern = re.compile(re.escape(figure.near)) if figure.near else quote_pattern(figure.quote)
        found = [
            i
            for i, (kind, src, _) in enumerate(lesson)
            if kind == "markdown" and pattern.search(src)
        ]
        positions.append(found[0] if found else None)
    return positions


def quote_pattern(quote: str) -> re.Pattern:
    """A figure's quote as a pattern: its text, with any number (or number word) for each ``{}``;
    a space in the quote matches any run of spaces and line breaks in the text."""
    return re.compile(r"[-−+\w,.]+".join(text_pattern(part) for part in quote.split("{}")))


def text_pattern(text: str) -> str:
    """A regular expression for a text, with any run of spaces and line breaks matching any other."""
    return r"\s+".join(re.escape(word) for word in re.split(r"\s+", text))


def run_with_figures(path: Path, output: Path, figures: list) -> tuple[list[dict], dict]:
    """Execute the sample-city lesson with a probe before each figure's cell: the probe computes the
    figure's numbers in the lesson's own kernel, at that point of the lesson. Returns the lesson's
    outputs (the probes' aside) and, per figure (by its place in ``figures``), its numbers as text
    or ``{"error": ...}``."""
    from citykit import course

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    at: dict[int, list] = {}
    for number, (figure, position) in enumerate(
        zip(figures, probe_positions(path, figures), strict=True)
    ):
        if position is not None:
            at.setdefault(position, []).append((number, figure.value))
    probed = []
    for i, cell in enumerate(nb["cells"]):
        if i in at:
            probed.append(_probe_cell(at[i]))
        probed.append(cell)
        if "parameters" in cell["metadata"].get("tags", []):
            probed.append(_code_cell(PROBE_HELPERS.strip()))
    nb["cells"] = probed
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    source = output.with_name("probed-" + output.name)
    source.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    course.execute_notebook(source, output, parameters={})
    values = {}
    for _, _, c in cells(output):
        if PROBE_TAG in c["metadata"].get("tags", []):
            for o in c["outputs"]:
                for line in "".join(o.get("text", "")).splitlines():
                    if line.startswith(_PROBE_MARK):
                        number, value = json.loads(line[len(_PROBE_MARK) :])
                        values[number] = value
    return _lesson_outputs(output), values


def printed(outputs: list[dict]) -> str:
    """Everything the lesson printed."""
    return "".join("".join(o.get("text", "")) for o in outputs if o.get("name") == "stdout")


def images(outputs: list[dict]) -> list[dict]:
    """The outputs that are pictures (charts)."""
    return [o for o in outputs if "image/png" in o.get("data", {})]


def charts(path: Path) -> int:
    """How many charts the lesson draws (code cells that call ``plt.show()``)."""
    return sum("plt.show()" in src for kind, src, _ in cells(path) if kind == "code")


def markdown(path: Path) -> list[str]:
    """The text of every markdown cell of a notebook."""
    return [src for kind, src, _ in cells(path) if kind == "markdown"]


def course_order(root: Path) -> list[Path]:
    """Every notebook a learner opens, in course order: each module's lessons, then its assignment
    (the learner's copy in ``exercises/``)."""
    order = []
    modules = (p for p in (root / "curriculum").iterdir() if p.is_dir() and p.name[:2].isdigit())
    for module in sorted(modules):
        order += sorted(module.glob("*.ipynb"))
        order += sorted((root / "exercises" / module.name).glob("*.ipynb"))
    return order


def lesson_number(path: Path) -> str:
    """``00.1`` for ``curriculum/00-foundations/01-tables-and-filters.ipynb``."""
    return f"{path.parent.name[:2]}.{int(path.stem[:2])}"


# --- "Try it" exercises -------------------------------------------------------------------------

ANSWER_START = "<details><summary>Show an answer</summary>"
_TOKEN = re.compile(r"\w+|\"[^\"]*\"|'[^']*'|\S")


def try_its(path: Path) -> list[dict]:
    """Each "### Try it" of a lesson: its ``prompt`` (markdown), the ``cell`` learners change (code),
    and the ``answer`` behind "Show an answer" (markdown), with their cell numbers."""
    lesson = cells(path)
    found = []
    for i, (kind, src, _) in enumerate(lesson):
        if kind != "markdown" or "### Try it" not in src:
            continue
        answer = next(
            (j for j in range(i + 2, len(lesson)) if lesson[j][1].startswith(ANSWER_START)), None
        )
        found.append(
            {
                "index": i,
                "title": next(line for line in src.splitlines() if "### Try it" in line),
                "prompt": src,
                "cell": lesson[i + 1][1] if i + 1 < len(lesson) else "",
                "answer": lesson[answer][1] if answer is not None else "",
            }
        )
    return found


def answer_code(answer: str) -> list[str]:
    """The lines of code in an answer's fenced ```python blocks (blank lines and comments left out)."""
    lines = []
    for block in re.findall(r"```python\n(.*?)```", answer, flags=re.S):
        for line in block.splitlines():
            code = _strip_comment(line).strip()
            if code:
                lines.append(code)
    return lines


def _strip_comment(line: str) -> str:
    """A line of code without its ``#`` comment (a ``#`` inside quotes is kept)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def _code_tokens(source: str) -> list[str]:
    """The tokens of a code cell, comments left out (magics such as ``%matplotlib`` too)."""
    kept = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    try:
        pieces = [
            tok.string
            for tok in tokenize.generate_tokens(io.StringIO(kept + "\n").readline)
            if tok.type
            not in (
                tokenize.COMMENT,
                tokenize.NL,
                tokenize.NEWLINE,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            )
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pieces = [_strip_comment(line) for line in kept.splitlines()]
    return _TOKEN.findall(" ".join(pieces))


def _contains(tokens: list[str], fragment: list[str]) -> bool:
    n = len(fragment)
    return any(tokens[i : i + n] == fragment for i in range(len(tokens) - n + 1))


def missing_answer_lines(cell: str, answer: str) -> list[str]:
    """The answer's lines of code that the cell, as shipped, does not already contain.

    A line with ``...`` (an elided part) counts as contained when each part around the dots is.
    An empty result means the cell already holds its own answer: the exercise is solved as shipped.
    """
    tokens = _code_tokens(cell)
    missing = []
    for line in answer_code(answer):
        parts = [_TOKEN.findall(part) for part in line.split("...")]
        if not all(_contains(tokens, part) for part in parts if part):
            missing.append(line)
    return missing


# --- A beginner's pace --------------------------------------------------------------------------
# How long a notebook takes an analyst who knows Excel and no Python, working through it for the
# first time. The constants were set so that the model gives module 00's lessons, as they were when
# new learners timed them (2,700, 2,100 and 2,300 words), about the 155 minutes those learners took
# (55, 55 and 45), and the module 00 assignment about its 80 minutes.

READING_WORDS_PER_MINUTE = 120  # careful reading of a textbook page, checking each step
SECONDS_PER_CODE_LINE = 8  # read it, run it, look at what it printed
SECONDS_PER_NEW_TERM = 20  # a term the glossary says this lesson introduces
MINUTES_PER_TRY_IT = 3  # try, fail once, compare with the answer
MINUTES_PER_QUESTION = 7  # an auto-graded question of an assignment, with a hint or two
MINUTES_PER_MEMO_POINT = 5  # the written answers, by the points they carry


def _reading_words(path: Path) -> int:
    """Words of a notebook's text, without code blocks and without the answers kept behind
    "Show an answer" (their time is in the Try it's)."""
    text = "\n".join(markdown(path))
    text = re.sub(r"<details>.*?</details>", " ", text, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return len(re.findall(r"\w+", text))


def _code_lines(path: Path) -> int:
    """Lines of code a learner reads and runs: not blank, not a comment."""
    return sum(
        1
        for kind, src, _ in cells(path)
        if kind == "code"
        for line in src.splitlines()
        if line.strip() and not line.strip().startswith("#")
    )


def pace_minutes(path: Path, *, new_terms: int) -> float:
    """A lesson's time at a beginner's pace, in minutes."""
    return (
        _reading_words(path) / READING_WORDS_PER_MINUTE
        + _code_lines(path) * SECONDS_PER_CODE_LINE / 60
        + new_terms * SECONDS_PER_NEW_TERM / 60
        + len(try_its(path)) * MINUTES_PER_TRY_IT
    )


def assignment_pace_minutes(path: Path) -> float:
    """An assignment's time at a beginner's pace, in minutes: reading, each auto-graded question,
    and the written answers by their points (nbgrader's metadata)."""
    graded = [c["metadata"].get("nbgrader", {}) for _, _, c in cells(path)]
    questions = sum(1 for g in graded if g.get("grade") and not g.get("solution"))
    memo_points = sum(g.get("points", 0) for g in graded if g.get("grade") and g.get("solution"))
    return (
        _reading_words(path) / READING_WORDS_PER_MINUTE
        + questions * MINUTES_PER_QUESTION
        + memo_points * MINUTES_PER_MEMO_POINT
    )


def stated_minutes(path: Path) -> int:
    """The time a notebook states in its title block ("**Time:** about 50 minutes", "about 2
    hours")."""
    title = markdown(path)[0]
    match = re.search(r"\*\*Time:\*\* about (\d+) (minutes|hours?)", title)
    assert match, f"{path.name} states no time"
    return int(match.group(1)) * (60 if match.group(2).startswith("hour") else 1)

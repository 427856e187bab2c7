"""The cohort report: who needs help, which questions (learning objectives) were hard.

Read from the course gradebook (so it covers every student graded so far, not only this run),
the grading journal (statuses and notes) and the question bank
``toolkit/citykit/questions/<assignment>.toml`` (``[questions.<grade_id>] objective = "..."``).
Writes, into ``<grading folder>/reports/``:

* ``<assignment>-report.html`` -- tables and two embedded figures (PNG);
* ``<assignment>-students.csv`` -- one row per student: score, status, notes, needs help;
* ``<assignment>-questions.csv`` -- one row per graded question: objective, success rate;
* ``grades.csv`` -- every assignment and student in the gradebook (for the LMS).

Examples
--------
>>> from citykit.grading.report import success_table
>>> import pandas as pd
>>> grades = pd.DataFrame({"student": ["a", "b"], "question": ["q1", "q1"],
...                        "score": [2.0, 0.0], "max_score": [2.0, 2.0], "kind": ["auto", "auto"]})
>>> success_table(grades, {"q1": "mean of a list"})[["question", "objective", "success_rate"]]
  question       objective  success_rate
0       q1  mean of a list           0.5
"""

from __future__ import annotations

import base64
import html
import io
import tomllib
from pathlib import Path

import pandas as pd

from citykit.grading.gradebook import journal_rows
from citykit.grading.layout import CourseLayout

__all__ = [
    "HELP_THRESHOLD",
    "gradebook_tables",
    "load_objectives",
    "success_table",
    "write_report",
]

#: Students below this share of the automatic points are listed as needing help.
HELP_THRESHOLD = 0.6
_PROBLEM_STATUSES = {"error", "unreadable", "missing", "kernel_died", "timeout", "memory"}


def load_objectives(layout: CourseLayout, assignment: str) -> dict:
    """Map grade ids to learning objectives from the question bank (empty when there is none)."""
    import citykit

    candidates = [
        layout.root / "toolkit" / "citykit" / "questions" / f"{assignment}.toml",
        Path(citykit.__file__).parent / "questions" / f"{assignment}.toml",
    ]
    for path in candidates:
        if path.is_file():
            with open(path, "rb") as handle:
                bank = tomllib.load(handle)
            return {
                gid: str(entry.get("objective", gid))
                for gid, entry in bank.get("questions", {}).items()
                if isinstance(entry, dict)
            }
    return {}


def gradebook_tables(layout: CourseLayout) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read per-question grades and per-submission scores of every assignment.

    Returns
    -------
    (grades, scores) : tuple of DataFrame
        ``grades``: assignment, student, notebook, question, kind, score, max_score,
        needs_manual_grade. ``scores``: assignment, student, timestamp, raw_score,
        late_penalty, score, max_score, needs_manual_grade.
    """
    from nbgrader.api import Gradebook

    grade_rows, score_rows = [], []
    with Gradebook(layout.db_url, layout.course_id) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                penalty = 0.0
                for nb in sub.notebooks:
                    penalty += nb.late_submission_penalty or 0.0
                    solution = {c.name for c in nb.notebook.solution_cells}
                    for g in nb.grades:
                        score = g.manual_score if g.manual_score is not None else g.auto_score
                        grade_rows.append(
                            {
                                "assignment": assignment.name,
                                "student": sub.student_id,
                                "notebook": nb.name,
                                "question": g.name,
                                "kind": "manual" if g.name in solution else "auto",
                                "score": None if score is None else float(score),
                                "max_score": float(g.max_score),
                                "needs_manual_grade": bool(g.needs_manual_grade),
                            }
                        )
                raw = float(sub.score)
                score_rows.append(
                    {
                        "assignment": assignment.name,
                        "student": sub.student_id,
                        "timestamp": sub.timestamp,
                        "raw_score": raw,
                        "late_penalty": penalty,
                        "score": raw - penalty,
                        "max_score": float(sub.max_score),
                        "needs_manual_grade": bool(sub.needs_manual_grade),
                    }
                )
    grades = pd.DataFrame(
        grade_rows,
        columns=[
            "assignment",
            "student",
            "notebook",
            "question",
            "kind",
            "score",
            "max_score",
            "needs_manual_grade",
        ],
    )
    scores = pd.DataFrame(
        score_rows,
        columns=[
            "assignment",
            "student",
            "timestamp",
            "raw_score",
            "late_penalty",
            "score",
            "max_score",
            "needs_manual_grade",
        ],
    )
    return grades, scores


def success_table(grades: pd.DataFrame, objectives: dict) -> pd.DataFrame:
    """Per question: learning objective, students graded, mean share of points, success rate.

    The success rate is the share of graded students with full marks on the question;
    ungraded manual answers are left out.

    Parameters
    ----------
    grades : DataFrame
        Columns ``question``, ``score``, ``max_score``, ``kind`` (one row per student).
    objectives : dict
        Grade id -> learning objective (missing ids use the grade id).

    Returns
    -------
    DataFrame
        Sorted from the hardest question (lowest success rate) to the easiest.
    """
    graded = grades.dropna(subset=["score"]).copy()
    graded["full"] = graded["score"] >= graded["max_score"] - 1e-9
    graded["share"] = graded["score"] / graded["max_score"].where(graded["max_score"] > 0)
    table = (
        graded.groupby(["question", "kind"], sort=False)
        .agg(
            points=("max_score", "max"),
            students=("score", "size"),
            mean_share=("share", "mean"),
            success_rate=("full", "mean"),
        )
        .reset_index()
    )
    table.insert(1, "objective", [objectives.get(q, q) for q in table["question"]])
    return table.sort_values(["success_rate", "mean_share", "question"]).reset_index(drop=True)


def _figure_png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _plots(students: pd.DataFrame, questions: pd.DataFrame) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import seaborn as sns

    from citykit.plots._style import finish_axes, get_axes, palette

    figures = []
    ax = get_axes(figsize=(7, 3.5))
    sns.histplot(
        x=students["share"] * 100, bins=[i * 10 for i in range(11)], color=palette(1)[0], ax=ax
    )
    ax.axvline(HELP_THRESHOLD * 100, color=palette(2)[1], linestyle="--", label="needs help below")
    finish_axes(
        ax,
        title="Automatic score of each student",
        xlabel="share of automatic points (%)",
        ylabel="students (count)",
        legend=True,
    )
    figures.append(("Scores", _figure_png(ax.figure)))
    if not questions.empty:
        by_objective = (
            questions.groupby("objective", sort=False)["success_rate"].mean().sort_values() * 100
        )
        ax = get_axes(figsize=(7, 0.5 + 0.45 * len(by_objective)))
        sns.barplot(
            x=by_objective.to_numpy(),
            y=by_objective.index.astype(str),
            color=palette(1)[0],
            orient="h",
            ax=ax,
        )
        ax.set_xlim(0, 100)
        finish_axes(
            ax,
            title="Success rate per learning objective",
            xlabel="students with full marks (%)",
            ylabel="learning objective",
        )
        figures.append(("Objectives", _figure_png(ax.figure)))
    return figures


def _html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(
        index=False, border=0, classes="table", na_rep="", float_format="{:.2f}".format
    )


def write_report(layout: CourseLayout, assignment: str, *, outcomes=(), sandbox=()) -> dict:
    """Write the cohort report files for ``assignment`` and return their paths."""
    out = layout.grading / "reports"
    out.mkdir(parents=True, exist_ok=True)
    grades, scores = gradebook_tables(layout)
    journal = pd.DataFrame(journal_rows(layout, assignment))
    objectives = load_objectives(layout, assignment)
    mine = grades[grades["assignment"] == assignment]
    auto = mine[mine["kind"] == "auto"]
    per_student = (
        auto.groupby("student")
        .agg(auto_score=("score", "sum"), auto_max=("max_score", "sum"))
        .reset_index()
    )
    sub = scores[scores["assignment"] == assignment][
        ["student", "score", "max_score", "needs_manual_grade"]
    ]
    students = sub.merge(per_student, on="student", how="left")
    if not journal.empty:
        students = students.merge(journal[["student", "status", "notes"]], on="student", how="left")
    else:
        students["status"], students["notes"] = "ok", [[] for _ in range(len(students))]
    students["status"] = students["status"].fillna("graded outside citykit")
    students["notes"] = ["; ".join(n) if isinstance(n, list) else "" for n in students["notes"]]
    students["share"] = (students["auto_score"] / students["auto_max"]).fillna(0.0)
    reasons = []
    for row in students.itertuples():
        why = []
        if row.share < HELP_THRESHOLD:
            why.append(f"{row.share:.0%} of the automatic points")
        if row.status in _PROBLEM_STATUSES:
            why.append(f"submission problem: {row.status}")
        reasons.append("; ".join(why))
    students["needs_help"] = reasons
    students = students.sort_values(["share", "student"]).reset_index(drop=True)
    questions = success_table(mine, objectives)

    paths = {
        "html": out / f"{assignment}-report.html",
        "students_csv": out / f"{assignment}-students.csv",
        "questions_csv": out / f"{assignment}-questions.csv",
        "grades_csv": out / "grades.csv",
    }
    students.drop(columns=["share"]).to_csv(paths["students_csv"], index=False)
    questions.to_csv(paths["questions_csv"], index=False)
    scores.sort_values(["assignment", "student"]).to_csv(paths["grades_csv"], index=False)

    pivot = scores.pivot_table(index="student", columns="assignment", values="score", aggfunc="sum")
    pivot = pivot.reset_index()
    helped = students[students["needs_help"] != ""][
        ["student", "auto_score", "auto_max", "status", "needs_help"]
    ]
    hardest = questions[questions["kind"] == "auto"].head(5)
    counts = students["status"].value_counts().rename_axis("status").reset_index(name="students")
    figures = _plots(students, questions)
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Cohort report: {esc(assignment)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .6em;"
        "border-bottom:1px solid #ccc;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>Cohort report: {esc(assignment)}</h1>",
        f"<p>{len(students)} students graded; mean automatic score "
        f"{students['share'].mean() * 100 if len(students) else 0:.0f}%. "
        f"{int(students['needs_manual_grade'].sum())} submissions wait for manual grading.</p>",
        "<h2>Students who need help</h2>",
        _html_table(helped) if len(helped) else "<p>Nobody is below the threshold.</p>",
        "<h2>Hardest questions</h2>",
        _html_table(hardest),
        "<h2>Success rate per question and learning objective</h2>",
        _html_table(questions),
    ]
    for title, png in figures:
        parts.append(f"<figure><img alt='{esc(title)}' src='data:image/png;base64,{png}'></figure>")
    parts += [
        "<h2>Scores per assignment</h2>",
        _html_table(pivot),
        "<h2>Status of each submission</h2>",
        _html_table(counts),
        _html_table(students[["student", "score", "max_score", "status", "notes"]]),
        "<h2>What student code could and could not do</h2><ul>",
        *[f"<li>{esc(n)}</li>" for n in sandbox],
        "</ul></body></html>",
    ]
    paths["html"].write_text("\n".join(parts), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}

"""Reading lesson notebooks in tests: cells as (kind, source, cell) triples, and the lessons' shared
parameters cell."""

from __future__ import annotations

import json
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


def run_lesson(path: Path, output: Path, parameters: dict) -> list[dict]:
    """Execute a lesson (papermill, in its folder) and return its outputs; fails on any stderr."""
    from citykit import course

    course.execute_notebook(path, output, parameters=parameters)
    outputs = [o for _, _, c in cells(output) if c["cell_type"] == "code" for o in c["outputs"]]
    stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
    assert not stderr, "".join(stderr)[:2000]
    return outputs


def printed(outputs: list[dict]) -> str:
    """Everything the lesson printed."""
    return "".join("".join(o.get("text", "")) for o in outputs if o.get("name") == "stdout")


def images(outputs: list[dict]) -> list[dict]:
    """The outputs that are pictures (charts)."""
    return [o for o in outputs if "image/png" in o.get("data", {})]


def charts(path: Path) -> int:
    """How many charts the lesson draws (code cells that call ``plt.show()``)."""
    return sum("plt.show()" in src for kind, src, _ in cells(path) if kind == "code")

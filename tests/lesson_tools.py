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


def cells(path: Path) -> list[tuple[str, str, dict]]:
    """The notebook's cells as (cell_type, source, cell)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c) for c in nb["cells"]]


def code(path: Path) -> str:
    """All the code of a notebook, one string."""
    return "\n".join(src for kind, src, _ in cells(path) if kind == "code")

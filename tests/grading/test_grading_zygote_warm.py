"""The kernel zygote imports the assignment's libraries ahead, and only what is safe to share."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest
from citykit.grading.zygote import modules_to_warm

pytestmark = pytest.mark.grading

_PROBE = textwrap.dedent(
    """
    import json, sys
    from citykit.grading.zygote import warm
    kept = warm(sys.argv[1:])
    pkg = sys.modules.get("warmpkg")
    print(json.dumps({
        "kept": list(kept),
        "loaded": sorted(k for k in sys.modules if k.startswith(("warmpkg", "matplotlib"))),
        "attributes": sorted(k for k in vars(pkg) if not k.startswith("_")) if pkg else [],
    }))
    """
)


def _warm(tmp_path, *names) -> dict:
    pkg = tmp_path / "warmpkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "plain.py").write_text("import json\nVALUE = 1\n")
    (pkg / "plots.py").write_text("import json\nimport matplotlib\n")
    (pkg / "optional.py").write_text(
        "try:\n    import matplotlib\n    HAS_MPL = True\nexcept ImportError:\n    HAS_MPL = False\n"
    )
    (pkg / "uses_plots.py").write_text("from warmpkg import plots\n")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *names],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{tmp_path}:{':'.join(sys.path)}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_plain_module_is_kept_warm(tmp_path):
    out = _warm(tmp_path, "warmpkg.plain", "warmpkg.nosuchname")
    assert out["kept"] == ["warmpkg.plain"]
    assert out["loaded"] == ["warmpkg", "warmpkg.plain"]


@pytest.mark.parametrize("name", ["warmpkg.plots", "warmpkg.optional", "warmpkg.uses_plots"])
def test_a_module_that_needs_or_tries_matplotlib_leaves_no_trace(tmp_path, name):
    # the kernel imports it itself, with its own HOME, MPLCONFIGDIR and backend
    out = _warm(tmp_path, name, "warmpkg.plain")
    assert out["kept"] == ["warmpkg.plain"]
    assert out["loaded"] == ["warmpkg", "warmpkg.plain"]
    assert out["attributes"] == ["plain"]  # no stale submodule on the package either


def test_the_modules_come_from_the_given_cells_and_exclude_the_instructor_tools():
    cells = [
        "import pandas as pd\nfrom citykit import datasets, opendata, tips\n%matplotlib inline",
        "import matplotlib.pyplot as plt\nimport os\nfrom scipy import stats as _stats",
        "from citykit.grading import grade\nimport citykit.course\nfrom . import local",
        "def answer():\n    import statsmodels.api  # inside a function: not at import time",
        "this is not python (",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.cells.append(nbformat.v4.new_markdown_cell("import statsmodels"))
    assert modules_to_warm([nb]) == (
        "pandas",
        "citykit.datasets",
        "citykit.opendata",
        "citykit.tips",
        "citykit",
        "scipy.stats",
        "scipy",
    )


def test_the_zygote_starts_and_says_what_it_warmed(tmp_path):
    sock = tmp_path / "z.sock"
    log = tmp_path / "z.log"
    with open(log, "w") as out:
        zygote = subprocess.Popen(
            [sys.executable, "-m", "citykit.grading.zygote", str(sock), "citykit.datasets"],
            stdout=out,
            stderr=out,
        )
    try:
        for _ in range(1200):  # generous: a busy machine
            if sock.exists() or zygote.poll() is not None:
                break
            time.sleep(0.05)
        assert sock.exists(), log.read_text()
        assert "zygote: warmed citykit.datasets" in log.read_text()
    finally:
        zygote.kill()
        zygote.wait()


def test_jsonschema_is_warmed_without_the_iri_grammars_which_stay_importable():
    code = textwrap.dedent(
        """
        import json, sys
        from citykit.grading import zygote
        kept = zygote._warm_without_iri_grammars(["jsonschema"])
        before = "rfc3987_syntax" in sys.modules
        import rfc3987_syntax  # a student may still import it
        print(json.dumps({"kept": list(kept), "grammars_built": before,
                          "importable": rfc3987_syntax is not None}))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"kept": ["jsonschema"], "grammars_built": False, "importable": True}
    # the plain warm() builds them: the check above can fail
    plain = code.replace("zygote._warm_without_iri_grammars", "zygote.warm")
    out = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1])["grammars_built"] is True


def test_the_given_cells_of_the_sources_list_what_the_released_exercises_import():
    # the grader starts the zygotes from the source notebooks, before nbgrader releases them:
    # the list must be the one the released notebooks give (never longer)
    from pathlib import Path

    from citykit.grading.layout import load_course
    from citykit.grading.zygote import given_modules

    root = Path(__file__).resolve().parents[2]
    layout = load_course(root)
    assignments = layout.assignments()
    assert len(assignments) >= 6
    for assignment in assignments:
        released = [
            nbformat.read(p, 4) for p in sorted((root / "exercises" / assignment).glob("*.ipynb"))
        ]
        assert released, assignment
        expected = modules_to_warm(released)
        assert "citykit.datasets" in expected
        assert given_modules(layout.source / assignment) == expected, assignment


def test_an_import_in_a_solution_or_test_cell_is_not_warmed(tmp_path):
    from citykit.grading.zygote import given_modules

    cells = {
        "import pandas as pd": {},
        "import numpy as np\n### BEGIN SOLUTION\nimport scipy.stats\n### END SOLUTION": {
            "solution": True
        },
        "import statsmodels.api\nassert True": {"grade": True, "points": 1},
        "import pyarrow": {"task": True},
    }
    nb = nbformat.v4.new_notebook()
    for source, flags in cells.items():
        cell = nbformat.v4.new_code_cell(source)
        if flags:
            cell.metadata["nbgrader"] = {"solution": False, "grade": False, **flags}
        nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "a.ipynb")
    (tmp_path / "broken.ipynb").write_text("not a notebook")
    assert given_modules(tmp_path) == ("pandas",)
    # without their nbgrader flags the other cells would be warmed (the one with region
    # markers stays out): the flags are what the filter reads
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert given_modules(tmp_path) == ("pandas", "statsmodels.api", "pyarrow")

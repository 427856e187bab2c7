"""The package carries its data: a wheel of citykit, installed in a clean virtual environment,
loads every table of the sample city with no course repository in sight.

The wheel is built from this checkout (``pip wheel``, setuptools from PyPI in an isolated build
environment). The clean environment is a new venv with the wheel installed by pip; its third-party
dependencies are the project's own (a ``.pth`` line naming the project's site-packages as a plain
folder, so the project's editable citykit is *not* importable there). It runs in a folder outside
the repository with ``CITYKIT_DATA_DIR`` unset.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.hub, pytest.mark.slow]

LOAD_EVERY_TABLE = """
import json, sys
from pathlib import Path
import citykit
from citykit import datasets
assert "site-packages" in citykit.__file__, citykit.__file__
tables = {name: list(datasets.load(name).shape) for name in datasets.list_datasets()}
print(json.dumps({"data_dir": str(datasets.data_dir()), "citykit": citykit.__file__,
                  "tables": tables}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy of the checkout: setuptools reuses a build/ folder left in the source
    # tree, which could hold the data of an earlier build.
    source = tmp_path_factory.mktemp("source") / "citykit"
    skip = shutil.ignore_patterns(
        ".git",
        ".venv",
        "build",
        "_grading",
        "test-artifacts",
        "*.egg-info",
        "__pycache__",
        "node_modules",
        "tests",
        "curriculum",
        "solutions",
        "exercises",
        "benchmarks",
    )
    shutil.copytree(ROOT, source, ignore=skip)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (found,) = out.glob("citykit-*.whl")
    return found


def test_the_wheel_holds_every_file_of_the_sample_city(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"citykit/sample_city/{p.name}" for p in (ROOT / "datasets").iterdir()}
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    assert "citykit/sample_city/datapackage.json" in names


def test_the_wheel_carries_no_test_fixture(wheel):
    # tests/data holds GPL-licensed reference data (tests/data/README.md): test fixtures only
    names = zipfile.ZipFile(wheel).namelist()
    fixtures = {p.name for p in (ROOT / "tests" / "data").iterdir()}
    assert [n for n in names if n.startswith("tests/") or n.rsplit("/", 1)[-1] in fixtures] == []


def test_a_clean_venv_with_the_wheel_loads_every_table(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--quiet",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The project's third-party packages, as a plain folder: its .pth files (the editable
    # citykit among them) are not processed, so citykit can only come from the wheel.
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CITYKIT_DATA_DIR", "PYTHONPATH")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    run = subprocess.run(
        [str(python), "-c", LOAD_EVERY_TABLE],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout)
    assert Path(found["citykit"]).is_relative_to(site)
    assert Path(found["data_dir"]) == site / "citykit" / "sample_city"

    from citykit import datasets

    expected = {name: list(datasets.load(name).shape) for name in datasets.list_datasets()}
    assert found["tables"] == expected
    assert len(expected) >= 13 and all(rows > 0 for rows, _ in expected.values())

"""The two set-up commands and the project files agree with each other."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower()


def _conda_dependencies() -> dict[str, str]:
    """Parse environment.yml's top-level dependency list (no YAML library needed)."""
    deps = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^  - [^\s]", line):
            spec = line[4:].split("#")[0].strip()
            if spec in ("pip",) or spec.startswith("pip:"):
                continue
            if spec.startswith("python="):
                deps["python"] = spec
                continue
            deps[_name(spec)] = spec.replace(" ", "")
        elif in_deps and line and not line.startswith(" "):
            break
    return deps


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = {_name(d): d.replace(" ", "") for d in project["dependencies"]}
    conda = _conda_dependencies()
    assert conda.pop("python") == "python=3.11"
    assert project["requires-python"] == ">=3.11"
    missing = sorted(set(pip_deps) - set(conda))
    extra = sorted(set(conda) - set(pip_deps))
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    differ = {n: (pip_deps[n], conda[n]) for n in pip_deps if pip_deps[n] != conda[n]}
    assert not differ, f"version specifiers differ: {differ}"
    # the conda environment installs the toolkit with the extras `make test` and `make book` use
    installed = re.search(
        r'^\s+- -e "\.\[([a-z,]+)\]"', (ROOT / "environment.yml").read_text(), re.M
    )
    assert installed, 'environment.yml installs the toolkit with pip: -e ".[test,book]"'
    extras = set(installed.group(1).split(","))
    assert extras == {"test", "book"}, extras
    assert extras <= set(project["optional-dependencies"]), "an extra pyproject.toml lacks"


def test_ci_calls_make_test_with_real_data_required():
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    assert "CITYKIT_REQUIRE_REALDATA=1" in script


def test_readme_quick_start_gives_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make \w+", quick, flags=re.M)
    assert commands == ["make lab", "make test"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_starts_jupyterlab_on_the_course(tmp_path):
    port = _free_port()
    token = "citykit-test"
    args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
        f"--ServerApp.open_browser=False"
    )
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path))
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status != 200:
            time.sleep(1)
            try:
                url = f"http://127.0.0.1:{port}/api/contents/exercises?token={token}"
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = response.status
                    body = response.read().decode()
            except OSError:
                continue
        assert status == 200, (tmp_path / "lab.log").read_text()[-2000:]
        assert "00-foundations" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
            assert r.status == 200
        printed = (tmp_path / "lab.log").read_text()
        assert f"http://127.0.0.1:{port}/" in printed, "make lab must print the URL"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


@pytest.mark.parametrize(
    "command",
    [["check", "."], ["format", "--check", "."]],
    ids=["ruff-check", "ruff-format"],
)
def test_code_is_ruff_clean(command):
    """`make lint` in every test run: style drift fails CI, with ruff's own report."""
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr

"""A fresh clone works for an instructor: the nbgrader commands of the guides and the formgrader,
with no manual step (no ``_grading/`` folder yet, the environment's ``bin`` not on ``PATH``).

Before ``nbgrader_config.py`` created ``_grading/`` itself, each of these failed on a fresh clone:
sqlite could not open ``_grading/gradebook.db`` ("unable to open database file"), so
``nbgrader db``/``collect`` stopped and the formgrader's API never answered (its page stayed on
"Loading"); and a new gradebook needed the ``alembic`` command on ``PATH``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ASSIGNMENT = "00-foundations"

pytestmark = pytest.mark.hub


@pytest.fixture
def fresh_clone(tmp_path) -> Path:
    """The course as a clone has it: configuration, solutions and exercises; no ``_grading/``."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder / ASSIGNMENT, course / folder / ASSIGNMENT)
    assert not (course / "_grading").exists()
    return course


def _environment(tmp_path: Path) -> dict[str, str]:
    """No virtual environment on PATH (as when its nbgrader is called by its full path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "CITYKIT_"))}
    env["PATH"] = "/usr/bin:/bin"
    env.pop("VIRTUAL_ENV", None)
    for name in ("config", "data", "runtime"):
        (tmp_path / "jupyter" / name).mkdir(parents=True, exist_ok=True)
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter" / "config")
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter" / "data")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "jupyter" / "runtime")
    return env


def _nbgrader(course: Path, env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    printed = result.stdout + result.stderr
    # nbgrader exits 0 on some failures: its log is the verdict.
    assert result.returncode == 0 and "CRITICAL" not in printed and "Traceback" not in printed, (
        f"nbgrader {' '.join(args)} failed:\n{printed[-3000:]}"
    )
    return printed


def test_nbgrader_commands_work_on_a_fresh_clone(fresh_clone, tmp_path):
    env = _environment(tmp_path)
    assert shutil.which("alembic", path=env["PATH"]) is None
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    ex = f"--Exchange.root={exchange}"
    _nbgrader(fresh_clone, env, "db", "student", "add", "learner1")
    _nbgrader(fresh_clone, env, "db", "assignment", "add", ASSIGNMENT)
    assert (fresh_clone / "_grading" / "gradebook.db").is_file()
    assert (fresh_clone / "_grading").stat().st_mode & 0o777 == 0o700
    _nbgrader(fresh_clone, env, "release_assignment", ASSIGNMENT, ex)
    # A learner's submission (the untouched exercise) through the exchange, then collected.
    learner = tmp_path / "learner"
    learner.mkdir()
    fetched = _nbgrader(
        learner, env, "fetch_assignment", ASSIGNMENT, ex, "--course=city-analyst-academy"
    )
    assert "Fetched as" in fetched
    submitted = _nbgrader(
        learner,
        env,
        "submit",
        ASSIGNMENT,
        ex,
        "--course=city-analyst-academy",
        "--student=learner1",
    )
    assert "Submitted as" in submitted
    _nbgrader(fresh_clone, env, "collect", ASSIGNMENT, ex)
    notebooks = list(
        (fresh_clone / "_grading" / "submitted" / "learner1" / ASSIGNMENT).glob("*.ipynb")
    )
    assert notebooks, "collect put no notebook in _grading/submitted/learner1"
    listed = _nbgrader(fresh_clone, env, "db", "assignment", "list")
    assert ASSIGNMENT in listed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_formgrader_answers_on_a_fresh_clone(fresh_clone, tmp_path):
    env = _environment(tmp_path)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        str(BIN / "jupyter-server"),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={fresh_clone}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        command,
        cwd=fresh_clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/formgrader/api/assignments"
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        deadline, answer, last = time.monotonic() + 120, None, None
        while time.monotonic() < deadline and answer is None:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read())
            except (OSError, urllib.error.URLError) as exc:
                last = exc
                time.sleep(1)
        assert answer is not None, (
            f"the formgrader did not answer: {last}\n"
            + (tmp_path / "server.log").read_text()[-3000:]
        )
        assert ASSIGNMENT in {a["name"] for a in answer}
        assert (fresh_clone / "_grading" / "gradebook.db").is_file()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

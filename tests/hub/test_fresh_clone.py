"""A fresh clone works for an instructor: every nbgrader command of the guides and the formgrader,
and ``citykit grade`` between them, with no manual step (no ``_grading/`` folder yet, the
environment's ``bin`` not on ``PATH``), on a real ``git clone`` of the repository.

Before ``nbgrader_config.py`` created ``_grading/`` itself, each of these failed on a fresh clone:
sqlite could not open ``_grading/gradebook.db`` ("unable to open database file"), so
``nbgrader db``/``collect`` stopped and the formgrader's API never answered (its page stayed on
"Loading"); and a new gradebook needed the ``alembic`` command on ``PATH``. Before
``citykit grade`` carried ``submission_secret.txt`` next to the feedback, ``nbgrader
release_feedback`` stopped with FileNotFoundError.

The clone holds what is committed (HEAD): uncommitted changes are not in it.
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
    """``git clone`` of the repository: configuration, solutions and exercises; no ``_grading/``."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("the repository is not a git checkout (or git is missing)")
    course = tmp_path / "course"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(course)], check=True, timeout=300)
    assert (course / "exercises" / ASSIGNMENT).is_dir()
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


def _run(command: list, course: Path, env: dict) -> str:
    result = subprocess.run(
        command, cwd=course, env=env, capture_output=True, text=True, timeout=600
    )
    printed = result.stdout + result.stderr
    # nbgrader exits 0 on some failures: its log is the verdict.
    assert result.returncode == 0 and "CRITICAL" not in printed and "Traceback" not in printed, (
        f"{' '.join(command[:3])} failed:\n{printed[-3000:]}"
    )
    return printed


def _nbgrader(course: Path, env: dict, *args: str) -> str:
    return _run([str(BIN / "nbgrader"), *args], course, env)


def test_nbgrader_commands_work_on_a_fresh_clone(fresh_clone, tmp_path):
    env = _environment(tmp_path)
    assert shutil.which("alembic", path=env["PATH"]) is None
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    ex = f"--Exchange.root={exchange}"
    course = "--course=city-analyst-academy"
    grading = fresh_clone / "_grading"
    _nbgrader(fresh_clone, env, "db", "student", "add", "learner1")
    _nbgrader(fresh_clone, env, "db", "assignment", "add", ASSIGNMENT)
    assert (grading / "gradebook.db").is_file()
    assert grading.stat().st_mode & 0o777 == 0o700
    # The formgrader's "Generate" and "Release", then a learner fetches, validates and submits
    # (the untouched exercise), and the instructor collects.
    _nbgrader(fresh_clone, env, "generate_assignment", ASSIGNMENT, "--force")
    _nbgrader(fresh_clone, env, "release_assignment", ASSIGNMENT, ex)
    learner = tmp_path / "learner"
    learner.mkdir()
    assert "Fetched as" in _nbgrader(learner, env, "fetch_assignment", ASSIGNMENT, ex, course)
    for notebook in sorted((learner / ASSIGNMENT).glob("*.ipynb")):
        _nbgrader(learner, env, "validate", str(notebook.relative_to(learner)))
    submitted = _nbgrader(learner, env, "submit", ASSIGNMENT, ex, course, "--student=learner1")
    assert "Submitted as" in submitted
    _nbgrader(fresh_clone, env, "collect", ASSIGNMENT, ex)
    collected = grading / "submitted" / "learner1" / ASSIGNMENT
    assert list(collected.glob("*.ipynb")), "collect put no notebook in _grading/submitted"
    assert (collected / "submission_secret.txt").is_file()
    # nbgrader's own autograde (the formgrader's button), then citykit grade as the guides say.
    _nbgrader(fresh_clone, env, "autograde", ASSIGNMENT, "--force")
    graded = _run(
        [str(BIN / "citykit"), "grade", ASSIGNMENT, "--no-progress", "--force"], fresh_clone, env
    )
    assert "1 graded" in graded
    feedback = grading / "feedback" / "learner1" / ASSIGNMENT
    assert (feedback / "submission_secret.txt").read_text() == (
        collected / "submission_secret.txt"
    ).read_text()
    # Feedback goes back to the learner: citykit's, then nbgrader's regenerated one.
    released = _nbgrader(fresh_clone, env, "release_feedback", ASSIGNMENT, ex)
    assert "Feedback released to" in released
    fetched = _nbgrader(
        learner, env, "fetch_feedback", ASSIGNMENT, ex, course, "--student=learner1"
    )
    assert "Fetched feedback" in fetched
    assert list((learner / ASSIGNMENT / "feedback").rglob("*.html"))
    _nbgrader(fresh_clone, env, "generate_feedback", ASSIGNMENT, "--force")
    assert "Feedback released to" in _nbgrader(fresh_clone, env, "release_feedback", ASSIGNMENT, ex)
    _nbgrader(fresh_clone, env, "export")
    assert "learner1" in (fresh_clone / "grades.csv").read_text()
    assert ASSIGNMENT in _nbgrader(fresh_clone, env, "db", "assignment", "list")


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

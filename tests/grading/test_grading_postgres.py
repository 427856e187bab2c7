"""A shared PostgreSQL gradebook, tested against a real server started on loopback.

The server is Debian's PostgreSQL (``/usr/lib/postgresql/<version>/bin``), initialised in a
temporary folder and run as the ``postgres`` user when the tests run as root. The test skips when
PostgreSQL or psycopg is unavailable -- unless ``CITYKIT_REQUIRE_POSTGRES=1``, then it fails.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from corpus import CASES
from grading_helpers import ASSIGNMENT, CELL_TIMEOUT, copy_course, write_submissions

pytestmark = pytest.mark.grading


def _unavailable(reason: str):
    if os.environ.get("CITYKIT_REQUIRE_POSTGRES", "").strip() not in ("", "0", "false", "no"):
        pytest.fail(f"PostgreSQL is required (CITYKIT_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    try:
        import psycopg
    except ImportError:
        _unavailable("the psycopg driver is not installed (pip install 'psycopg[binary]')")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if not initdb:
        _unavailable("PostgreSQL is not installed (apt-get install -y postgresql)")
    bindir = os.path.dirname(initdb)
    prefix: list[str] = []
    folder = tempfile.mkdtemp(prefix="citykit-pg-")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    data, port = os.path.join(folder, "data"), _free_port()
    pg_ctl = os.path.join(bindir, "pg_ctl")
    started = False
    try:
        subprocess.run(
            [*prefix, initdb, "-D", data, "-U", "grader", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [*prefix, pg_ctl, "-D", data, "-o", options, "-l", f"{folder}/log", "-w", "start"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        started = True
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={port} user=grader dbname=postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE gradebook")
    except (subprocess.SubprocessError, OSError, Exception) as exc:
        if started:
            subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "fast", "stop"], check=False)
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"PostgreSQL could not be started: {exc}")
    yield f"postgresql+psycopg://grader@127.0.0.1:{port}/gradebook"
    subprocess.run(
        [*prefix, pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], check=False, capture_output=True
    )
    time.sleep(0.2)
    shutil.rmtree(folder, ignore_errors=True)


def test_postgres_gradebook_gets_exact_scores_and_journal(tmp_path, release_notebook, postgres_url):
    import sqlalchemy as sa
    from citykit.grading import grade
    from nbgrader.api import Gradebook

    cases = [c for c in CASES if c.name in ("correct", "partly_right", "corrupt_json", "blank")]
    course = copy_course(tmp_path / "course")
    write_submissions(course, release_notebook, cases)
    summary = grade(
        ASSIGNMENT, course_root=course, db_url=postgres_url, workers=2, timeout=CELL_TIMEOUT
    )
    assert {o.student: (o.status, o.auto_score) for o in summary.outcomes} == {
        c.name: (c.status, c.score) for c in cases
    }
    with Gradebook(postgres_url, "fixture-course") as gb:
        assert {s.student_id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions} == {
            c.name: c.score for c in cases
        }
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT student, status FROM citykit_grading_journal")).all()
    engine.dispose()
    assert dict(rows) == {c.name: c.status for c in cases}
    assert not (course / "_grading" / "gradebook.db").exists()  # nothing went to sqlite
    again = grade(ASSIGNMENT, course_root=course, db_url=postgres_url, report=False)
    assert again.outcomes == () and len(again.skipped) == len(cases)

"""Load held: learners sign in, get their server and run a lesson, all at once, on the trial hub.

Each learner, in a thread of their own, at the same moment: signs in through the hub's login form,
has their JupyterLab started (the hub's REST API, as the "Start my server" button does), and runs
every code cell of lesson 00.1 in a kernel of that server (Jupyter's kernel protocol over the
server's websocket, as JupyterLab does). Measured: sign-in, spawn and lesson times (median and
worst), the memory of each learner's processes (proportional set size: shared libraries counted
once across learners), and from these the largest class one server of this size holds.

``make test`` runs 10 learners; ``make hub-load`` (or ``CITYKIT_HUB_LOAD_LEARNERS=30``) more.
The figures are printed and written to ``build/hub-load/<n>-learners.json``; no test asserts on
time (the machine may be busy): the test asserts that every learner got a server running as their
own Unix user and that every cell of every lesson ran without error.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import statistics
import threading
import time
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from hub_helpers import TrialHub, trial_hub_prerequisites

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "curriculum" / "00-foundations" / "01-tables-and-filters.ipynb"
LEARNERS = int(os.environ.get("CITYKIT_HUB_LOAD_LEARNERS", "10"))
OUT = ROOT / "build" / "hub-load"
SPAWN_TIMEOUT_S = 600
CELL_TIMEOUT_S = 600

pytestmark = [pytest.mark.hub, pytest.mark.slow]


def sign_in(hub: TrialHub, user: str) -> float:
    """Sign in through the login form (with its XSRF token); return the seconds it took."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    start = time.monotonic()
    opener.open(f"{hub.url}/hub/login", timeout=120).read()
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    form = urllib.parse.urlencode({"username": user, "password": hub.password, "_xsrf": xsrf})
    request = urllib.request.Request(
        f"{hub.url}/hub/login?next=%2Fhub%2Fhome", data=form.encode(), method="POST"
    )
    with opener.open(request, timeout=120) as response:
        assert response.url.endswith("/hub/home"), f"{user} was not signed in: {response.url}"
    return time.monotonic() - start


def spawn(hub: TrialHub, user: str) -> float:
    """Start the learner's server; return the seconds until the hub says it is ready."""
    start = time.monotonic()
    hub.api("POST", f"/users/{user}/server", timeout=SPAWN_TIMEOUT_S)
    while time.monotonic() - start < SPAWN_TIMEOUT_S:
        server = hub.api("GET", f"/users/{user}")["servers"].get("", {})
        if server.get("ready"):
            return time.monotonic() - start
        time.sleep(0.25)
    raise AssertionError(f"{user}'s server was not ready after {SPAWN_TIMEOUT_S} s")


def run_lesson(hub: TrialHub, user: str, cells: list[str]) -> tuple[float, list[str]]:
    """Run ``cells`` in a new kernel of the learner's server; return (seconds, errors)."""
    from tornado.httpclient import HTTPRequest
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    token = hub.api("POST", f"/users/{user}/tokens", {"expires_in": 3600})["token"]
    base = f"{hub.url}/user/{user}"
    headers = {"Authorization": f"token {token}"}
    request = urllib.request.Request(
        f"{base}/api/kernels", data=b'{"name": "python3"}', method="POST", headers=headers
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        kernel = json.loads(response.read())["id"]

    async def execute() -> tuple[float, list[str]]:
        ws_url = base.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels"
        connection = await websocket_connect(HTTPRequest(ws_url, headers=headers))
        errors: list[str] = []
        session = uuid.uuid4().hex
        start = time.monotonic()
        for number, source in enumerate(cells):
            msg_id = uuid.uuid4().hex
            message = {
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                           "username": user, "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": source, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            }  # fmt: skip
            await connection.write_message(json.dumps(message))
            while True:
                reply = await connection.read_message()
                assert reply is not None, f"{user}: the kernel's websocket closed at cell {number}"
                data = json.loads(reply)
                if data.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if data["msg_type"] == "error":
                    errors.append(f"cell {number}: {data['content']['ename']}")
                if data["msg_type"] == "execute_reply" and data["channel"] == "shell":
                    if data["content"]["status"] != "ok" and not errors:
                        errors.append(f"cell {number}: {data['content']['status']}")
                    break
        elapsed = time.monotonic() - start
        connection.close()
        return elapsed, errors

    return IOLoop.current().run_sync(execute, timeout=CELL_TIMEOUT_S * max(1, len(cells)))


def process_limits(pid: int) -> dict[str, tuple[str, str]]:
    """A process's resource limits from /proc: name -> (soft, hard)."""
    limits = {}
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]:
        name, soft, hard = line[:26].strip(), *line[26:].split()[:2]
        limits[name] = (soft, hard)
    return limits


def learner_memory(uid: int) -> tuple[float, int]:
    """MiB of proportional set size of all the user's processes, and how many there are."""
    import psutil

    total, count = 0, 0
    for process in psutil.process_iter(["uids"]):
        if not process.info["uids"] or process.info["uids"].real != uid:
            continue
        try:
            total += process.memory_full_info().pss
        except psutil.NoSuchProcess:  # ended meanwhile
            continue
        count += 1
    return total / 2**20, count


def test_learners_sign_in_spawn_and_run_a_lesson_at_once(tmp_path):
    trial_hub_prerequisites(postgres=False)
    import pwd

    import psutil

    notebook = nbformat.read(LESSON, as_version=4)
    cells = [c.source for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (course / "solutions").mkdir()
    with TrialHub(learners=LEARNERS, course=course, postgres=False) as hub:
        barrier = threading.Barrier(LEARNERS)
        results: dict[str, dict] = {}

        def learner(user: str) -> None:
            barrier.wait(timeout=120)  # everyone at once
            figures = {"sign_in_s": sign_in(hub, user), "spawn_s": spawn(hub, user)}
            figures["lesson_s"], figures["errors"] = run_lesson(hub, user, cells)
            results[user] = figures

        started = time.monotonic()
        with ThreadPoolExecutor(LEARNERS) as pool:
            for future in [pool.submit(learner, user) for user in hub.learners]:
                future.result()
        wall = time.monotonic() - started
        for user in hub.learners:
            uid = pwd.getpwnam(user).pw_uid
            results[user]["memory_mib"], results[user]["processes"] = learner_memory(uid)
            # The server runs as the learner's own Unix user, with the cohort's limits.
            server = hub.api("GET", f"/users/{user}")["servers"][""]
            assert server["ready"]
            assert results[user]["processes"] >= 2, f"{user}: no server and kernel of their own"
            process = psutil.Process(server["state"]["pid"])
            assert process.uids().real == uid
            limits = process_limits(process.pid)
            assert limits["Max address space"] == (str(hub.memory_mb * 2**20),) * 2
            assert limits["Max processes"] == ("256", "256")
        hub_memory = sum(
            p.memory_full_info().pss
            for p in psutil.Process(hub.process.pid).children(recursive=True) + [
                psutil.Process(hub.process.pid)
            ]
            if p.uids().real == 0
        ) / 2**20  # fmt: skip

    errors = {user: r["errors"] for user, r in results.items() if r["errors"]}
    assert not errors, f"lesson cells failed: {errors}"
    report = summarize(results, wall=wall, hub_memory_mib=hub_memory, cells=len(cells))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{LEARNERS}-learners.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\n" + json.dumps(report, indent=2))


def summarize(results: dict, *, wall: float, hub_memory_mib: float, cells: int) -> dict:
    """Median and worst of each figure, and the class size one server holds (see docs/hub.md)."""

    def spread(key: str) -> dict:
        values = [r[key] for r in results.values()]
        return {"median": round(statistics.median(values), 2), "worst": round(max(values), 2)}

    memory = spread("memory_mib")
    total_mib = 24 * 1024
    reserve_mib = 2048 + hub_memory_mib  # the system, the hub, proxy and services
    by_memory = int((total_mib - reserve_mib) // memory["worst"])
    cpus = os.cpu_count() or 2
    return {
        "learners": len(results),
        "lesson": f"{LESSON.relative_to(ROOT)} ({cells} code cells)",
        "machine": f"{cpus} cores, {round(psutil_total_gib(), 1)} GiB",
        "sign_in_s": spread("sign_in_s"),
        "spawn_s": spread("spawn_s"),
        "lesson_s": spread("lesson_s"),
        "memory_per_learner_mib": memory,
        "hub_memory_mib": round(hub_memory_mib, 1),
        "wall_s": round(wall, 1),
        "class_size_by_memory_on_24_gib": by_memory,
    }


def psutil_total_gib() -> float:
    import psutil

    return psutil.virtual_memory().total / 2**30

"""Browser fixtures: the course's JupyterLab on loopback, driven by headless Chromium.

The tests in this folder act as a learner would: they open lessons and exercises in JupyterLab
(started from the project's environment, like ``make lab``), run cells from the menus and the
keyboard, and look at what is rendered. Screenshots go to ``test-artifacts/browser/``.

Chromium is the system's (Debian's ``chromium`` package): Playwright's own browser download is
not used. Without Chromium (or the ``playwright`` package) the tests skip, unless
``CITYKIT_REQUIRE_BROWSER=1``, which turns the skip into a failure (CI). ``CITYKIT_CHROMIUM``
names another Chromium-based executable.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

SERVER_START_S = 90  # the machine may be busy: JupyterLab usually answers in 5-10 s
UI_TIMEOUT_MS = 30_000  # one action or one wait in the page
RUN_TIMEOUT_S = 45  # a whole notebook (Run All Cells)
CELL_TIMEOUT_S = 30  # one cell

# JupyterLab settings of the test server (an isolated configuration folder, so the tester's own
# settings play no part): no "Jupyter news" pop-up over the screenshots, and every cell attached
# to the page (the default windowing attaches only the cells near the viewport).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def _shorten(text: str, head: int = 400, tail: int = 1600) -> str:
    """A long traceback's first and last lines (the last says what went wrong)."""
    if len(text) <= head + tail:
        return text
    return text[:head] + "\n[...]\n" + text[-tail:]


def _required(variable: str) -> bool:
    return os.environ.get(variable, "").strip() not in ("", "0", "false", "no")


def _skip_or_fail(message: str):
    if _required("CITYKIT_REQUIRE_BROWSER"):
        pytest.fail(message + "; CITYKIT_REQUIRE_BROWSER=1 forbids skipping", pytrace=False)
    pytest.skip(message)


def _chromium_candidates() -> tuple[str, ...]:
    explicit = os.environ.get("CITYKIT_CHROMIUM", "").strip()
    return (explicit,) if explicit else CHROMIUM_CANDIDATES


def find_chromium() -> str | None:
    """Return the path of a Chromium executable, or None."""
    for candidate in _chromium_candidates():
        path = shutil.which(candidate)
        if path:
            return path
    return None


# --------------------------------------------------------------------------------------------
# Browser


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium executable; skips (or fails under CITYKIT_REQUIRE_BROWSER=1) without one."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail(
            "the Python package playwright is not installed (pip install playwright; "
            "the browser itself is the system's chromium, no `playwright install` needed)"
        )
    path = find_chromium()
    if path is None:
        _skip_or_fail(
            "no Chromium found (looked for " + ", ".join(_chromium_candidates()) + "); install it "
            "with `apt-get install chromium` or set CITYKIT_CHROMIUM to a Chromium executable"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable, playwright_driver):
    """A headless Chromium driven by Playwright, closed at the end of the session."""
    chromium = playwright_driver.chromium.launch(
        executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


# --------------------------------------------------------------------------------------------
# JupyterLab server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jupyter_lab_command() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-lab")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "jupyterlab"]


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving a temporary copy of course notebooks."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self.log_path = ARTIFACTS / f"jupyter-server{'-' + worker if worker else ''}.log"
        self.process: subprocess.Popen | None = None
        self._log = None

    # -- lifecycle ------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        """The server's environment: the caller's, with Jupyter's user folders isolated."""
        env = dict(os.environ)
        for name in ("config", "runtime", "data", "ipython"):
            (self.home / name).mkdir(parents=True, exist_ok=True)
        env["JUPYTER_CONFIG_DIR"] = str(self.home / "config")
        env["JUPYTER_RUNTIME_DIR"] = str(self.home / "runtime")
        # Only the *user* data folder is replaced: the environment's share/jupyter (where the
        # nbgrader and ipywidgets lab extensions and the python3 kernel live) stays on the path.
        env["JUPYTER_DATA_DIR"] = str(self.home / "data")
        env["IPYTHONDIR"] = str(self.home / "ipython")
        # The kernels import citykit from this checkout (as the test process does).
        toolkit = str(ROOT / "toolkit")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (toolkit, env.get("PYTHONPATH")) if p)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def _write_settings(self) -> None:
        settings = self.home / "config" / "lab" / "user-settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")

    def start(self) -> None:
        env = self.environment()
        self._write_settings()
        command = [
            *_jupyter_lab_command(),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # as `make lab` does (containers, CI machines)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")  # closed in stop()
        # nbgrader's Validate reads nbgrader_config.py from the server's working folder.
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode} before answering; "
                    f"see {self.log_path}"
                )
            try:
                self.api("GET", "/api/status", timeout=2)
                self.api("GET", "/lab/api/settings", timeout=5)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        raise RuntimeError(
            f"JupyterLab did not answer within {SERVER_START_S} s; see {self.log_path}"
        )

    def _descendants(self) -> list:
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with ipykernel
            return []
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            return []

    def stop(self) -> None:
        """Shut down kernels and the server; kill whatever is left of its process tree."""
        if self.process is None:
            return
        children = self._descendants()
        try:
            if self.process.poll() is None:
                try:
                    self.shutdown_kernels()
                except (OSError, urllib.error.URLError):
                    pass
                try:
                    self.process.send_signal(signal.SIGTERM)
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
        finally:
            for child in children:  # kernels run in sessions of their own
                try:
                    child.kill()
                except Exception:  # already gone
                    pass
            if self._log is not None:
                self._log.close()
            self.process = None

    # -- REST ------------------------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        """Call the server's REST API; return the decoded JSON answer (or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def shutdown_kernels(self) -> None:
        """Shut down every session and kernel (between tests: the machine has two cores)."""
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}", timeout=20)
        for kernel in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=20)

    def url(self, path: str, workspace: str) -> str:
        """The address that opens ``path`` in a fresh JupyterLab workspace, logged in."""
        quoted = urllib.parse.quote(path)
        return f"{self.base}/lab/workspaces/{workspace}/tree/{quoted}?reset&token={self.token}"


@pytest.fixture(scope="session")
def lab_server(browser, tmp_path_factory) -> LabServer:
    """JupyterLab serving a temporary copy of the course's notebooks (started after the browser,
    so that it is not started at all when the tests skip).

    The copy holds ``curriculum/``, ``exercises/`` and ``nbgrader_config.py``; the sample city's
    tables are found by citykit next to its package, so ``datasets/`` is not copied.
    """
    root = tmp_path_factory.mktemp("lab-root")
    for folder in ("curriculum", "exercises"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder)
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    server = LabServer(root, tmp_path_factory.mktemp("lab-home"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------
# A learner's page

_STATUS_IDLE_JS = """() => {
    const bar = document.querySelector('#jp-main-statusbar');
    return !!bar && /\\|\\s*Idle\\b/.test(bar.innerText) && !/No Kernel/.test(bar.innerText);
}"""

_PROMPTS_JS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.innerText.trim())"""


class LabPage:
    """One notebook open in JupyterLab, with the gestures a learner makes."""

    def __init__(self, page, server: LabServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
        self.screenshots: list[Path] = []

    # -- opening ---------------------------------------------------------------------------
    def open(self, path: str) -> LabPage:
        """Open ``path`` (relative to the server root) and wait for its kernel to be idle."""
        workspace = re.sub(r"[^A-Za-z0-9_-]+", "-", self.name)[:60] + "-" + secrets.token_hex(3)
        self.page.goto(self.server.url(path, workspace), timeout=60_000)
        self.page.locator(".jp-NotebookPanel").first.wait_for(state="visible")
        self.wait_for_kernel_idle()
        # Give the notebook the room: hide the file browser (View > Show Left Sidebar).
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Escape")
        if self.page.locator("#jp-left-stack").is_visible():
            self.page.keyboard.press("Control+b")
        return self

    def wait_for_kernel_idle(self, timeout_s: float = RUN_TIMEOUT_S) -> None:
        """Wait until the status bar says the kernel is idle."""
        self.page.wait_for_function(_STATUS_IDLE_JS, timeout=timeout_s * 1000)

    # -- cells -----------------------------------------------------------------------------
    @property
    def cells(self):
        """All cells of the open notebook."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")

    @property
    def code_cells(self):
        """The code cells of the open notebook."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell")

    def code_cell(self, contains: str, *, offset: int = 0):
        """The one code cell whose source contains ``contains`` (or the ``offset``-th after it)."""
        sources = self.code_cells.locator(".jp-InputArea-editor").all_inner_texts()
        found = [i for i, source in enumerate(sources) if contains in source]
        assert len(found) == 1, f"expected one code cell holding {contains!r}, found {len(found)}"
        return self.code_cells.nth(found[0] + offset)

    def prompts(self) -> list[str]:
        """The input prompts of the code cells: ``[ ]:``, ``[*]:`` or ``[12]:``."""
        return self.page.evaluate(_PROMPTS_JS)

    def run_all(self, timeout_s: float = RUN_TIMEOUT_S) -> None:
        """Run > Run All Cells, then wait until no cell is running and the kernel is idle."""
        before = self.prompts()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
        self.wait_until_done(before, timeout_s)

    def wait_until_done(self, before: list[str], timeout_s: float = RUN_TIMEOUT_S) -> None:
        """Wait until a run has started (the prompts differ from ``before``) and finished
        (no ``[*]`` prompt, kernel idle)."""
        deadline = time.monotonic() + timeout_s
        settled = 0
        while time.monotonic() < deadline:
            prompts = self.prompts()
            started = prompts != before
            running = any("*" in p for p in prompts)
            if started and not running and self.page.evaluate(_STATUS_IDLE_JS):
                settled += 1
                if settled >= 3:  # idle on three looks in a row: outputs have arrived
                    return
            else:
                settled = 0
            self.page.wait_for_timeout(250)
        raise AssertionError(
            f"the notebook was still running after {timeout_s} s (prompts: {self.prompts()})"
        )

    def type_into(self, cell, source: str) -> None:
        """Replace the source of ``cell`` by ``source``, as typed in its editor."""
        editor = cell.locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(source)

    def run_cell(self, cell, timeout_s: float = CELL_TIMEOUT_S) -> None:
        """Run ``cell`` with Ctrl+Enter and wait for its new execution count."""
        prompt = cell.locator(".jp-InputPrompt")
        before = prompt.inner_text().strip()
        cell.locator(".jp-InputArea-editor .cm-content").click()
        self.page.keyboard.press("Control+Enter")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            now = prompt.inner_text().strip()
            if re.fullmatch(r"\[\d+\]:", now) and now != before:
                self.wait_for_kernel_idle(timeout_s)
                return
            self.page.wait_for_timeout(200)
        raise AssertionError(f"the cell did not finish within {timeout_s} s (prompt {before!r})")

    # -- outputs ---------------------------------------------------------------------------
    def error_outputs(self, scope=None) -> list[str]:
        """Texts of the error and stderr outputs rendered (in ``scope``, else the notebook)."""
        scope = scope if scope is not None else self.cells
        errors = scope.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        )
        return [_shorten(text.strip()) for text in errors.all_inner_texts()]

    # -- evidence --------------------------------------------------------------------------
    def screenshot(self, label: str, target=None) -> Path:
        """Save a screenshot of the page (with ``target`` scrolled into view)."""
        if target is not None:
            target.scroll_into_view_if_needed()
            self.page.wait_for_timeout(300)
        label = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")
        path = ARTIFACTS / f"{self.slug}--{label}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        self.screenshots.append(path)
        return path


@pytest.fixture
def lab(browser, lab_server, request):
    """A fresh browser page on the course's JupyterLab; kernels are shut down afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    learner = LabPage(page, lab_server, request.node.name)
    for stale in ARTIFACTS.glob(f"{learner.slug}--*.png"):  # from an earlier run
        stale.unlink()
    try:
        yield learner
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            try:
                learner.screenshot("FAILED")  # what the page showed when the test failed
            except Exception:  # evidence is best effort
                pass
        context.close()
        try:
            lab_server.shutdown_kernels()
        except (OSError, urllib.error.URLError):
            pass


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the ``lab`` fixture can screenshot failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

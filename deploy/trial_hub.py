"""A trial hub on this machine, in one command (``make hub``): try a cohort before the class.

It creates, in one temporary folder, what docs/hub.md sets up on a real server: Unix accounts (an
instructor, learners, the course's grader account), the course in the grader's home, nbgrader's
exchange, a PostgreSQL gradebook, and JupyterHub (``deploy/hub/jupyterhub_config.py``) with
configurable-http-proxy, listening on 127.0.0.1 only. Everyone signs in with one trial password.
When it stops (Ctrl+C, or :meth:`TrialHub.stop`), servers, accounts and files are removed.

It needs root (it creates Unix users), Node's configurable-http-proxy (``make hub`` installs it
from the npm registry into ``deploy/proxy/``) and Debian's PostgreSQL for the gradebook (without
it, ``--no-postgres`` keeps the course's sqlite gradebook).

The tests (tests/hub) drive the same class from Python::

    with TrialHub(learners=3) as hub:
        hub.api("GET", "/users")
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
HUB_CONFIG = DEPLOY / "hub" / "jupyterhub_config.py"
COURSE_ID = "city-analyst-academy"
START_TIMEOUT_S = 180

__all__ = ["TrialHub", "find_proxy", "main"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_proxy() -> str | None:
    """configurable-http-proxy: installed by ``make hub`` in deploy/proxy/, else on PATH."""
    local = DEPLOY / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.is_file():
        return str(local)
    return shutil.which("configurable-http-proxy")


def _run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{' '.join(command)} failed: {exc.stderr or exc.stdout}") from exc


def as_user(user: str):
    """A ``preexec_fn`` that becomes ``user`` (ids and groups, no privileges), as the hub does."""
    entry = pwd.getpwnam(user)
    groups = os.getgrouplist(user, entry.pw_gid)

    def become() -> None:
        os.setgid(entry.pw_gid)
        os.setgroups(groups)
        os.setuid(entry.pw_uid)

    return become


def _runs_as_nobody(python: Path, env: dict[str, str]) -> bool:
    """Whether an unprivileged user can run ``python`` (not the case for a pyenv in /root)."""
    try:
        probe = subprocess.run(
            [str(python), "-c", "import jupyterhub, citykit"],
            capture_output=True, cwd="/", timeout=120, preexec_fn=as_user("nobody"),
            env={"PATH": "/usr/bin:/bin", **env},
        )  # fmt: skip
    except PermissionError:
        return False
    return probe.returncode == 0


class TrialHub:
    """A cohort's hub on loopback, with throw-away accounts (see the module's docstring).

    Parameters
    ----------
    learners : int, keyword-only
        How many learner accounts (``<tag>-learner1`` ...).
    course : Path, keyword-only
        The course folder to put in the grader's home (default: this repository's
        ``nbgrader_config.py``, ``solutions/`` and ``exercises/``).
    root : Path, keyword-only
        Where everything lives (default: a new temporary folder).
    tag : str, keyword-only
        Prefix of the Unix accounts (default: ``ct`` and four random letters, so parallel
        trials never share an account).
    postgres : bool, keyword-only
        Keep the gradebook in a PostgreSQL server started for the trial (default) or in sqlite.
    idle_timeout_s, memory_mb : int, keyword-only
        As in cohort.toml.
    lti13 : dict, keyword-only
        Sign-in by LTI 1.3 with these settings (the ``[lti13]`` table of cohort.toml) instead of
        the trial password.
    """

    def __init__(
        self,
        *,
        learners: int = 3,
        course: Path | None = None,
        root: Path | None = None,
        tag: str | None = None,
        postgres: bool = True,
        idle_timeout_s: int = 3600,
        memory_mb: int = 4096,
        lti13: dict | None = None,
    ) -> None:
        self.tag = tag or "ct" + secrets.token_hex(2)
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="citykit-trial-hub-"))
        self.course_source = Path(course) if course else None
        self.instructor = f"{self.tag}-instructor"
        self.learners = [f"{self.tag}-learner{i}" for i in range(1, learners + 1)]
        self.grader = f"{self.tag}-grader"
        self.password = secrets.token_urlsafe(12)
        self.api_token = secrets.token_hex(32)
        self.port = _free_port()
        self.grader_port = _free_port()
        self.hub_port = _free_port()
        self.proxy_api_port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.use_postgres = postgres
        self.idle_timeout_s = idle_timeout_s
        self.memory_mb = memory_mb
        self.lti13 = dict(lti13 or {})
        self.created_users: list[str] = []
        self.extra_env: dict[str, str] = {}  # every process of the trial (see _course_python)
        self.process: subprocess.Popen | None = None
        self.gradebook_url = ""
        self._pg: tuple[str, str] | None = None
        self._log = None

    # -- paths ----------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        """Parent of the trial accounts' home folders."""
        return self.root / "home"

    @property
    def course_root(self) -> Path:
        """The course in the grader account's home."""
        return self.home / self.grader / COURSE_ID

    @property
    def exchange(self) -> Path:
        """The root of nbgrader's exchange."""
        return self.root / "exchange"

    @property
    def log_path(self) -> Path:
        """The hub's log (hub, proxy, services and every server)."""
        return self.root / "hub.log"

    def home_of(self, user: str) -> Path:
        """A trial account's home folder."""
        return self.home / user

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> TrialHub:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Create accounts, course, exchange and gradebook; start the hub; wait until it answers."""
        if os.geteuid() != 0:
            raise RuntimeError("the trial hub creates Unix accounts: run it as root")
        proxy = find_proxy()
        if proxy is None:
            raise RuntimeError(
                "configurable-http-proxy was not found: `make hub` installs it (npm registry) "
                "into deploy/proxy/, or install it with `npm install -g configurable-http-proxy`"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.home.mkdir(mode=0o755, exist_ok=True)
        state = self.root / "state"
        state.mkdir(mode=0o700, exist_ok=True)
        python = self._course_python()
        for user in (self.grader, self.instructor, *self.learners):
            self._add_user(user)
        self._install_course()
        self._make_exchange()
        if self.use_postgres:
            self._start_postgres()
        cohort = {
            "course_id": COURSE_ID,
            "course_root": str(self.course_root),
            "grader": self.grader,
            "instructors": [self.instructor],
            "learners": self.learners,
            "exchange": str(self.exchange),
            "python": str(python),
            "gradebook_url": self.gradebook_url,
            "bind_url": self.url,
            "state_dir": str(state),
            "grader_port": self.grader_port,
            "hub_port": self.hub_port,
            "proxy_api_port": self.proxy_api_port,
            "memory_mb": self.memory_mb,
            "idle_timeout_s": self.idle_timeout_s,
            "authenticator": "lti13" if self.lti13 else "trial",
            "trial_password": self.password,
            "lti13": self.lti13,
            "trial_api_token": self.api_token,
            "proxy_command": [proxy],
            # git refuses to read a repository owned by another user (a course repository of
            # the trial is root's): the trial's accounts share a git configuration that allows it.
            "environment": {**self.extra_env, "GIT_CONFIG_GLOBAL": str(self.root / "gitconfig")},
        }
        (self.root / "gitconfig").write_text("[safe]\n\tdirectory = *\n", encoding="utf-8")
        os.chmod(self.root / "gitconfig", 0o644)
        (state / "cohort.toml").write_text(_toml(cohort), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "CITYKIT_"))}
        env["CITYKIT_COHORT_FILE"] = str(state / "cohort.toml")
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=state,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterHub exited with code {self.process.returncode}; its log "
                    f"{self.log_path} ends with:\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/users", timeout=5)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        raise RuntimeError(f"JupyterHub did not answer in {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the hub and its servers; remove the accounts, the gradebook server and the files."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=30)
            self.process = None
        try:
            if self._pg is not None:
                pg_ctl, data = self._pg
                subprocess.run([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"],
                               capture_output=True, timeout=120, preexec_fn=as_user("postgres"))  # fmt: skip
                self._pg = None
        finally:
            for user in list(self.created_users):
                self._remove_user(user)
            if self._log is not None:
                self._log.close()
                self._log = None
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the hub's log."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    # -- the hub's REST API ---------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        """Call ``/hub/api<path>`` with the trial's admin token; return the decoded answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/hub/api{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.api_token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def run_as(self, user: str, *command: str, cwd: Path | None = None, env: dict | None = None,
               timeout: float = 600) -> subprocess.CompletedProcess:  # fmt: skip
        """Run a command as a trial account, as in a terminal of its JupyterLab."""
        cohort_env = {
            "HOME": str(self.home_of(user)),
            "USER": user,
            "LOGNAME": user,
            "PATH": os.pathsep.join([str(self._course_python().parent), "/usr/bin", "/bin"]),
            "JUPYTER_CONFIG_PATH": os.pathsep.join(
                [str(DEPLOY / "hub" / "jupyter" / self.role_of(user)),
                 str(DEPLOY / "hub" / "jupyter" / "common")]
            ),
            "CITYKIT_COURSE_ID": COURSE_ID,
            "CITYKIT_EXCHANGE": str(self.exchange),
            **self.extra_env,
        }  # fmt: skip
        if user == self.grader and self.gradebook_url:
            cohort_env["CITYKIT_GRADEBOOK_URL"] = self.gradebook_url
        cohort_env.update(env or {})
        return subprocess.run(
            command,
            preexec_fn=as_user(user),
            cwd=cwd or self.home_of(user),
            env=cohort_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    @property
    def python(self) -> Path:
        """The course environment's Python, as every account runs it."""
        return self._course_python()

    def role_of(self, user: str) -> str:
        """learner, instructor or grader."""
        if user == self.grader:
            return "grader"
        return "instructor" if user == self.instructor else "learner"

    # -- pieces ---------------------------------------------------------------------------
    def _course_python(self) -> Path:
        """A Python every account can run, with this project's environment.

        The project's own interpreter when unprivileged users can run it. Otherwise (e.g. a
        pyenv Python in root's private home) a stand-in: the same interpreter, hard-linked (or
        copied) into the trial's folder without its site-packages, and a view of the project's
        environment on it (``lib``, ``share`` and ``etc`` are the project's). A real server
        installs the course environment where everyone can read it instead (docs/hub.md).
        """
        cached = getattr(self, "_python", None)
        if cached is not None:
            return cached
        own = Path(sys.executable)
        if _runs_as_nobody(own, self.extra_env):
            self._python = own
            return own
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        base = self.root / "python"
        _link_interpreter(Path(sys.base_prefix), base, version)
        self.extra_env = {"LD_LIBRARY_PATH": str(base / "lib")}
        view = self.root / "env"
        (view / "bin").mkdir(parents=True, exist_ok=True)
        prefix = Path(sysconfig.get_paths()["purelib"]).parents[2]  # <venv>/lib/pythonX.Y/...
        for name in ("lib", "share", "etc", "include"):
            if (prefix / name).exists() and not (view / name).exists():
                (view / name).symlink_to(prefix / name)
        for name in ("python", "python3", version):
            link = view / "bin" / name
            if not link.exists():
                link.symlink_to(base / "bin" / version)
        (view / "pyvenv.cfg").write_text(
            f"home = {base / 'bin'}\ninclude-system-site-packages = false\n"
            f"version = {'.'.join(map(str, sys.version_info[:3]))}\n",
            encoding="utf-8",
        )
        python = view / "bin" / "python"
        # The environment's commands (nbgrader, alembic, jupyter, citykit ...), on this Python.
        for script in (prefix / "bin").iterdir():
            target = view / "bin" / script.name
            if target.exists() or target.is_symlink() or not script.is_file():
                continue
            try:
                text = script.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            first, _, rest = text.partition("\n")
            if first.startswith("#!") and "python" in first:
                target.write_text(f"#!{python}\n{rest}", encoding="utf-8")
                target.chmod(0o755)
        if not _runs_as_nobody(python, self.extra_env):
            raise RuntimeError(
                f"{python} (a view of {prefix}) cannot import jupyterhub and citykit"
            )
        self._python = python
        return python

    def _add_user(self, user: str) -> None:
        try:
            pwd.getpwnam(user)
        except KeyError:
            pass
        else:
            raise RuntimeError(f"a Unix account {user!r} exists already; choose another tag")
        home = self.home_of(user)
        _run("useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
             "--user-group", "--comment", "City Analyst Academy trial", user)  # fmt: skip
        self.created_users.append(user)
        os.chmod(home, 0o700)

    def _remove_user(self, user: str) -> None:
        try:
            uid = pwd.getpwnam(user).pw_uid
        except KeyError:
            self.created_users.remove(user)
            return
        _kill_uid(uid)
        subprocess.run(["userdel", "--remove", "--force", user], capture_output=True, timeout=60)
        self.created_users.remove(user)

    def _install_course(self) -> None:
        dest = self.course_root
        if self.course_source is None:
            dest.mkdir(parents=True)
            shutil.copy2(ROOT / "nbgrader_config.py", dest)
            for folder in ("solutions", "exercises"):
                shutil.copytree(ROOT / folder, dest / folder)
        else:
            shutil.copytree(self.course_source, dest,
                            ignore=shutil.ignore_patterns("_grading", "__pycache__"))  # fmt: skip
        _run("chown", "-R", f"{self.grader}:{self.grader}", str(dest))

    def _make_exchange(self) -> None:
        """Make the exchange root and the course's folder in it.

        nbgrader needs an exchange root every account can write to: root's, mode 1777 (the
        sticky bit: nobody removes what another made). The course's folder in it is made first,
        by the grader account, so no learner can make one of that name.
        """
        self.exchange.mkdir(exist_ok=True)
        os.chmod(self.exchange, 0o1777)
        course = self.exchange / COURSE_ID
        course.mkdir(mode=0o755, exist_ok=True)
        _run("chown", f"{self.grader}:{self.grader}", str(course))

    def _start_postgres(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError(
                "PostgreSQL is not installed (apt-get install postgresql), or use --no-postgres"
            )
        bindir = os.path.dirname(bins[-1])
        folder = self.root / "postgres"
        folder.mkdir(mode=0o700)
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        become = as_user("postgres")
        data, port = str(folder / "data"), _free_port()
        _run(f"{bindir}/initdb", "-D", data, "-U", "grader", "--auth=trust", "-E", "UTF8",
             timeout=180, preexec_fn=become)  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        _run(f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", f"{folder}/log", "-w",
             "start", timeout=180, preexec_fn=become)  # fmt: skip
        self._pg = (f"{bindir}/pg_ctl", data)
        _run(f"{bindir}/psql",
             "-h", "127.0.0.1", "-p", str(port), "-U", "grader", "-d", "postgres", "-c",
             "CREATE DATABASE gradebook", timeout=60, preexec_fn=become)  # fmt: skip
        self.gradebook_url = f"postgresql+psycopg://grader@127.0.0.1:{port}/gradebook"


def _link_interpreter(source: Path, dest: Path, version: str) -> None:
    """Hard-link (copy across file systems) the interpreter at ``source`` into ``dest``.

    Its binary, its shared library and its standard library; not its site-packages.
    """
    wanted = [source / "bin" / version, *sorted((source / "lib").glob("libpython*"))]
    stdlib = source / "lib" / version
    for folder, dirs, files in os.walk(stdlib):
        if Path(folder) == stdlib and "site-packages" in dirs:
            dirs.remove("site-packages")
        wanted.extend(Path(folder) / name for name in files)
    for path in wanted:
        target = dest / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            target.symlink_to(os.readlink(path))
            continue
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    (dest / "lib" / version / "site-packages").mkdir(exist_ok=True)
    for folder, _dirs, _files in os.walk(dest):
        os.chmod(folder, 0o755)


def _kill_uid(uid: int) -> None:
    """Kill every process of one trial account (by user id; the account is the trial's own)."""
    import psutil

    for process in psutil.process_iter(["uids"]):
        try:
            if process.info["uids"] and process.info["uids"].real == uid:
                process.kill()
        except psutil.Error:
            pass


def _toml(values: dict) -> str:
    lines = []
    for key, value in values.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(f"cannot write {value!r} as TOML")


def main(argv: list[str] | None = None) -> int:
    """``make hub``: start a trial hub and keep it until Ctrl+C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=3, help="learner accounts (default 3)")
    parser.add_argument("--no-postgres", action="store_true", help="keep the sqlite gradebook")
    args = parser.parse_args(argv)
    hub = TrialHub(learners=args.learners, postgres=not args.no_postgres)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with hub:
        print(f"Trial hub: {hub.url}/  (listening on 127.0.0.1 only)")
        print(f"  instructor: {hub.instructor}")
        print(f"  learners:   {', '.join(hub.learners)}")
        print(f"  password:   {hub.password}  (every account)")
        print(f"  formgrader: {hub.url}/services/{COURSE_ID}/  (instructors)")
        print(f"  files:      {hub.root}  (removed on exit)")
        print("Ctrl+C stops the hub and removes the accounts.")
        try:
            while not stop and hub.process and hub.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

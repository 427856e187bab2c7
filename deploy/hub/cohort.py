"""A cohort on one server: its settings (``cohort.toml``) and the spawner of its servers.

``jupyterhub_config.py`` (beside this file) reads the settings with :func:`load_cohort` and
starts every learner's and instructor's JupyterLab with :class:`CohortSpawner`: as the person's
own Unix user (JupyterHub's ``LocalProcessSpawner``), with the Jupyter configuration of their role
(``jupyter/learner``, ``jupyter/instructor``) and per-process resource limits.

Settings (``cohort.toml``; every key is described in docs/hub.md)::

    course_id = "city-analyst-academy"
    course_root = "/home/grader-city-analyst-academy/city-analyst-academy"
    grader = "grader-city-analyst-academy"
    instructors = ["ada"]
    learners = ["ben", "cy"]
    exchange = "/srv/nbgrader/exchange"
    gradebook_url = "postgresql+psycopg://grader@127.0.0.1:5432/cohort"
    python = "/opt/city-analyst-academy/.venv/bin/python"
"""

from __future__ import annotations

import os
import pwd
import resource
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

HERE = Path(__file__).resolve().parent
JUPYTER = HERE / "jupyter"

__all__ = ["Cohort", "CohortSpawner", "load_cohort", "role_environment"]

AUTHENTICATORS = ("pam", "lti13", "trial")


@dataclass(frozen=True)
class Cohort:
    """What the hub needs to know about one class (see the module's docstring)."""

    course_id: str
    course_root: Path
    grader: str
    instructors: tuple[str, ...]
    learners: tuple[str, ...]
    exchange: Path
    python: Path
    gradebook_url: str = ""
    bind_url: str = "http://127.0.0.1:8000"
    state_dir: Path = Path("/srv/jupyterhub")
    grader_port: int = 9999
    hub_port: int = 8081
    proxy_api_port: int = 8001
    memory_mb: int = 4096
    max_processes: int = 256
    idle_timeout_s: int = 3600
    authenticator: str = "pam"
    trial_password: str = ""
    lti13: dict = field(default_factory=dict)
    environment: dict = field(default_factory=dict)
    proxy_command: tuple[str, ...] = ("configurable-http-proxy",)
    trial_api_token: str = ""

    @property
    def instructor_group(self) -> str:
        """The course's group of instructors and graders in nbgrader's naming."""
        return f"formgrade-{self.course_id}"

    @property
    def learner_group(self) -> str:
        """The course's group of learners in nbgrader's naming (``nbgrader-<course>``)."""
        return f"nbgrader-{self.course_id}"

    @property
    def bin_dir(self) -> Path:
        """The folder of the course environment's interpreter (first on every server's PATH)."""
        return self.python.parent


def _fail(path: Path, message: str):
    raise ValueError(f"{path}: {message}")


def load_cohort(path: str | os.PathLike) -> Cohort:
    """Read and check ``cohort.toml``.

    Raises
    ------
    ValueError
        Naming the setting, what was found and what to write instead.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(
            f"the cohort's settings {path} do not exist; copy deploy/hub/cohort.example.toml "
            "there and fill it in (docs/hub.md, step 4)"
        )
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    required = ("course_id", "course_root", "grader", "instructors", "learners", "exchange",
                "python")  # fmt: skip
    missing = [key for key in required if key not in data]
    if missing:
        _fail(path, f"missing settings: {', '.join(missing)}")
    known = set(Cohort.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        _fail(path, f"unknown settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    for key in ("instructors", "learners"):
        if not isinstance(data[key], list) or not all(isinstance(n, str) for n in data[key]):
            _fail(path, f"{key} must be a list of user names, found {data[key]!r}")
    both = sorted(set(data["instructors"]) & set(data["learners"]))
    if both:
        _fail(path, f"{', '.join(both)} listed both as instructor and as learner")
    if data.get("authenticator", "pam") not in AUTHENTICATORS:
        _fail(
            path, f"authenticator must be one of {AUTHENTICATORS}, found {data['authenticator']!r}"
        )
    if data.get("authenticator") == "trial" and not data.get("trial_password"):
        _fail(path, "authenticator 'trial' needs a trial_password")
    values = dict(data)
    for key in ("course_root", "exchange", "python", "state_dir"):
        if key in values:
            values[key] = Path(values[key])
    for key in ("instructors", "learners", "proxy_command"):
        if key in values:
            values[key] = tuple(values[key])
    cohort = Cohort(**values)
    if not cohort.python.is_file():
        _fail(path, f"python {cohort.python} does not exist (the course environment's python)")
    return cohort


def role_environment(cohort: Cohort, role: str) -> dict[str, str]:
    """The environment of a server of ``role`` (learner, instructor or grader)."""
    config_path = [str(JUPYTER / role), str(JUPYTER / "common")]
    env = {
        "PATH": os.pathsep.join([str(cohort.bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]),
        "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path),
        "CITYKIT_COURSE_ID": cohort.course_id,
        "CITYKIT_EXCHANGE": str(cohort.exchange),
        "PYTHONNOUSERSITE": "1",
    }
    env.update({k: str(v) for k, v in cohort.environment.items()})
    return env


class CohortSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with the role's configuration and per-process limits.

    Each server runs as the person's own Unix user, so files, submissions and processes are
    theirs. Limits (``setrlimit``, inherited by every kernel the server starts): address space
    ``memory_mb`` per process, ``max_processes`` processes per user, no core files.
    """

    #: The cohort, set once by jupyterhub_config.py.
    cohort: Cohort | None = None

    @property
    def role(self) -> str:
        """``instructor`` for the cohort's instructors, else ``learner``."""
        return "instructor" if self.user.name in self.cohort.instructors else "learner"

    def get_env(self):
        """The server's environment: JupyterHub's, plus the role's (see role_environment)."""
        env = super().get_env()
        env.update(role_environment(self.cohort, self.role))
        return env

    def make_preexec_fn(self, name):
        """Limits first (as root), then become the user."""
        cohort = self.cohort
        switch_user = set_user_setuid(name)
        memory = cohort.memory_mb * 1024 * 1024
        processes = cohort.max_processes

        def preexec() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            switch_user()

        return preexec

    def user_env(self, env):
        """HOME is the account's home folder (the hub's own may differ)."""
        env = super().user_env(env)
        env["HOME"] = pwd.getpwnam(self.user.name).pw_dir
        return env

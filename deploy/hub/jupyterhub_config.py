"""JupyterHub for one cohort of City Analyst Academy on one Linux server.

Read by ``jupyterhub -f deploy/hub/jupyterhub_config.py``; the class is described in
``cohort.toml`` (path in ``$CITYKIT_COHORT_FILE``, default ``/etc/city-analyst-academy/cohort.toml``).
What it sets up, step by step in docs/hub.md:

* every person signs in (PAM: their Unix password; or LTI 1.3 from Canvas or Moodle) and gets a
  JupyterLab running as their own Unix user (``CohortSpawner``), with per-process limits;
* nbgrader's groups: ``nbgrader-<course>`` (learners) and ``formgrade-<course>`` (instructors);
* the shared grader account runs the course's formgrader as a hub service named after the course
  (``/services/<course>/``), open to the instructors' group only, on a page of its own (never in a
  frame, so every server keeps JupyterHub's ``frame-ancestors 'none'``);
* the idle culler stops servers unused for ``idle_timeout_s``.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cohort import CohortSpawner, load_cohort, role_environment  # noqa: E402

c = get_config()  # provided by JupyterHub when it loads this file

cohort = load_cohort(os.environ.get("CITYKIT_COHORT_FILE", "/etc/city-analyst-academy/cohort.toml"))
people = set(cohort.instructors) | set(cohort.learners)
services: list[dict] = []  # hub services and roles, set at the end
roles: list[dict] = []

# -- the hub --------------------------------------------------------------------------------
c.JupyterHub.bind_url = cohort.bind_url
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{cohort.hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{cohort.proxy_api_port}"
c.JupyterHub.db_url = f"sqlite:///{cohort.state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(cohort.state_dir / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(cohort.state_dir / "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.command = list(cohort.proxy_command)
c.JupyterHub.cleanup_servers = True

# -- who signs in -------------------------------------------------------------------------------
if cohort.authenticator == "pam":
    c.JupyterHub.authenticator_class = "pam"
elif cohort.authenticator == "lti13":
    from lti13 import configure_lti13

    configure_lti13(c, cohort)
else:  # "trial": the trial hub's accounts, one shared password (make hub, the tests)
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = cohort.trial_password
if cohort.trial_api_token:  # the trial hub's own scripts (make hub, tests) drive it by API
    services.append({"name": "trial-admin", "api_token": cohort.trial_api_token})
    roles.append(
        {
            "name": "trial-admin",
            "scopes": [
                "admin:users",
                "admin:servers",
                "admin:groups",
                "tokens",
                "list:services",
                "read:services",
            ],
            "services": ["trial-admin"],
        }
    )
c.Authenticator.allowed_users = people
c.Authenticator.admin_users = set()

# nbgrader's course groups (the formgrader's access and nbgrader's JupyterHub plugins use them).
c.JupyterHub.load_groups = {
    cohort.learner_group: {"users": sorted(cohort.learners)},
    cohort.instructor_group: {"users": sorted(cohort.instructors)},
}

# -- everyone's JupyterLab ----------------------------------------------------------------------
CohortSpawner.cohort = cohort
c.JupyterHub.spawner_class = CohortSpawner
c.Spawner.cmd = [str(cohort.python), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.mem_limit = f"{cohort.memory_mb}M"  # shown to the server; enforced per process above
# A server's own token may also open the course's formgrader service, for those who may (the
# instructors): nbgrader's course list checks that it answers before it lists the course.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    f"access:services!service={cohort.course_id}",
]

# -- the course's formgrader, in the shared grader account ---------------------------------------
grader_env = role_environment(cohort, "grader")
grader_env["PYTHONPATH"] = str(HERE / "jupyter" / "grader")  # the formgrader_tab extension
if cohort.gradebook_url:
    grader_env["CITYKIT_GRADEBOOK_URL"] = cohort.gradebook_url
services += [
    {
        "name": cohort.course_id,
        "url": f"http://127.0.0.1:{cohort.grader_port}",
        "command": [str(cohort.python), "-m", "jupyterhub.singleuser"],
        "user": cohort.grader,
        "cwd": str(cohort.course_root),
        "environment": grader_env,
        "oauth_no_confirm": True,
        "display": True,
    },
    {
        "name": "idle-culler",
        "command": [
            str(cohort.python),
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={cohort.idle_timeout_s}",
        ],
    },
]
roles += [
    {
        "name": f"formgrade-{cohort.course_id}",
        "description": "the course's instructors open its formgrader",
        "scopes": [f"access:services!service={cohort.course_id}"],
        "groups": [cohort.instructor_group],
    },
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

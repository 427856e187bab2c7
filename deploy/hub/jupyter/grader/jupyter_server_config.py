"""The course's grader account, run by the hub as a service: the formgrader and the course files.

It opens on the formgrader page itself, a top-level page of its own browser tab: JupyterHub
(4.1 and later) forbids embedding its pages in frames (``frame-ancestors 'none'``), so the
formgrader is never opened inside JupyterLab here. The course list's link
(``/lab?formgrader=true``) is sent to the same page.
"""

from pathlib import Path

c = get_config()  # provided by Jupyter when it loads this file

c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab-settings")
c.ServerApp.default_url = "/formgrader"
c.ServerApp.jpserver_extensions.update(
    {
        "nbgrader.server_extensions.formgrader": True,
        "nbgrader.server_extensions.course_list": False,
        "nbgrader.server_extensions.assignment_list": False,
        "formgrader_tab": True,
    }
)

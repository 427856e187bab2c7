"""JupyterLab of an instructor: the course list links to the course's formgrader service.

The formgrader runs in the shared grader account (a JupyterHub service) and opens in its own
browser tab; the instructor's own server has no formgrader and no gradebook.
"""

from pathlib import Path

c = get_config()  # provided by Jupyter when it loads this file

c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab-settings")
c.ServerApp.jpserver_extensions.update(
    {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": True,
        "nbgrader.server_extensions.assignment_list": True,
        "nbgrader.server_extensions.validate_assignment": True,
    }
)

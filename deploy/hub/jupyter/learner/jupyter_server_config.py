"""JupyterLab of a learner: the Assignments tab, no instructor tools.

The formgrader, Create Assignment and the course list are switched off, in the page (their
JupyterLab plugins, in lab-settings/page_config.json) and on the server (their server
extensions). Learners cannot grade anyway: the course files and the gradebook are not theirs.
"""

from pathlib import Path

c = get_config()  # provided by Jupyter when it loads this file

c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab-settings")
c.ServerApp.jpserver_extensions.update(
    {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
        "nbgrader.server_extensions.assignment_list": True,
        "nbgrader.server_extensions.validate_assignment": True,
    }
)

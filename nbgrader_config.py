"""nbgrader configuration of City Analyst Academy.

Solutions (the instructor's source, with hidden tests) live in ``solutions/``; the learner's
copies are generated into ``exercises/`` with ``citykit course build`` (never edited by hand).
Everything produced while grading a cohort (submissions, autograded copies, feedback and the
gradebook) lives under the git-ignored ``_grading/`` folder.

A fresh clone works as it is: the course root is the folder of this file (whatever the current
folder), ``_grading/`` is created when missing (sqlite cannot create the gradebook's folder, and
the formgrader would wait on "Loading" for ever), and the ``alembic`` command that nbgrader runs to
create a new gradebook is found next to the Python running nbgrader, even when that environment's
``bin`` folder is not on ``PATH``.

On the cohort's JupyterHub, ``deploy/hub/jupyter/common/nbgrader_config.py`` (the exchange) is read
as well; see docs/hub.md. ``CITYKIT_GRADEBOOK_URL`` replaces the sqlite gradebook, e.g. with the
cohort's PostgreSQL gradebook.
"""

import os
import sys
from pathlib import Path

c = get_config()  # provided by nbgrader when it loads this file (F821 ignored in pyproject.toml)

COURSE_ROOT = Path(__file__).resolve().parent
GRADING = COURSE_ROOT / "_grading"

c.CourseDirectory.root = str(COURSE_ROOT)
c.CourseDirectory.course_id = "city-analyst-academy"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "_grading/submitted"
c.CourseDirectory.autograded_directory = "_grading/autograded"
c.CourseDirectory.feedback_directory = "_grading/feedback"
c.CourseDirectory.solution_directory = "_grading/released-solutions"
c.CourseDirectory.db_url = os.environ.get("CITYKIT_GRADEBOOK_URL") or (
    f"sqlite:///{GRADING / 'gradebook.db'}"
)

# A fresh clone has no _grading/ yet: create it (private: it will hold submissions and a
# gradebook that contains the solutions) when the user may write here.
if not GRADING.is_dir() and os.access(COURSE_ROOT, os.W_OK):
    GRADING.mkdir(mode=0o700, exist_ok=True)

# nbgrader creates a new gradebook by running the `alembic` command: look for it next to the
# interpreter first (a virtual environment that was not activated).
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join(p for p in (_bin, os.environ.get("PATH")) if p)

# A learner's answer cell starts empty; the check cell then says "not attempted" in plain words
# instead of a NotImplementedError traceback.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Runaway cells are interrupted, not waited for.
c.Execute.timeout = 60
c.Execute.kernel_name = "python3"
c.ExecutePreprocessor.kernel_name = "python3"

# A deleted grade cell is put back at autograde, so it is scored rather than lost.
c.OverwriteCells.add_missing_cells = True

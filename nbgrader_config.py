"""nbgrader configuration of City Analyst Academy.

Solutions (the instructor's source, with hidden tests) live in ``solutions/``; the learner's
copies are generated into ``exercises/`` with ``citykit course build`` (never edited by hand).
Everything produced while grading a cohort (submissions, autograded copies, feedback and the
gradebook) lives under the git-ignored ``_grading/`` folder.
"""

c = get_config()  # provided by nbgrader when it loads this file (F821 ignored in pyproject.toml)

c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "city-analyst-academy"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "_grading/submitted"
c.CourseDirectory.autograded_directory = "_grading/autograded"
c.CourseDirectory.feedback_directory = "_grading/feedback"
c.CourseDirectory.solution_directory = "_grading/released-solutions"
c.CourseDirectory.db_url = "sqlite:///_grading/gradebook.db"

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

"""nbgrader configuration of the small test course (same folder layout as the real course)."""

c = get_config()  # provided by nbgrader when it loads this file

c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "fixture-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "_grading/submitted"
c.CourseDirectory.autograded_directory = "_grading/autograded"
c.CourseDirectory.feedback_directory = "_grading/feedback"
c.CourseDirectory.solution_directory = "_grading/released-solutions"
c.CourseDirectory.db_url = "sqlite:///_grading/gradebook.db"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

c.Execute.timeout = 60
c.OverwriteCells.add_missing_cells = True

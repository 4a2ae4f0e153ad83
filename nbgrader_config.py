"""nbgrader's view of the kit: `solutions/` is its source, `assignments/` its release.

With this file, nbgrader's own commands (generate_assignment, validate, autograde, generate_feedback,
formgrader) work on the kit as they are; `python -m autograder release <id>` runs generate_assignment.
"""
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "grades/nbgrader/submitted"
c.CourseDirectory.autograded_directory = "grades/nbgrader/autograded"
c.CourseDirectory.feedback_directory = "grades/nbgrader/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "grades", "nbgrader.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

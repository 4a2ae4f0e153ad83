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
# nbgrader opens its database before it makes any folder: make the database's folder here, so every nbgrader
# command works on a fresh clone (grades/ is not in git).
os.makedirs(os.path.join(c.CourseDirectory.root, "grades"), exist_ok=True)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "grades", "nbgrader.db")
# hidden/ holds the hidden suite beside each source notebook: never copied into the release
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache", "hidden"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# `nbgrader autograde` (see docs/nbgrader.md). The grade of each autograded cell comes from the hidden suite,
# which runs student code only in the kit's sandbox; `python -m autograder nbgrader autograde <id>` runs
# nbgrader's autograde, the suite and the merge in order. nbgrader still sanitises every submission as it
# always does (OverwriteCells restores locked cells, points, grade ids and checksums from the source).
# By default nbgrader does not execute submissions: that would run untrusted code outside the sandbox.
# Set RUN_STUDENT_CODE = True to have it re-run them as well (their outputs then show in formgrader and
# the feedback); a cell that hangs is interrupted after Execute.timeout seconds, and a notebook whose kernel
# dies is reported and skipped while the others are graded.
RUN_STUDENT_CODE = False

from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern,  # noqa: E402
                                    LimitOutput, SaveAutoGrades)

from autograder.integrations.nbgrader_hooks import AwaitSuiteScores  # noqa: E402

c.Autograde.autograde_preprocessors = [
    *([Execute] if RUN_STUDENT_CODE else []),
    IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    AwaitSuiteScores,  # every autograded cell scores 0 until the merge writes the suite's score
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.Execute.timeout = 60            # seconds per cell, for `nbgrader validate` and RUN_STUDENT_CODE
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0

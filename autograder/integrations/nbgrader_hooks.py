"""A step of nbgrader's own autograde pipeline, named in nbgrader_config.py.

Until ``python -m autograder nbgrader merge`` writes the hidden suite's scores, every autograded cell
scores 0 in nbgrader's gradebook and says why (an error output is nbgrader's way to give a cell 0).
So a bare ``nbgrader autograde`` never hands out points the suite has not awarded.
"""
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

PENDING = "AwaitingCourseTests"  # the error each autograded cell shows until the bridge's merge replaces it


class AwaitSuiteScores(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code":
            cell.outputs.append(new_output(
                "error", ename=PENDING, evalue="this part is scored by the course's tests",
                traceback=[f"{PENDING}: this part is scored by the course's tests; run "
                           "`python -m autograder nbgrader merge <assignment>` to write their scores here."]))
        return cell, resources

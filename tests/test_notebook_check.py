"""check("<part>") and check_all() in the notebook: release notebooks executed headless by nbclient in a real
kernel, as Jupyter, JupyterLab and VS Code run them, with some functions filled in from the reference and one
typical mistake; the HTML under the cell says what `python -m autograder check` says of the same notebook."""
import html
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from autograder import pipeline
from autograder.authoring import classroom, samples
from autograder.course.config import load_course
from autograder.grading.discover import code_cells
from autograder.grading.live import names_used
from autograder.grading.suite import public_suite
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT

COURSE = load_course(ROOT / "course.yml")
ASSIGNMENT = COURSE.assignment("01_bayes")
RELEASE = ROOT / "assignments" / ASSIGNMENT.id
CHECKS = ['check("posterior")', 'check("beta_update")', 'check("log_sum_exp")', 'check("sequential_posterior")',
          'check("no_such_part")', "check_all()"]


def student_notebook(tmp_path: Path) -> dict:
    """Dora's sample (the reference with beta_update's heads and tails swapped) with log_sum_exp still the stub:
    the cells grading runs (no check or explore cells), as a student has them in the kernel."""
    samples.build_class(ASSIGNMENT.id, ASSIGNMENT.notebook, tmp_path / "class")
    notebook = json.loads((tmp_path / "class" / "dora_swaps_beta" / ASSIGNMENT.notebook).read_text())
    stub = next(c for c in json.loads((RELEASE / ASSIGNMENT.notebook).read_text())["cells"] if c["id"] == "log-sum-exp")
    cells = {cell["id"]: cell for cell in notebook["cells"]}
    cells["log-sum-exp"]["source"] = stub["source"]
    kept = {index for index, _ in code_cells(notebook)}
    notebook["cells"] = [cell for index, cell in enumerate(notebook["cells"]) if index in kept]
    return notebook


def execute(notebook: dict, cwd: Path, *sources: str) -> list[dict]:
    """Run ``notebook`` and then one cell per source in a fresh kernel started in ``cwd``; those cells' outputs."""
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.validate(nb)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return [cell.outputs for cell in nb.cells[-len(sources):]]


def html_of(outputs) -> str:
    [shown] = [o for o in outputs if o.output_type == "display_data"]
    assert set(shown.data) == {"text/html", "text/plain"}  # HTML for Jupyter and VS Code, text for the rest
    return shown.data["text/html"]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> dict:
    return student_notebook(tmp_path_factory.mktemp("nb"))


@pytest.fixture(scope="module")
def outputs(notebook) -> dict:
    return dict(zip(CHECKS, execute(notebook, RELEASE, *CHECKS)))


def test_a_part_that_passes(outputs):
    shown = html_of(outputs['check("posterior")'])
    assert "01_bayes: public tests of posterior" in shown and "<code>test_two_urns</code>" in shown
    assert "✓ pass" in shown and "1 / 1" in shown and "FAIL" not in shown
    assert "Points so far: 1 / 1 public points." in shown and "All public tests of posterior pass." in shown


def test_a_mistake_shows_the_message_and_the_hint(outputs):
    shown = html_of(outputs['check("beta_update")'])
    assert "<code>test_beta_update_nka_example</code>" in shown and "✗ FAIL" in shown and "0 / 1" in shown
    assert html.escape("beta_update(6, 6, heads=1, tails=0): expected") in shown
    assert "<strong>Hint:</strong> After a head the mean a / (a + b) of the Beta distribution should go up" in shown


def test_a_stub_says_so(outputs):
    shown = html_of(outputs['check("log_sum_exp")'])
    assert "test_log_sum_exp_large_values" in shown and "still the stub" in shown and "Hint:" in shown


def test_a_part_without_public_tests_or_an_unknown_name_says_what_to_do(outputs):
    without = html_of(outputs['check("sequential_posterior")'])
    assert "No public test checks sequential_posterior; the hidden tests will." in without
    unknown = html.unescape(html_of(outputs['check("no_such_part")']))
    assert "No part or public test is called 'no_such_part'" in unknown and "posterior" in unknown
    assert "test_two_urns" in unknown


def test_check_all_gives_the_messages_of_the_public_check_command(notebook, outputs, tmp_path):
    """The same tests, pass or fail, and the same messages as `python -m autograder check` on the same notebook."""
    shown = html_of(outputs["check_all()"])
    folder = tmp_path / "class" / "dora"
    folder.mkdir(parents=True)
    (folder / ASSIGNMENT.notebook).write_text(json.dumps(notebook))
    [result] = pipeline.grade(pipeline.Request(ASSIGNMENT, public_suite(ASSIGNMENT.id), folder.parent,
                                               tmp_path / "out", bwrap_path() is not None, in_process=True)).results
    assert len(result.tests) == shown.count("<tr>") - 1 == 8
    for test in result.tests:
        row = shown[shown.index(f"<code>{test.name.split('::')[-1]}</code>"):].split("</tr>")[0]
        assert ("✓ pass" in row) == (test.status == "passed"), test.name
        assert html.escape(test.output) in row, test.name
    assert f"Points so far: {result.score:g} / {result.max_score:g} public points." in shown


def test_in_the_classroom_template_with_its_own_engine(tmp_path):
    template = classroom.assemble(COURSE, ASSIGNMENT, tmp_path / "repo")
    release = json.loads((template / "assignments" / ASSIGNMENT.id / ASSIGNMENT.notebook).read_text())
    release["cells"] = [cell for cell in release["cells"] if cell["id"] in ("imports", "posterior")]  # the stub
    engine, check = execute(release, template / "assignments" / ASSIGNMENT.id,
                            "import autograder; print(autograder.__file__)", 'check("posterior")')
    assert engine[0].text.strip() == str(template / "autograder" / "__init__.py")
    assert "still the stub" in html_of(check) and "Points so far: 0 / 1 public points." in html_of(check)


def test_text_where_there_is_no_html(notebook):
    """In a plain Python process (a script, a terminal) the same table comes as text."""
    cells = ["".join(cell["source"]) for cell in notebook["cells"]] + ['check("posterior")']
    program = "\n".join(f"exec({source!r})" for source in cells)
    done = subprocess.run([sys.executable, "-c", program], cwd=RELEASE, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "01_bayes: public tests of posterior" in done.stdout and "pass" in done.stdout
    assert "test_two_urns  1/1" in done.stdout and "<table>" not in done.stdout


def test_a_test_belongs_to_the_parts_it_reaches_also_through_fixtures(tmp_path):
    path = tmp_path / "test_parts.py"
    path.write_text(
        "import pytest\n"
        "@pytest.fixture\n"
        "def model(student):\n    return student.build_model()\n"
        "def test_fit(student, model):\n    assert student.has('fit') and student.fit(model) and student.np.pi\n"
        "def test_alone():\n    pass\n")
    assert names_used(path) == {"test_fit": {"build_model", "fit", "np"}, "test_alone": set()}


def test_a_live_session_hands_over_values_as_grading_does():
    """live.py's promise: values go through the wire format, so a test gets copies (never the kernel's own arrays),
    and what grading would not read (an object array) stays in the notebook as a handle there too."""
    from autograder.grading.live import LiveSession
    from autograder.sandbox.proxies import Remote, StudentNotebook
    weights = np.arange(3.0)
    student = StudentNotebook(LiveSession({"weights": lambda: weights, "objects": lambda: np.array([None])}))
    got = student.weights()
    got += 1
    np.testing.assert_array_equal(weights, [0.0, 1.0, 2.0])
    assert type(got) is np.ndarray and got.flags.writeable
    assert isinstance(student.objects(), Remote)

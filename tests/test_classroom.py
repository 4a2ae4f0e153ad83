"""The GitHub Classroom template: assembled through the real CLI, free of anything private, and `check` runs in it.

`check` runs with the template as the working directory, so the template's own copy of the engine is the
one that runs (the kit's is only on the path after it): what a student who clones the repository gets.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from autograder.authoring import classroom, samples
from autograder.course.config import load_course
from conftest import ROOT, run_cli

ASSIGNMENT = load_course(ROOT / "course.yml").assignment("01_bayes")
PRIVATE_BYTES = {p.read_bytes() for p in (ROOT / "solutions").glob("*/hidden/*") if p.is_file()}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    target = tmp_path_factory.mktemp("classroom") / "repo"
    run_cli("classroom", ASSIGNMENT.id, "--out", target, check_status=0)
    return target


def in_template(template, *args, timeout=600):
    # pytest plugins of packages the kit has and a student's environment does not must not load either
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, *args], cwd=template, capture_output=True, text=True, timeout=timeout,
                          env=env)


def test_template_holds_no_hidden_suite_no_solutions_no_samples(template):
    files = [p for p in template.rglob("*") if p.is_file()]
    assert not (template / "solutions").exists() and not (template / "samples").exists()
    assert not [p for p in files if p.read_bytes() in PRIVATE_BYTES]
    assert [p.relative_to(template).as_posix() for p in files if p.suffix == ".ipynb"] == \
        [f"assignments/{ASSIGNMENT.id}/{ASSIGNMENT.notebook}"]
    notebook = (template / "assignments" / ASSIGNMENT.id / ASSIGNMENT.notebook).read_text()
    assert "BEGIN SOLUTION" not in notebook and "raise NotImplementedError()" in notebook
    assert classroom.leaks(template, ASSIGNMENT.id) == []


def test_leaks_are_found(template, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(template, copy)
    hidden = next((ROOT / "solutions" / ASSIGNMENT.id / "hidden").glob("test_*.py"))
    shutil.copyfile(hidden, copy / "assignments" / ASSIGNMENT.id / "tests" / "test_more.py")
    (copy / "solutions").mkdir()
    problems = classroom.leaks(copy, ASSIGNMENT.id)
    assert any("test_more.py is a copy of a file of a hidden suite" in p for p in problems)
    assert any(p.startswith("solutions/ must not be") for p in problems)


def test_requirements_are_pinned_as_in_the_kit_and_only_what_students_need(template):
    lock = dict(line.split("==") for line in (ROOT / "requirements.lock").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    pins = dict(line.split("==") for line in (template / "requirements.txt").read_text().splitlines()
                if not line.startswith("#"))
    assert all(lock[name] == version for name, version in pins.items())
    assert {"numpy", "pytest", "PyYAML", "pydantic", "rich", "scipy"} <= set(pins)
    assert not {"nbgrader", "tensorflow-cpu", "keras", "Jinja2"} & set(pins)


def test_course_file_holds_only_this_assignment(template):
    course = load_course(template / "course.yml")
    assert [a.id for a in course.assignments] == [ASSIGNMENT.id]
    assert course.assignments[0].model_dump(exclude={"extensions"}) == ASSIGNMENT.model_dump(exclude={"extensions"})
    assert course.assignments[0].extensions == {}  # they name students


def test_workflow_runs_the_public_checks_on_every_push_into_the_job_summary(template):
    workflow = yaml.safe_load((template / ".github" / "workflows" / "check.yml").read_text())
    assert "push" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["check"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any(step.get("uses", "").startswith("actions/setup-python") and step["with"]["python-version"] == "3.11"
               for step in steps)
    assert "python -m pip install --disable-pip-version-check -r requirements.txt" in runs
    assert f'python -m autograder check {ASSIGNMENT.id} --summary-md "$GITHUB_STEP_SUMMARY"' in runs
    assert ASSIGNMENT.id in (template / "README.md").read_text() and "@" not in (template / "README.md").read_text()


# Runs `python -m autograder ARGS` in the template with every installed package that requirements.txt
# does not pin made unimportable: what a student's fresh environment (and the workflow's) can do.
ONLY_PINNED = """
import importlib.abc, importlib.metadata, os, runpy, sys
from packaging.utils import canonicalize_name
allowed = {canonicalize_name(line.split("==")[0]) for line in open("requirements.txt") if "==" in line}
blocked = {module for module, dists in importlib.metadata.packages_distributions().items()
           if module not in ("autograder", "datasets") and not any(canonicalize_name(d) in allowed for d in dists)}
class NotPinned(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is imported but requirements.txt does not pin it")
sys.meta_path.insert(0, NotPinned())
sys.path.insert(0, os.getcwd())
sys.argv[0] = "autograder"
runpy.run_module("autograder", run_name="__main__", alter_sys=True)
"""


def test_the_template_runs_its_own_engine(template):
    done = in_template(template, "-c", "import autograder; print(autograder.__file__)")
    assert done.stdout.strip() == str(template / "autograder" / "__init__.py")


def test_check_in_the_template_fails_the_stub_kindly(template, tmp_path):
    summary = tmp_path / "summary.md"
    done = in_template(template, "-m", "autograder", "check", ASSIGNMENT.id, "--summary-md", summary)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Points so far: 0 / 10 public points." in done.stdout
    assert "Next to fix: test_two_urns (7 more after it)" in done.stdout and "still the stub" in done.stdout
    assert "Hint:" in done.stdout and "\x1b[" not in done.stdout
    assert "**Points so far: 0 / 10**" in summary.read_text()


def test_check_in_the_template_passes_the_reference(template, tmp_path):
    reference = tmp_path / ASSIGNMENT.notebook
    reference.write_text(json.dumps(samples.solution_notebook(ROOT / "solutions" / ASSIGNMENT.id / ASSIGNMENT.notebook)))
    summary = tmp_path / "summary.md"
    done = in_template(template, "-c", ONLY_PINNED, "check", ASSIGNMENT.id, reference, "--summary-md", summary)
    assert done.returncode == 0, done.stdout + done.stderr
    out = " ".join(done.stdout.split())  # rich wraps long lines at 80 columns in a pipe
    assert "Points so far: 10 / 10 public points." in out and "FAIL" not in out
    assert "All public tests pass" in out and "hidden tests decide the grade" in out
    assert "All public tests pass" in summary.read_text()


def test_assembling_into_a_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    done = run_cli("classroom", ASSIGNMENT.id, "--out", tmp_path)
    assert done.returncode == 2 and "not empty" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

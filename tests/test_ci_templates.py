"""The CI templates and container images: every autograder command in them parses with the real CLI.

A renamed verb or option, or an assignment dropped from course.yml, breaks these tests before it
breaks an instructor's grading run.
"""
import os
import re
import shlex
import subprocess

import pytest
import yaml

from autograder.cli import build_parser
from autograder.course.config import load_course
from conftest import ROOT

GITHUB = ROOT / "ci" / "github" / "grade.yml"
GITLAB = ROOT / "ci" / "gitlab" / "grade.gitlab-ci.yml"
DOCKERFILES = {flavour: ROOT / "docker" / flavour / "Dockerfile" for flavour in ("cpu", "gpu")}
INSTALL = ROOT / "docker" / "install.sh"


def github_jobs():
    return yaml.safe_load(GITHUB.read_text())["jobs"]


def gitlab_jobs():
    return {name: job for name, job in yaml.safe_load(GITLAB.read_text()).items()
            if isinstance(job, dict) and "script" in job and not name.startswith(".")}


def shell_of(job, kind: str) -> str:
    lines = [step.get("run", "") for step in job["steps"]] if kind == "github" else job["script"]
    return "\n".join(lines).replace("\\\n", " ")


def autograder_commands(shell: str) -> list[list[str]]:
    """The arguments after `python -m autograder` on each line of ``shell``, up to a shell operator."""
    commands = []
    for line in shell.splitlines():
        if "-m autograder" in line:
            words = shlex.split(line.split("-m autograder", 1)[1], comments=True)
            cut = next((i for i, w in enumerate(words) if w in ("|", "||", "&&", ";", ">", "2>")), len(words))
            commands.append(words[:cut])
    return commands


def parse(words: list[str]):
    try:
        return build_parser().parse_args(words)
    except SystemExit:
        pytest.fail(f"the CLI rejects `python -m autograder {shlex.join(words)}`")


def graded(kind: str) -> dict[str, tuple[set[str], str]]:
    """For each job that grades: (the assignments it grades, the --device it asks for)."""
    found = {}
    for name, job in (github_jobs() if kind == "github" else gitlab_jobs()).items():
        commands = autograder_commands(shell_of(job, kind))
        if not commands:
            continue
        devices = {parse(words).device for words in commands}
        assert [parse(words).verb for words in commands] == ["grade"], (name, commands)
        if kind == "github":
            ids = job.get("strategy", {}).get("matrix", {}).get("assignment") or [job["env"]["ASSIGNMENT"]]
        else:
            ids = job.get("parallel", {}).get("matrix", [{}])[0].get("ASSIGNMENT") or [job["variables"]["ASSIGNMENT"]]
        found[name] = (set(ids), devices.pop())
    return found


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_every_autograder_command_parses(kind):
    jobs = github_jobs() if kind == "github" else gitlab_jobs()
    commands = [words for job in jobs.values() for words in autograder_commands(shell_of(job, kind))]
    assert len(commands) >= 2
    for words in commands:
        args = parse(words)
        assert args.submissions.parts[-1] == "$ASSIGNMENT" and str(args.out) == "grades/$ASSIGNMENT"


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_cpu_and_gpu_jobs_grade_the_right_assignments(kind):
    jobs = graded(kind)
    course = {a.id: a for a in load_course().assignments}
    cpu = {name: ids for name, (ids, device) in jobs.items() if device == "cpu"}
    gpu = {name: ids for name, (ids, device) in jobs.items() if device == "gpu"}
    assert set(cpu) == {"grade-cpu"} and set(gpu) == {"grade-gpu"}
    assert cpu["grade-cpu"] == {"01_bayes", "02_gradient_descent", "03_perceptron", "04_backprop"} <= set(course)
    assert gpu["grade-gpu"] == {"05_keras_mnist"}
    if "05_keras_mnist" in course:
        assert course["05_keras_mnist"].gpu != "never", "05 is graded on a GPU runner but course.yml says gpu: never"


def test_gpu_jobs_go_to_gpu_runners():
    assert set(github_jobs()["grade-gpu"]["runs-on"]) == {"self-hosted", "gpu"}
    assert github_jobs()["grade-cpu"]["runs-on"].startswith("ubuntu-")
    assert gitlab_jobs()["grade-gpu"]["tags"] == ["gpu"] and "tags" not in gitlab_jobs()["grade-cpu"]
    docker_run = next(line for line in shell_of(github_jobs()["grade-gpu"], "github").splitlines()
                      if "-m autograder" in line)
    assert "--gpus all" in docker_run and "autograder-gpu" in docker_run


def test_results_are_kept_as_artifacts():
    for name, job in github_jobs().items():
        [upload] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert upload["with"]["path"].startswith("grades/") and upload["if"] == "always()", name
    for name in ("grade-cpu", "grade-gpu"):
        assert gitlab_jobs()[name]["artifacts"]["paths"] == ["grades/$ASSIGNMENT/"]


def test_images_share_one_pinned_python_and_install_their_flavour():
    bases = {}
    for flavour, path in DOCKERFILES.items():
        text = path.read_text()
        [bases[flavour]] = re.findall(r"^FROM (\S+)$", text, re.M)
        assert f"install.sh {flavour} " in text
    assert bases["cpu"] == bases["gpu"] and re.fullmatch(r"python:3\.11\.\d+-slim-\w+", bases["cpu"])
    assert gitlab_jobs()["grade-cpu"]["image"] == bases["cpu"]  # CI's CPU jobs run the same Python


@pytest.mark.parametrize("flavour", ["cpu", "gpu"])
def test_install_script_installs_bubblewrap_and_the_pinned_tensorflow(tmp_path, flavour):
    """install.sh with apt-get and pip stubbed out: what would it install?"""
    for tool in ("apt-get", "pip"):
        (tmp_path / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{tmp_path}/calls"\n'
                                     f'for a in "$@"; do case "$a" in *.txt) cp "$a" "{tmp_path}/req";; esac; done\n')
        (tmp_path / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    done = subprocess.run(["sh", str(INSTALL), flavour, str(ROOT / "requirements.lock")], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "calls").read_text()
    assert "apt-get install -y -qq --no-install-recommends bubblewrap" in calls
    [tf_pin] = re.findall(r"^tensorflow_cpu==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    if flavour == "cpu":
        assert f"-r {ROOT / 'requirements.lock'}" in calls and "and-cuda" not in calls
    else:
        assert f"tensorflow[and-cuda]=={tf_pin}" in calls
        kept = (tmp_path / "req").read_text()
        assert "tensorflow_cpu" not in kept and "keras==" in kept and "numpy==" in kept


def test_install_script_refuses_a_lock_without_tensorflow(tmp_path):
    (tmp_path / "apt-get").write_text("#!/bin/sh\n")
    (tmp_path / "apt-get").chmod(0o755)
    (tmp_path / "lock").write_text("numpy==2.4.6\n")
    done = subprocess.run(["sh", str(INSTALL), "gpu", str(tmp_path / "lock")], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert done.returncode == 1 and "pins no tensorflow_cpu" in done.stderr

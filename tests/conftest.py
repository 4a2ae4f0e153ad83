"""Fixtures for the kit's own tests: run the real CLI, build real notebooks."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import pipeline
from autograder.grading.suite import Suite

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, check_status=None, timeout=600):
    """``python -m autograder ARGS`` in a subprocess, as a user would run it."""
    done = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if check_status is not None:
        assert done.returncode == check_status, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def notebook(*sources, tags=None):
    """A minimal notebook whose code cells are ``sources``."""
    tags = tags or {}
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {"tags": tags.get(i, [])},
                       "execution_count": None, "outputs": [], "source": src} for i, src in enumerate(sources)]}


def write_notebook(path: Path, nb: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))
    return path


def read_results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


@pytest.fixture
def cli():
    return run_cli


def grade_folder(assignment, suite_file: Path, root: Path, out: Path, **options) -> list:
    """Grade ``root`` through the pipeline with the one test file ``suite_file``; the results, by student."""
    request = pipeline.Request(assignment, Suite(assignment.id, (suite_file,)), root, out, **options)
    return list(pipeline.grade(request).results)

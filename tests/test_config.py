"""course.yml: typed loading and one clear message per problem, naming the file and the key path."""
from pathlib import Path

import pytest
import yaml

from autograder.course.config import ConfigError, load_course
from conftest import ROOT, run_cli

GOOD = yaml.safe_load((ROOT / "course.yml").read_text())


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def mutate(change):
    data = yaml.safe_load((ROOT / "course.yml").read_text())
    change(data)
    return data


def problems(tmp_path, data) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_course(write(tmp_path, data))
    return error.value.problems


def test_the_shipped_course_loads():
    course = load_course(ROOT / "course.yml")
    assert [a.id for a in course.assignments][:1] == ["01_bayes"]
    first = course.assignments[0]
    assert first.due > first.release and first.release.tzinfo is not None
    assert first.limits.to_limits().call_seconds == first.limits.call_seconds


def test_unknown_key_names_its_path(tmp_path):
    data = mutate(lambda d: d["assignments"][0]["limits"].update(memroy_mb=10))
    [problem] = problems(tmp_path, data)
    assert problem.startswith("course.yml: assignments[0].limits.memroy_mb: unknown key")


def test_missing_field(tmp_path):
    data = mutate(lambda d: d["assignments"][0].pop("notebook"))
    assert problems(tmp_path, data) == ["course.yml: assignments[0].notebook: this key is required"]


def test_wrong_type_says_what_was_expected_and_got(tmp_path):
    data = mutate(lambda d: d["assignments"][0]["limits"].update(memory_mb="lots"))
    [problem] = problems(tmp_path, data)
    assert problem.startswith("course.yml: assignments[0].limits.memory_mb: input should be a valid integer")
    assert problem.endswith("got 'lots'")


def test_date_without_time_zone(tmp_path):
    data = mutate(lambda d: d["assignments"][0].update(due="2026-09-21T23:59:00"))
    [problem] = problems(tmp_path, data)
    assert "assignments[0].due" in problem and "time zone" in problem


def test_duplicate_id(tmp_path):
    data = mutate(lambda d: d["assignments"].append(dict(d["assignments"][0])))
    [problem] = problems(tmp_path, data)
    assert "'01_bayes' appears more than once" in problem


def test_due_before_release(tmp_path):
    data = mutate(lambda d: d["assignments"][0].update(due=d["assignments"][0]["release"]))
    [problem] = problems(tmp_path, data)
    assert problem.startswith("course.yml: assignments[0]: due (") and "must come after release" in problem


def test_bad_gpu_value(tmp_path):
    data = mutate(lambda d: d["assignments"][0].update(gpu="always"))
    [problem] = problems(tmp_path, data)
    assert "assignments[0].gpu" in problem and "'never'" in problem and "got 'always'" in problem


def test_all_problems_are_reported_at_once(tmp_path):
    data = mutate(lambda d: (d["assignments"][0].pop("title"), d["course"].update(nmae="x")))
    assert len(problems(tmp_path, data)) == 2


def test_not_yaml(tmp_path):
    [problem] = problems(tmp_path, "course: [unclosed")
    assert "is not valid YAML" in problem


def test_cli_exits_2_with_the_message(tmp_path):
    path = write(tmp_path, mutate(lambda d: d["assignments"][0]["limits"].update(memory_mb=-1)))
    done = run_cli("--course", path, "report", "01_bayes")
    assert done.returncode == 2
    assert "course.yml: assignments[0].limits.memory_mb: input should be greater than 0, got -1" in done.stderr

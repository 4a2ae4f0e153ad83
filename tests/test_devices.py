"""Device selection: which GPU nodes the sandbox binds, which limits apply, and what each result records.

Device discovery takes a root directory, so these tests build a fake /dev of regular files: bubblewrap
binds a regular file as readily as a device node, which is all the argv and the sandbox need here.
Whether CUDA then works inside the sandbox can only be seen on a machine with an NVIDIA GPU.
"""
import json
import os
import resource
import sqlite3
import subprocess
import sys

import pytest

from autograder.course.config import Assignment, load_course
from autograder.reports.gradebook import Gradebook
from autograder.grading.plugin import NOT_RUN_WITHOUT_GPU
from autograder.grading.results import SKIPPED
from autograder.sandbox.devices import CPU, Device, DeviceUnavailable, choose, nvidia_nodes, usable_gpu
from autograder.sandbox.limits import Limits, bwrap_path, worker_argv, worker_environment
from conftest import ROOT, grade_folder, notebook, read_results, run_cli, write_notebook
from test_config import mutate, problems

NODES = ("nvidia-caps/nvidia-cap1", "nvidia-caps/nvidia-cap2", "nvidia-uvm", "nvidia-uvm-tools", "nvidia0",
         "nvidia1", "nvidiactl")


def fake_dev(root, nodes=NODES, others=("null", "zero", "nvidia-modeset", "nvidiafb", "sda", "shm/x")):
    for name in (*nodes, *others):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    return root


def binds(argv):
    return [(argv[i + 1], argv[i + 2]) for i, arg in enumerate(argv) if arg == "--dev-bind"]


def setenv(argv):
    return {argv[i + 1]: argv[i + 2] for i, arg in enumerate(argv) if arg == "--setenv"}


def argv_for(device, tmp_path):
    (tmp_path / "sub").mkdir(exist_ok=True)
    argv, _ = worker_argv("05_x", tmp_path / "sub", None, Limits(), sandbox=True, device=device)
    return argv


# ------------------------------------------------------------ discovery and choice
def test_discovery_finds_exactly_the_nvidia_nodes(tmp_path):
    assert nvidia_nodes(fake_dev(tmp_path)) == NODES
    assert nvidia_nodes(tmp_path / "missing") == ()


@pytest.mark.parametrize("missing", ["nvidiactl", "nvidia-uvm", "nvidia0 nvidia1"])
def test_a_gpu_without_a_node_cuda_needs_is_not_usable(tmp_path, missing):
    assert usable_gpu(fake_dev(tmp_path, [n for n in NODES if n not in missing.split()])) is None


@pytest.mark.parametrize("gpu, request_, present, kind, note", [
    ("never", "auto", True, "cpu", ""),
    ("never", "gpu", True, "cpu", "has gpu: never"),
    ("optional", "auto", True, "gpu", ""),
    ("optional", "auto", False, "cpu", ""),
    ("optional", "cpu", True, "cpu", ""),
    ("preferred", "auto", True, "gpu", ""),
    ("preferred", "auto", False, "cpu", "prefers a GPU and this machine has none"),
    ("preferred", "cpu", True, "cpu", ""),
    ("preferred", "gpu", True, "gpu", ""),
])
def test_choice_of_device(tmp_path, gpu, request_, present, kind, note):
    choice = choose("05_x", gpu, request_, fake_dev(tmp_path, NODES if present else ()))
    assert choice.device.kind == kind and note in choice.note and bool(choice.note) == bool(note)
    assert choice.device.nodes == (NODES if kind == "gpu" else ())


@pytest.mark.parametrize("gpu", ["optional", "preferred"])
def test_asking_for_a_gpu_where_there_is_none_is_an_error(tmp_path, gpu):
    with pytest.raises(DeviceUnavailable, match="no usable NVIDIA GPU.*found nvidiactl.*--device cpu"):
        choose("05_x", gpu, "gpu", fake_dev(tmp_path, ["nvidiactl"]))


# ------------------------------------------------------------ the sandbox's command line and environment
def test_gpu_run_binds_exactly_the_nvidia_nodes_after_the_fresh_dev(tmp_path):
    root = fake_dev(tmp_path / "dev")
    argv = argv_for(usable_gpu(root), tmp_path)
    assert binds(argv) == [(str(root / n), f"/dev/{n}") for n in NODES]
    assert argv.index("--dev") < argv.index("--dev-bind")  # bound on top of the sandbox's own /dev
    env = setenv(argv)
    assert "CUDA_VISIBLE_DEVICES" not in env and env["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"


@pytest.mark.parametrize("gpu", ["never", "optional"])
def test_cpu_run_binds_nothing_and_hides_cuda(tmp_path, gpu):
    root = fake_dev(tmp_path / "dev")
    device = choose("05_x", gpu, "cpu" if gpu == "optional" else "auto", root).device
    argv = argv_for(device, tmp_path)
    assert binds(argv) == [] and not any("nvidia" in arg for arg in argv)
    assert setenv(argv)["CUDA_VISIBLE_DEVICES"] == ""


def test_the_runners_choice_of_gpus_carries_over(monkeypatch, tmp_path):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert worker_environment(usable_gpu(fake_dev(tmp_path)))["CUDA_VISIBLE_DEVICES"] == "1"
    assert worker_environment(CPU)["CUDA_VISIBLE_DEVICES"] == ""


def test_device_round_trips_through_the_manifest(tmp_path):
    device = usable_gpu(fake_dev(tmp_path))
    assert Device.from_json(device.to_json()) == device and Device.from_json(None) == CPU


# ------------------------------------------------------------ limits per device in course.yml
def test_gpu_limits_replace_only_the_keys_they_name():
    first = load_course().assignments[0]
    assignment = Assignment.model_validate({**first.model_dump(), "gpu": "optional",
                                            "gpu_limits": {"call_seconds": 2, "memory_mb": 4096}})
    cpu, gpu = assignment.limits_on("cpu"), assignment.limits_on("gpu")
    assert cpu == first.limits.to_limits()
    assert (gpu.call_seconds, gpu.memory_mb) == (2, 4096)
    assert gpu.submission_seconds == cpu.submission_seconds and gpu.processes == cpu.processes


def test_without_gpu_limits_both_devices_get_the_flat_limits():
    assignment = load_course().assignments[0]
    assert assignment.gpu_limits is None and assignment.limits_on("gpu") == assignment.limits_on("cpu")


def test_gpu_limits_on_an_assignment_that_never_uses_a_gpu(tmp_path):
    data = mutate(lambda d: d["assignments"][0].update(gpu="never", gpu_limits={"call_seconds": 5}))
    assert problems(tmp_path, data) == [
        "course.yml: assignments[0]: gpu_limits is set but gpu is 'never', so they would never apply; set gpu to "
        "'optional' or 'preferred', or remove gpu_limits"]


def test_gpu_limits_are_checked_like_limits(tmp_path):
    data = mutate(lambda d: d["assignments"][0].update(gpu="optional", gpu_limits={"memroy_mb": 5, "call_seconds": 0}))
    found = problems(tmp_path, data)
    assert any(p.startswith("course.yml: assignments[0].gpu_limits.memroy_mb: unknown key") for p in found), found
    assert any(p.startswith("course.yml: assignments[0].gpu_limits.call_seconds: input should be greater than 0")
               for p in found), found


def test_a_bad_device_request_is_a_usage_error():
    done = run_cli("grade", "01_bayes", ROOT, "--device", "tpu")
    assert done.returncode == 2 and "argument --device: expected one of auto, cpu, gpu" in done.stderr
    env_done = subprocess.run([sys.executable, "-m", "autograder", "validate", "01_bayes"], cwd=ROOT,
                              capture_output=True, text=True, env={**os.environ, "AUTOGRADER_DEVICE": "cuda"})
    assert env_done.returncode == 2 and "$AUTOGRADER_DEVICE), got 'cuda'" in env_done.stderr


# ------------------------------------------------------------ through the real sandbox
PROBE = ROOT / "tests" / "fixtures" / "probe_devices.py"
SEER = r'''
import os, resource
import numpy as np

def nvidia_nodes():
    names = [n for n in os.listdir("/dev") if n.startswith("nvidia") and n != "nvidia-caps"]
    if os.path.isdir("/dev/nvidia-caps"):
        names += ["nvidia-caps/" + n for n in os.listdir("/dev/nvidia-caps")]
    return sorted(names)

def env(name):
    return os.environ.get(name)

def rlimits():
    return [resource.getrlimit(r)[0] for r in (resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_CPU)]

def allocate_gigabytes(n):
    return float(np.ones(n * 2**27).sum())
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One student graded twice: on the CPU, and on a fake GPU (regular files standing in for the nodes)."""
    if bwrap_path() is None:
        pytest.fail("needs bubblewrap: `make setup` installs it")
    tmp = tmp_path_factory.mktemp("devices")
    write_notebook(tmp / "class" / "ada" / "bayes.ipynb", notebook(SEER))
    base = load_course().assignment("01_bayes")
    assignment = Assignment.model_validate({
        **base.model_dump(), "gpu": "optional", "gpu_limits": {"submission_seconds": 45},
        "limits": {"call_seconds": 20, "submission_seconds": 60, "memory_mb": 1024}})
    fake = usable_gpu(fake_dev(tmp / "dev"))
    unlimited = {"as": resource.getrlimit(resource.RLIMIT_AS)[0], "data": resource.getrlimit(resource.RLIMIT_DATA)[0]}
    expected = {
        "cpu": {"nodes": [], "cuda_visible_devices": "", "rlimits": [1024 * 2**20, unlimited["data"], 60 + 5]},
        "gpu": {"nodes": list(NODES), "cuda_visible_devices": "0", "rlimits": [unlimited["as"], 1024 * 2**20, 45 + 5]},
    }
    results = {}
    saved = {k: os.environ.get(k) for k in ("AG_PROBE_DEVICE", "CUDA_VISIBLE_DEVICES")}
    os.environ["CUDA_VISIBLE_DEVICES"] = "0"  # the grader's: a CPU worker must not inherit it
    try:
        for kind, device in (("cpu", CPU), ("gpu", fake)):
            os.environ["AG_PROBE_DEVICE"] = json.dumps(expected[kind])
            out = tmp / f"out-{kind}"
            [results[kind]] = grade_folder(assignment, PROBE, tmp / "class", out, device=device)
            results[kind + "-json"] = read_results(out, "ada")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return results


def by_name(result):
    return {t.name.split("::")[1]: t for t in result.tests}


@pytest.mark.parametrize("kind", ["cpu", "gpu"])
@pytest.mark.parametrize("test", ["test_device_nodes", "test_cuda_visible_devices", "test_limits_of_this_device",
                                  "test_memory_limit_holds"])
def test_worker_sees_its_device_and_limits(graded, kind, test):
    result = by_name(graded[kind])[test]
    assert result.status == "passed", result.output


def test_cpu_run_skips_needs_gpu_and_leaves_it_out_of_the_score(graded):
    result = graded["cpu"]
    skipped = by_name(result)["test_runs_only_where_a_gpu_is"]
    assert (skipped.status, skipped.score, skipped.max_score, skipped.output) == (SKIPPED, 0, 0, NOT_RUN_WITHOUT_GPU)
    assert (result.score, result.max_score) == (4, 4)
    assert "1 test(s) worth 3 points need a GPU and were not run" in result.output
    test = [t for t in graded["cpu-json"]["tests"] if t["name"].endswith("test_runs_only_where_a_gpu_is")][0]
    assert (test["status"], test["max_score"]) == ("skipped", 0)


def test_gpu_run_counts_needs_gpu(graded):
    result = graded["gpu"]
    assert by_name(result)["test_runs_only_where_a_gpu_is"].status == "passed"
    assert (result.score, result.max_score) == (7, 7) and "need a GPU" not in result.output


def test_each_result_records_its_device(graded, tmp_path):
    assert (graded["cpu"].device, graded["gpu"].device) == ("cpu", "gpu")
    assert (graded["cpu-json"]["kit"]["device"], graded["gpu-json"]["kit"]["device"]) == ("cpu", "gpu")
    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record([graded["gpu"]])
    [(device,)] = sqlite3.connect(tmp_path / "g.sqlite").execute("SELECT device FROM submissions").fetchall()
    assert device == "gpu"

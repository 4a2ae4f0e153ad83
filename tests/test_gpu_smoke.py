"""The GPU smoke check (ci/gpu/smoke.py) as far as a machine without a GPU can take it: its install plan, its
extraction of bubblewrap from a Debian package, its choice of backend, its checks as pure functions (each fed what a
passing and a failing GPU machine would show), its probe through the real sandbox with a fake /dev, and its dry run.
The check itself needs a GPU: it is a script with its own assertions (README, "Grading on CI and GPU runners")."""
import importlib.util
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from autograder.course.config import load_course
from autograder.sandbox.devices import usable_gpu
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT
from test_devices import NODES, fake_dev

SMOKE = ROOT / "ci" / "gpu" / "smoke.sh"
spec = importlib.util.spec_from_file_location("smoke", ROOT / "ci" / "gpu" / "smoke.py")
smoke = sys.modules["smoke"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(smoke)


# ------------------------------------------------------------ install
def wheels(*names):
    return [Path(f"/files/{name}") for name in names]


def test_only_the_distributions_this_python_lacks_are_installed():
    carried = wheels("keras-3.15.1-py3-none-any.whl", "pydantic_core-2.50.4-cp312-cp312-manylinux2014_x86_64.whl",
                     "numpy-2.4.6-cp312-cp312-manylinux_2_28_x86_64.whl", "pip-26.3-py3-none-any.whl",
                     "PyYAML-6.0.3-cp312-cp312-manylinux2014_x86_64.whl")
    installed = {"numpy": "2.5.2", "pyyaml": "6.0.3", "torch": "2.11.0"}
    assert smoke.to_install(carried, installed) == carried[:2]
    assert smoke.version_notes(carried, installed) == ["numpy 2.5.2 (the kit pins 2.4.6)"]
    assert smoke.wheel_distribution(carried[1]) == ("pydantic-core", "2.50.4")


def test_fetch_fetches_every_distribution_the_kit_imports_at_the_version_it_pins():
    """Every package fetch.sh names is pinned in requirements.lock (fetch.sh takes the version from there), and
    together they hold what grading and Keras import."""
    text = (ROOT / "ci" / "gpu" / "fetch.sh").read_text()
    names = text.split('PACKAGES="', 1)[1].split('"', 1)[0].split()
    pinned = {smoke.canonical(line.split("==")[0]) for line in (ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    assert {smoke.canonical(n) for n in names} <= pinned
    assert {"keras", "pydantic", "pyyaml", "rich", "pytest", "numpy", "optree", "namex"} <= {
        smoke.canonical(n) for n in names}


def a_deb(path: Path, files: dict[str, bytes]) -> Path:
    """A Debian package as dpkg builds one: an ar archive of debian-binary, control.tar.xz and data.tar.xz."""
    def tar(members: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o755
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    members = [("debian-binary", b"2.0\n"), ("control.tar.xz", tar({"./control": b"Package: x\n"})),
               ("data.tar.xz", tar(files))]
    body = b"!<arch>\n"
    for name, data in members:
        body += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode() + data + b"\n" * (len(data) % 2)
    path.write_bytes(body)
    return path


def test_a_debian_package_is_extracted_as_dpkg_deb_would(tmp_path):
    deb = a_deb(tmp_path / "bubblewrap_0.8.0_amd64.deb", {"./usr/bin/bwrap": b"#!/bin/sh\necho fake bwrap\n"})
    smoke.extract_deb(deb, tmp_path / "tree")
    assert (tmp_path / "tree" / "usr" / "bin" / "bwrap").read_bytes() == b"#!/bin/sh\necho fake bwrap\n"
    (tmp_path / "not.deb").write_bytes(b"PK\x03\x04")
    with pytest.raises(smoke.SmokeError, match="not a Debian package"):
        smoke.extract_deb(tmp_path / "not.deb", tmp_path / "tree")


def test_without_bwrap_the_carried_one_is_put_first_on_path(tmp_path, monkeypatch):
    files = tmp_path / "files"
    files.mkdir()
    a_deb(files / "bubblewrap_0.8.0_amd64.deb", {"./usr/bin/bwrap": b"#!/bin/sh\necho fake bwrap \"$@\"\n"})
    monkeypatch.setattr(smoke.shutil, "which", lambda name: None)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    wrapper = smoke.bubblewrap(files, tmp_path / "build")
    assert wrapper == str(tmp_path / "build" / "bin" / "bwrap")
    assert smoke.os.environ["PATH"].split(":")[0] == str(tmp_path / "build" / "bin")
    assert subprocess.run([wrapper, "--version"], capture_output=True, text=True).stdout == "fake bwrap --version\n"
    with pytest.raises(smoke.SmokeError, match="no bubblewrap package: run ci/gpu/fetch.sh"):
        smoke.bubblewrap(tmp_path / "empty", tmp_path / "build")


# ------------------------------------------------------------ backend
@pytest.mark.parametrize("counts, requested, need_gpu, chosen", [
    ({"tensorflow": None, "jax": 1}, None, True, "jax"),
    ({"tensorflow": 0, "jax": 0, "torch": 1}, None, True, "torch"),
    ({"tensorflow": 1, "jax": 1}, None, True, "tensorflow"),
    ({"torch": 1}, "torch", True, "torch"),
    ({"jax": 0}, "jax", False, "jax"),  # a dry run: a backend that imports will do
])
def test_the_backend_is_the_one_asked_for_else_the_first_that_sees_a_gpu(counts, requested, need_gpu, chosen):
    assert smoke.choose_backend(counts, requested, need_gpu) == chosen


@pytest.mark.parametrize("counts, requested, message", [
    ({"tensorflow": None, "jax": 0, "torch": None}, None, "no Keras backend sees a GPU"),
    ({"jax": 0}, "jax", "--keras-backend jax: it sees no GPU"),
    ({"torch": None}, "torch", "--keras-backend torch: it cannot be imported"),
])
def test_no_backend_with_a_gpu_is_an_error_that_says_so(counts, requested, message):
    with pytest.raises(smoke.SmokeError, match=message):
        smoke.choose_backend(counts, requested, need_gpu=True)


# ------------------------------------------------------------ the checks, on what a GPU machine shows
GPU_PROBE = {"gpus": ["cuda:0"], "nodes": ["nvidia-uvm", "nvidia0", "nvidiactl"], "weights_on": "cuda:0",
             "train_seconds": 1.5, "threads": 40, "backend": "jax"}


def results(device="gpu", backend="jax", lost=None, callbacks=("passed", "")):
    """The smoke class's results.json files as grading writes them (the tests that matter here)."""
    lost = lost or {}
    out = {}
    for student in ("ada_correct", "dan_one_hot_labels", "max_over_memory"):
        tests = [{"name": "test_dense::test_dense_retrained_accuracy", "max_score": 8,
                  "score": 0 if student == "dan_one_hot_labels" else 8,
                  "status": "failed" if student == "dan_one_hot_labels" else "passed", "output": ""}]
        tests += [{"name": name, "max_score": 2, "score": 2, "status": "passed", "output": ""}
                  for name in smoke.OVER_MEMORY_TESTS]
        if student == smoke.OVER_MEMORY:
            for test in tests[1:]:
                test.update(score=0 if callbacks[0] == "failed" else 2, status=callbacks[0], output=callbacks[1])
        score = sum(t["score"] for t in tests) - lost.get(student, 0)
        out[student] = {"score": score, "max_score": 12, "tests": tests,
                        "kit": {"device": device, "keras_backend": backend}}
    return {"results": out, "status": 0, "stderr": "", "seconds": 10.0, "gpu_mib": []}


OVER = ("failed", "Your code raised MemoryError: Unable to allocate 8.00 GiB for an array")


def test_the_checks_pass_on_what_a_working_gpu_machine_shows():
    gpu, cpu = results(callbacks=OVER), results("cpu", callbacks=OVER)
    lost = {"ada_correct": 0, "dan_one_hot_labels": 8, "max_over_memory": 4}
    checks = [smoke.sees_one_gpu(GPU_PROBE), smoke.trains_on_gpu(GPU_PROBE), smoke.records(gpu, "gpu", "jax"),
              smoke.records(cpu, "cpu", "jax"), smoke.gpu_busy(3, [3, 900, 1800, 4]), smoke.same_scores(cpu, gpu),
              smoke.lost_as_sampled(gpu, lost, "gpu"), smoke.over_memory_fails_alone(gpu, "gpu"),
              smoke.gpu_left_idle(3, 4, [], [])]
    assert [c.name for c in checks if not c.ok] == []


@pytest.mark.parametrize("check, detail", [
    (lambda: smoke.sees_one_gpu({**GPU_PROBE, "gpus": []}), "jax sees []"),
    (lambda: smoke.sees_one_gpu({**GPU_PROBE, "gpus": ["cuda:0", "cuda:1"]}), "sees ['cuda:0', 'cuda:1']"),
    (lambda: smoke.sees_one_gpu({"error": "WorkerFailure: the notebook could not be started"}), "could not be started"),
    (lambda: smoke.trains_on_gpu({**GPU_PROBE, "weights_on": "TFRT_CPU_0"}), "weights on TFRT_CPU_0"),
    (lambda: smoke.records(results(device="cpu"), "gpu", "jax"), "recorded: [('cpu', 'jax')]"),
    (lambda: smoke.records(results(backend="tensorflow"), "gpu", "jax"), "[('gpu', 'tensorflow')]"),
    (lambda: smoke.records({**results(), "status": 2, "stderr": "no bwrap"}, "gpu", "jax"), "grade exited 2"),
    (lambda: smoke.gpu_busy(3, [3, 40, 3]), "peak 40 MiB"),
    (lambda: smoke.gpu_busy(None, []), "idle None MiB"),
    (lambda: smoke.same_scores(results("cpu", callbacks=OVER), results()),
     "max_over_memory test_convnet::test_callbacks_checkpoint: GPU (2, 'passed'), CPU (0, 'failed')"),
    (lambda: smoke.lost_as_sampled(results(lost={"ada_correct": 1}), {"ada_correct": 0}, "gpu"), "(1, 0)"),
    (lambda: smoke.over_memory_fails_alone(results(), "gpu"), "failed []"),  # the memory limit did not hold
    (lambda: smoke.over_memory_fails_alone(results(callbacks=("failed", "expected 2 callbacks")), "gpu"),
     "expected 2 callbacks"),
    (lambda: smoke.gpu_left_idle(3, 4, ["4242, python3, 900 MiB"], []), "4242, python3"),
    (lambda: smoke.gpu_left_idle(3, 600, [], []), "memory 600 MiB"),
    (lambda: smoke.gpu_left_idle(3, 4, [], ["77: bwrap --unshare-pid"]), "77: bwrap"),
    (lambda: smoke.gpu_left_idle(3, 4, None, []), "compute processes None"),
])
def test_each_check_fails_and_says_what_it_saw(check, detail):
    result = check()
    assert not result.ok and detail in result.detail, result


def test_nvidia_smi_numbers_and_the_timing_ratio():
    assert smoke.numbers("1234\n 56 \n[N/A]\n") == [1234, 56]
    assert smoke.ratio(100.0, 25.0) == "CPU 100.0 s, GPU 25.0 s: the GPU takes 0.25x the CPU's time"
    assert smoke.ratio(None, 25.0) == "n/a"


# ------------------------------------------------------------ through the real sandbox, without a GPU
def test_the_probe_reports_what_the_sandboxed_worker_sees(tmp_path):
    """A fake /dev's nodes bound in, Keras on JAX: the worker sees exactly those nodes, JAX finds no GPU behind them,
    and the model trains on the CPU, so the GPU checks fail and say why."""
    if bwrap_path() is None:
        pytest.fail("needs bubblewrap: `make setup` installs it")
    fake = usable_gpu(fake_dev(tmp_path / "dev"))
    found = smoke.probe("jax", fake, load_course().assignment("05_keras_mnist").limits_on("gpu"))
    assert "error" not in found, found
    assert (found["backend"], found["nodes"], found["gpus"]) == ("jax", list(NODES), [])
    assert "cpu" in found["weights_on"].lower() and found["train_seconds"] > 0 and found["threads"] > 1
    assert not smoke.sees_one_gpu(found).ok and not smoke.trains_on_gpu(found).ok


def test_the_dry_run_builds_the_class_and_prints_the_commands():
    done = subprocess.run(["sh", str(SMOKE), "--dry-run", "--keras-backend", "jax"], capture_output=True, text=True,
                          env={**smoke.os.environ, "PYTHON": sys.executable}, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "would install: nothing (all present)" in done.stdout and "jax: 0 GPU(s)" in done.stdout
    for student in ("ada_correct", "dan_one_hot_labels", "hal_evaluates_on_train", "max_over_memory"):
        assert (smoke.BUILD / "class" / student / "keras_mnist.ipynb").is_file()
    assert "--device gpu --keras-backend jax --jobs 4 --force" in done.stdout
    assert "--device cpu --keras-backend jax --jobs 4 --force" in done.stdout


def test_the_smoke_check_is_documented_and_its_carried_files_are_made_not_committed():
    """smoke.sh runs as it is (executable, valid sh); `make gpu-smoke-files` makes what it carries, where the package
    indexes are reachable; git ignores those wheels and packages, and what the check builds."""
    for script in (SMOKE, ROOT / "ci" / "gpu" / "fetch.sh"):
        assert script.stat().st_mode & 0o111, f"{script} is not executable"
        assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    readme = (ROOT / "README.md").read_text()
    assert "ci/gpu/smoke.sh" in readme and "make gpu-smoke-files" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert "gpu-smoke-files: setup\n\tPIP=$(VENV)/bin/pip sh ci/gpu/fetch.sh $(GPU_PYTHON)" in makefile
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "ci/gpu/files/keras-3.15.1-py3-none-any.whl",
                              "ci/gpu/build/smoke.json", "ci/gpu/class/class.yml"], cwd=ROOT, capture_output=True,
                             text=True)
    assert ignored.stdout.split() == ["ci/gpu/files/keras-3.15.1-py3-none-any.whl", "ci/gpu/build/smoke.json"]


def test_the_smoke_class_agrees_with_the_sample_class_and_the_suite():
    """The smoke check asserts each student's loss from its class.yml: those scores are the sample class's, and the
    tests the memory hog must fail are the suite's tests of make_callbacks, with the points the class takes off."""
    from autograder.authoring import samples
    from autograder.grading.suite import hidden_suite, suite_tests
    smoke_class = samples.load_class("05_keras_mnist", ROOT / "ci" / "gpu" / "class")
    sampled = samples.load_class("05_keras_mnist")
    shared = set(smoke_class) & set(sampled)
    assert shared >= {"ada_correct", "dan_one_hot_labels", "hal_evaluates_on_train"}
    assert {name: smoke_class[name].score for name in shared} == {name: sampled[name].score for name in shared}
    points = {test.name: test.max_score for test in suite_tests(hidden_suite("05_keras_mnist"))}
    assert set(smoke.OVER_MEMORY_TESTS) <= set(points)
    assert 100 - smoke_class[smoke.OVER_MEMORY].score == sum(points[name] for name in smoke.OVER_MEMORY_TESTS)

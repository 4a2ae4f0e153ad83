"""The GPU smoke check: assignment 05 graded on a real NVIDIA GPU through the kit's sandbox, and what only a GPU can
show (README: "Grading on CI and GPU runners"). Run it as ci/gpu/smoke.sh from a copy of the kit's working tree:

    ci/gpu/smoke.sh [--keras-backend tensorflow|jax|torch] [--jobs N] [--report FILE] [--dry-run]

It needs a Linux x86-64 machine with an NVIDIA GPU and its driver, a Python (3.11 or 3.12) with a Keras backend
built for CUDA (TensorFlow's CUDA build, JAX with its CUDA plugin, or PyTorch with CUDA), and the files that
ci/gpu/fetch.sh puts in ci/gpu/files/. No network. In order:

1. **install**: the wheels of ci/gpu/files/ whose distributions this Python lacks (Keras, pydantic, ...), with pip
   (this Python's, or the one carried), into this Python's own environment: the sandboxed worker starts this
   interpreter with -E -s in an empty environment and sees only its installation, so a --target folder on
   PYTHONPATH would never reach it. Where the machine has no bwrap, bubblewrap and the libraries it links are
   extracted from the carried Debian packages into ci/gpu/build/ and put first on PATH.
2. **backend**: the one asked for, else the first of tensorflow, jax, torch that sees a GPU here.
3. **probe**: a small notebook in the kit's sandbox on the GPU, then on the CPU: the GPUs and NVIDIA device nodes the
   worker sees, where a trained Keras model's weights live, how long it trained and how many threads it ran.
4. **grade**: the class of ci/gpu/class/ (the 05 reference, two typical mistakes, and a submission that allocates
   past memory_mb) with ``python -m autograder grade --device gpu``, then ``--device cpu``, reading the GPU's
   memory (nvidia-smi) every second meanwhile.
5. **check**: each check prints PASS or FAIL with what it saw; the exit status is 1 when one failed. The timings
   (grading and training, GPU against CPU) are printed, and everything goes to the report (JSON).

``--dry-run`` does what needs no GPU: the install plan (nothing is installed), bubblewrap, the backend's import,
the class, and the commands it would run.
"""
from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FILES = HERE / "files"      # ci/gpu/fetch.sh's wheels and Debian packages
BUILD = HERE / "build"      # what this script makes: bubblewrap, the class, the grades, the report
CLASS = HERE / "class"
ASSIGNMENT, NOTEBOOK = "05_keras_mnist", "keras_mnist.ipynb"
BACKENDS = ("tensorflow", "jax", "torch")  # the kit's (autograder/sandbox/backends.py), in order of preference
PACKAGES = {"tensorflow": ["tensorflow"], "jax": ["jax", "jaxlib", "jax_plugins"], "torch": ["torch"]}
REFERENCE = "ada_correct"
OVER_MEMORY = "max_over_memory"
OVER_MEMORY_TESTS = ("test_convnet::test_callbacks_checkpoint", "test_convnet::test_callbacks_early_stopping")
GPU_BUSY_MIB = 100          # grading on the GPU must raise its memory use at least this much above the idle level
GPU_IDLE_MIB = 50           # and leave it within this much of the idle level

# How many GPUs each backend sees, in a process of its own (a GPU context must not live in this process).
GPU_COUNT = {
    "tensorflow": "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))",
    "jax": "import jax; print(sum(d.platform == 'gpu' for d in jax.devices()))",
    "torch": "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)",
}

# The probe's notebook: one cell, run in the kit's sandbox like a student's.
PROBE = r'''
import os
import time

import numpy as np
import keras

BACKEND = keras.config.backend()


def gpus():
    """The GPUs that Keras' backend sees, by name."""
    if BACKEND == "jax":
        import jax
        return [str(d) for d in jax.devices() if d.platform == "gpu"]
    if BACKEND == "torch":
        import torch
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    import tensorflow as tf
    return [d.name for d in tf.config.list_physical_devices("GPU")]


def nvidia_nodes():
    names = [n for n in os.listdir("/dev") if n.startswith("nvidia") and n != "nvidia-caps"]
    if os.path.isdir("/dev/nvidia-caps"):
        names += ["nvidia-caps/" + n for n in os.listdir("/dev/nvidia-caps")]
    return sorted(names)


def where(value):
    return ",".join(str(d) for d in value.devices()) if BACKEND == "jax" else str(value.device)


def train():
    """Chollet's dense network on 6,000 random images, 2 epochs: where its weights live, the seconds, the threads."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((6000, 784), dtype=np.float32)
    y = np.random.default_rng(1).integers(0, 10, 6000)
    start = time.perf_counter()
    model.fit(x, y, epochs=2, batch_size=128, verbose=0)
    model.predict(x[:10], verbose=0)
    return {"weights_on": where(model.weights[0].value), "train_seconds": time.perf_counter() - start,
            "threads": len(os.listdir("/proc/self/task")), "backend": BACKEND}
'''


class SmokeError(Exception):
    """The smoke check cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


# ---------------------------------------------------------------- 1. install
def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_distribution(wheel: Path) -> tuple[str, str]:
    """(distribution, version) from a wheel's file name: ``pydantic_core-2.50.4-cp312-...whl``."""
    name, version = wheel.name.split("-")[:2]
    return canonical(name), version


def to_install(wheels: list[Path], installed: dict[str, str]) -> list[Path]:
    """The wheels whose distribution this Python lacks; pip's own wheel is only a means of installing."""
    return [w for w in wheels if wheel_distribution(w)[0] not in installed and wheel_distribution(w)[0] != "pip"]


def version_notes(wheels: list[Path], installed: dict[str, str]) -> list[str]:
    """The distributions this Python has at another version than the kit pins (kept: the machine's own)."""
    notes = []
    for wheel in wheels:
        name, version = wheel_distribution(wheel)
        if name in installed and name != "pip" and installed[name] != version:
            notes.append(f"{name} {installed[name]} (the kit pins {version})")
    return notes


def installed_distributions() -> dict[str, str]:
    from importlib import metadata
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def pip_command(files: Path) -> list[str]:
    """This Python's pip, or the carried pip wheel run as pip (a wheel is a zip that Python can run from)."""
    import importlib.util
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    carried = sorted(files.glob("pip-*.whl"))
    if not carried:
        raise SmokeError(f"this Python has no pip and {files} has no pip wheel: run ci/gpu/fetch.sh")
    return [sys.executable, str(carried[-1] / "pip")]


def externally_managed() -> bool:
    """A system Python that refuses pip installs (PEP 668)."""
    import sysconfig
    return sys.prefix == sys.base_prefix and Path(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED").exists()


def install(files: Path, dry_run: bool, log) -> dict:
    wheels = sorted(files.glob("*.whl"))
    installed = installed_distributions()
    needed = to_install(wheels, installed)
    missing = [name for name in ("keras", "pydantic", "pyyaml", "rich", "pytest", "numpy")
               if name not in installed and name not in {wheel_distribution(w)[0] for w in wheels}]
    if missing:
        raise SmokeError(f"this Python lacks {', '.join(missing)} and {files} has no wheel of them: run "
                         f"ci/gpu/fetch.sh {sys.version_info.major}.{sys.version_info.minor} and carry {files}")
    for note in version_notes(wheels, installed):
        log(f"  kept this Python's {note}")
    names = [f"{n} {v}" for n, v in map(wheel_distribution, needed)]
    log(f"  {'would install' if dry_run else 'installing'}: {', '.join(names) or 'nothing (all present)'}")
    if needed and not dry_run:
        if externally_managed():
            raise SmokeError(f"{sys.executable} is the system's Python (PEP 668) and refuses installs: make a venv "
                             f"that sees its GPU packages (python3 -m venv --system-site-packages DIR) and run "
                             f"PYTHON=DIR/bin/python ci/gpu/smoke.sh")
        subprocess.run([*pip_command(files), "install", "--no-index", "--no-deps", "--disable-pip-version-check",
                        "--quiet", *map(str, needed)], check=True)
        importlib.invalidate_caches()  # this process imports them next
    return {"installed": names}


def compile_packages(packages: list[str]) -> None:
    """Byte-compile the backend's packages: sandboxed workers cannot write .pyc files, and would compile them from
    source at every start (an installer such as uv writes none)."""
    import importlib.util
    folders = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        folders += list(spec.submodule_search_locations or []) if spec else []
    if folders:
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *folders], stdout=subprocess.DEVNULL)


def extract_deb(deb: Path, dest: Path) -> None:
    """A Debian package's files (its data.tar.*, inside an ar archive) under ``dest``: what dpkg-deb -x does."""
    data = deb.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise SmokeError(f"{deb}: not a Debian package")
    offset = 8
    while offset + 60 <= len(data):
        header = data[offset:offset + 60]
        name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58])
        if name.startswith("data.tar"):
            try:
                with tarfile.open(fileobj=io.BytesIO(data[offset + 60:offset + 60 + size])) as tar:
                    tar.extractall(dest, filter="data")
            except tarfile.TarError as exc:
                raise SmokeError(f"{deb}: its {name} cannot be read here ({exc})") from None
            return
        offset += 60 + size + size % 2
    raise SmokeError(f"{deb}: no data.tar member")


def bubblewrap(files: Path, build: Path) -> str:
    """The bwrap the kit will use: the machine's, else one extracted from the carried packages, with a wrapper first
    on PATH that finds the libraries it links where they were extracted."""
    found = shutil.which("bwrap")
    if found:
        return found
    debs = sorted(files.glob("*.deb"))
    if not any(d.name.startswith("bubblewrap_") for d in debs):
        raise SmokeError(f"this machine has no bwrap and {files} has no bubblewrap package: run ci/gpu/fetch.sh")
    tree = build / "bubblewrap"
    shutil.rmtree(tree, ignore_errors=True)
    for deb in debs:
        extract_deb(deb, tree)
    libraries = ":".join(str(tree / d) for d in ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"))
    wrapper = build / "bin" / "bwrap"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(f'#!/bin/sh\nLD_LIBRARY_PATH="{libraries}" exec "{tree}/usr/bin/bwrap" "$@"\n')
    wrapper.chmod(0o755)
    os.environ["PATH"] = f"{wrapper.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return str(wrapper)


# ---------------------------------------------------------------- 2. backend
def gpu_count(backend: str) -> int | None:
    """How many GPUs ``backend`` sees here; None when it cannot be imported."""
    env = {**os.environ, "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        done = subprocess.run([sys.executable, "-c", GPU_COUNT[backend]], capture_output=True, text=True, env=env,
                              timeout=300)
    except subprocess.TimeoutExpired:
        return None
    lines = done.stdout.split()
    return int(lines[-1]) if done.returncode == 0 and lines and lines[-1].isdigit() else None


def choose_backend(counts: dict[str, int | None], requested: str | None, need_gpu: bool) -> str:
    """The requested backend, else the first (in BACKENDS' order) that sees a GPU; for a dry run, one that imports."""
    usable = [b for b in BACKENDS if counts.get(b) is not None and (counts[b] > 0 or not need_gpu)]
    if requested:
        if requested not in usable:
            raise SmokeError(f"--keras-backend {requested}: it {'sees no GPU' if counts.get(requested) == 0 else 'cannot be imported'} "
                             f"with {sys.executable}")
        return requested
    if not usable:
        raise SmokeError(f"no Keras backend sees a GPU with {sys.executable} (GPUs seen: {counts}); install "
                         f"TensorFlow's CUDA build, JAX with its CUDA plugin or PyTorch with CUDA")
    return usable[0]


# ---------------------------------------------------------------- 3. probe
def probe(backend: str, device, limits) -> dict:
    """The probe notebook in the kit's sandbox on ``device``: what its worker sees and where training runs."""
    from autograder.sandbox.proxies import StudentNotebook
    from autograder.sandbox.session import Session
    with tempfile.TemporaryDirectory(prefix="smoke-probe-") as folder:
        session = Session("smoke", Path(folder), [(0, PROBE)], limits, sandbox=True, device=device,
                          keras_backend=backend)
        try:
            failed = session.start().failed()
            if failed:
                return {"error": f"the probe did not load: {failed[0].error}", "output": session.output()[-3000:]}
            notebook = StudentNotebook(session)
            return {"gpus": notebook.gpus(), "nodes": notebook.nvidia_nodes(), **notebook.train()}
        except Exception as exc:  # noqa: BLE001 - a sandbox that fails here is what the smoke check reports
            return {"error": f"{type(exc).__name__}: {exc}", "output": session.output()[-3000:]}
        finally:
            session.close()


# ---------------------------------------------------------------- 4. grade
def numbers(text: str) -> list[int]:
    """The integers of nvidia-smi's CSV (noheader, nounits), one per line."""
    return [int(line.strip()) for line in text.splitlines() if line.strip().isdigit()]


def gpu_memory_mib() -> int | None:
    """The memory used on the machine's GPUs (MiB), or None without nvidia-smi."""
    try:
        done = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    values = numbers(done.stdout)
    return sum(values) if done.returncode == 0 and values else None


def gpu_processes() -> list[str] | None:
    """The compute processes nvidia-smi lists (pid, name, memory), or None without nvidia-smi."""
    try:
        done = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,process_name,used_memory",
                               "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else None


def grade_command(kind: str, backend: str, students: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(students), "--out", str(out / kind),
            "--gradebook", str(out / f"{kind}.sqlite"), "--device", kind, "--keras-backend", backend,
            "--jobs", str(jobs), "--force"]


def grade(command: list[str], out: Path) -> dict:
    """Run one `grade`; its seconds, the results by student, and the GPU's memory read every second meanwhile."""
    samples, done = [], threading.Event()

    def watch() -> None:
        while not done.wait(1.0):
            used = gpu_memory_mib()
            if used is not None:
                samples.append(used)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.monotonic()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - start
    done.set()
    watcher.join()
    results = {path.parent.name: json.loads(path.read_text()) for path in sorted(out.glob("*/results.json"))}
    return {"seconds": seconds, "results": results, "gpu_mib": samples, "status": finished.returncode,
            "stderr": finished.stderr[-3000:]}


def leftovers() -> list[str]:
    """Processes of the kit still running: bubblewrap and workers (the zygote is a worker too)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv if a]
        if words and (words[0].endswith("bwrap") or any(w.endswith("/worker.py") for w in words)):
            found.append(f"{entry.name}: {' '.join(words)[:200]}")
    return found


# ---------------------------------------------------------------- 5. checks
def sees_one_gpu(gpu_probe: dict) -> Check:
    ok = "error" not in gpu_probe and len(gpu_probe.get("gpus", [])) == 1
    return Check("the worker sees exactly one GPU in the sandbox", ok,
                 gpu_probe.get("error") or f"{gpu_probe.get('backend')} sees {gpu_probe.get('gpus')}; device nodes "
                                           f"{gpu_probe.get('nodes')}")


def trains_on_gpu(gpu_probe: dict) -> Check:
    where = str(gpu_probe.get("weights_on", ""))
    ok = "error" not in gpu_probe and any(word in where.lower() for word in ("cuda", "gpu"))
    return Check("a Keras model trained in the sandbox has its weights on the GPU", ok,
                 gpu_probe.get("error") or f"weights on {where}, {gpu_probe.get('train_seconds', 0):.1f} s, "
                                           f"{gpu_probe.get('threads')} threads")


def records(run: dict, device: str, backend: str) -> Check:
    seen = sorted({(r["kit"]["device"], r["kit"].get("keras_backend")) for r in run["results"].values()})
    ok = run["status"] == 0 and bool(run["results"]) and seen == [(device, backend)]
    return Check(f"each result records device {device} and Keras backend {backend}", ok,
                 f"grade exited {run['status']}; (device, backend) recorded: {seen}"
                 + (f"; {run['stderr'][-500:]}" if run["status"] else ""))


def gpu_busy(idle_mib: int | None, samples: list[int]) -> Check:
    peak = max(samples, default=None)
    ok = idle_mib is not None and peak is not None and peak - idle_mib >= GPU_BUSY_MIB
    return Check("the GPU's memory rose while grading on it (the workers trained there)", ok,
                 f"idle {idle_mib} MiB, peak {peak} MiB while grading (nvidia-smi, every second)")


def scores_by_test(result: dict) -> dict[str, tuple[float, str]]:
    return {t["name"]: (t["score"], t["status"]) for t in result["tests"]}


def same_scores(cpu: dict, gpu: dict) -> Check:
    differ = []
    for student in sorted(set(cpu["results"]) | set(gpu["results"])):
        on_gpu, on_cpu = (scores_by_test(run["results"][student]) if student in run["results"] else {}
                          for run in (gpu, cpu))
        differ += [f"{student} {name}: GPU {on_gpu.get(name)}, CPU {on_cpu.get(name)}"
                   for name in sorted(set(on_gpu) | set(on_cpu)) if on_gpu.get(name) != on_cpu.get(name)]
    return Check("every test of every student scores the same on the GPU as on the CPU", not differ,
                 "; ".join(differ[:10]) or f"{len(gpu['results'])} students, every test equal")


def lost_as_sampled(run: dict, lost: dict[str, float], device: str) -> Check:
    """Each student loses the points the class says (100 - score; none of its mistakes is a Part C one)."""
    got = {s: round(r["max_score"] - r["score"], 4) for s, r in run["results"].items()}
    wrong = {s: (got.get(s), want) for s, want in lost.items() if got.get(s) != want}
    return Check(f"on the {device.upper()} each student loses exactly the points of their mistake", not wrong,
                 f"(lost, expected): {wrong}" if wrong else f"lost: {got}")


def over_memory_fails_alone(run: dict, device: str) -> Check:
    """The student who allocates past memory_mb fails the tests that run that code (make_callbacks), each with a
    memory message, and no other."""
    result = run["results"].get(OVER_MEMORY)
    if result is None:
        return Check(f"on the {device.upper()} the memory limit fails only the submission that passes it", False,
                     f"no result for {OVER_MEMORY}")
    failed = {t["name"]: t["output"] for t in result["tests"] if t["status"] == "failed"}
    ok = sorted(failed) == list(OVER_MEMORY_TESTS) and all("memory" in m.lower() for m in failed.values())
    return Check(f"on the {device.upper()} the memory limit fails only the submission that passes it", ok,
                 f"{OVER_MEMORY} failed {sorted(failed)}: {' | '.join(m[:160] for m in failed.values())}")


def gpu_left_idle(idle_mib: int | None, now_mib: int | None, apps: list[str] | None, left: list[str]) -> Check:
    ok = (apps == [] and not left and idle_mib is not None and now_mib is not None
          and now_mib - idle_mib <= GPU_IDLE_MIB)
    return Check("nothing is left running on the GPU (nor of the kit's sandboxes)", ok,
                 f"compute processes {apps}; memory {now_mib} MiB (idle {idle_mib} MiB); kit processes {left}")


def ratio(cpu_seconds: float | None, gpu_seconds: float | None) -> str:
    if not cpu_seconds or not gpu_seconds:
        return "n/a"
    return f"CPU {cpu_seconds:.1f} s, GPU {gpu_seconds:.1f} s: the GPU takes {gpu_seconds / cpu_seconds:.2f}x the CPU's time"


# ---------------------------------------------------------------- the run
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ci/gpu/smoke.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keras-backend", choices=BACKENDS, help="default: the first that sees a GPU here")
    parser.add_argument("--jobs", type=int, default=4, help="grader processes for each grading run (default: 4, "
                                                            "one per student)")
    parser.add_argument("--report", type=Path, default=BUILD / "smoke.json", help="default: ci/gpu/build/smoke.json")
    parser.add_argument("--files", type=Path, default=FILES, help="default: ci/gpu/files (ci/gpu/fetch.sh's)")
    parser.add_argument("--dry-run", action="store_true", help="only what needs no GPU; install nothing")
    args = parser.parse_args(argv)
    log = lambda text: print(text, flush=True)  # noqa: E731
    try:
        return run(args, log)
    except SmokeError as exc:
        log(f"smoke: {exc}")
        return 2


def run(args, log) -> int:
    report: dict = {"python": sys.version.split()[0], "executable": sys.executable}
    log(f"1. install ({sys.executable}, Python {report['python']})")
    report["install"] = install(args.files, args.dry_run, log)
    report["bwrap"] = bubblewrap(args.files, BUILD)
    log(f"  bubblewrap: {report['bwrap']}")

    log("2. backend")
    candidates = [args.keras_backend] if args.keras_backend else BACKENDS
    counts: dict[str, int | None] = {}
    for backend in candidates:
        counts[backend] = gpu_count(backend)
        log(f"  {backend}: {'cannot be imported' if counts[backend] is None else f'{counts[backend]} GPU(s)'}")
        if counts[backend] and not args.keras_backend:
            break
    backend = report["backend"] = choose_backend(counts, args.keras_backend, need_gpu=not args.dry_run)
    log(f"  grading with Keras on {backend}")
    if not args.dry_run:
        compile_packages(["keras", *PACKAGES[backend]])

    from autograder.authoring.samples import build_class
    from autograder.course.config import load_course
    from autograder.sandbox.devices import CPU, DeviceUnavailable, choose
    students = BUILD / "class"
    lost = {name: round(100 - s.score, 4) for name, s in build_class(ASSIGNMENT, NOTEBOOK, students, CLASS).items()}
    out = BUILD / "grades"
    commands = {kind: grade_command(kind, backend, students, out, args.jobs) for kind in ("gpu", "cpu")}
    if args.dry_run:
        log(f"3. probe and 4. grade, not run (--dry-run): the class {sorted(lost)} is in {students}; the commands:")
        for command in commands.values():
            log("  " + " ".join(command))
        return 0

    assignment = load_course().assignment(ASSIGNMENT)
    try:
        gpu = choose(ASSIGNMENT, assignment.gpu, "gpu").device
    except DeviceUnavailable as exc:
        raise SmokeError(str(exc)) from None
    idle = report["gpu_idle_mib"] = gpu_memory_mib()
    log(f"3. probe (GPU device nodes {', '.join(gpu.nodes)}; GPU memory in use {idle} MiB)")
    probes = report["probe"] = {"gpu": probe(backend, gpu, assignment.limits_on("gpu")),
                                "cpu": probe(backend, CPU, assignment.limits_on("cpu"))}
    for kind, found in probes.items():
        log(f"  {kind}: {json.dumps(found)[:400]}")

    shutil.rmtree(out, ignore_errors=True)
    runs = report["grade"] = {}
    for kind, command in commands.items():
        log(f"4. grade on the {kind.upper()}: {' '.join(command)}")
        runs[kind] = grade(command, out / kind)
        scores = {s: f"{r['score']:g}/{r['max_score']:g}" for s, r in runs[kind]["results"].items()}
        log(f"  {runs[kind]['seconds']:.1f} s, exit {runs[kind]['status']}: {scores}")

    checks = [sees_one_gpu(probes["gpu"]), trains_on_gpu(probes["gpu"]), records(runs["gpu"], "gpu", backend),
              records(runs["cpu"], "cpu", backend), gpu_busy(idle, runs["gpu"]["gpu_mib"]),
              same_scores(runs["cpu"], runs["gpu"]), lost_as_sampled(runs["gpu"], lost, "gpu"),
              lost_as_sampled(runs["cpu"], lost, "cpu"), over_memory_fails_alone(runs["gpu"], "gpu"),
              over_memory_fails_alone(runs["cpu"], "cpu"),
              gpu_left_idle(idle, gpu_memory_mib(), gpu_processes(), leftovers())]
    report["checks"] = [asdict(check) for check in checks]
    report["timing"] = {"grading": ratio(runs["cpu"]["seconds"], runs["gpu"]["seconds"]),
                        "training": ratio(probes["cpu"].get("train_seconds"), probes["gpu"].get("train_seconds"))}
    log("5. checks")
    for check in checks:
        log(f"  {'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    log(f"  timing, grading the class: {report['timing']['grading']}")
    log(f"  timing, training the probe's network: {report['timing']['training']}")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=1, default=str))
    failed = sum(not check.ok for check in checks)
    log(f"smoke: {len(checks) - failed} of {len(checks)} checks passed; report in {args.report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Which device a student's worker runs on, and what the sandbox lets it see of a GPU.

A GPU is usable when the NVIDIA driver's device nodes are present: ``nvidiactl``,
``nvidia-uvm`` and at least one ``nvidia<N>``. On a GPU run exactly those nodes (and
``nvidia-uvm-tools`` and ``nvidia-caps/*`` where present) are bound into the sandbox,
which otherwise has a fresh, minimal ``/dev``. On a CPU run none is bound and
``CUDA_VISIBLE_DEVICES`` is empty, so TensorFlow, JAX and PyTorch all stay on the CPU.

The assignment's ``gpu`` field in course.yml and the runner's ``--device`` decide:

==============  ==========================  ==============================================
``gpu``         ``--device auto`` (default)  ``--device gpu``
==============  ==========================  ==============================================
``never``       CPU                          CPU (noted: the assignment never uses a GPU)
``optional``    GPU if usable, else CPU      GPU; no usable GPU is an error
``preferred``   GPU if usable, else CPU and  GPU; no usable GPU is an error
                a warning (slow; tests that
                need a GPU are skipped)
==============  ==========================  ==============================================

``--device cpu`` always means the CPU.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DEV = Path("/dev")
REQUESTS = ("auto", "cpu", "gpu")
ENV_REQUEST = "AUTOGRADER_DEVICE"  # the default of --device, for a runner that always grades one way
_NODE = re.compile(r"nvidia([0-9]+|ctl|-uvm|-uvm-tools)")
_CAPS = "nvidia-caps"


class DeviceUnavailable(Exception):
    """A GPU was asked for and this machine has none the sandbox can use."""


@dataclass(frozen=True)
class Device:
    """Where a worker runs: ``kind`` is ``cpu`` or ``gpu``; ``nodes`` are paths under ``root`` to bind."""
    kind: str = "cpu"
    root: str = str(DEV)
    nodes: tuple[str, ...] = ()

    def bwrap_args(self) -> list[str]:
        args = []
        if any(node.startswith(_CAPS + "/") for node in self.nodes):  # bwrap would make it 0700, root's only
            args += ["--perms", "0755", "--dir", f"/dev/{_CAPS}"]
        for node in self.nodes:
            args += ["--dev-bind", os.path.join(self.root, node), f"/dev/{node}"]
        return args

    def environment(self) -> dict[str, str]:
        if self.kind == "cpu":
            return {"CUDA_VISIBLE_DEVICES": ""}
        # Workers share the GPU: each takes memory as it needs it, not all of it up front.
        env = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
        if "CUDA_VISIBLE_DEVICES" in os.environ:  # the runner's own choice of GPUs carries over
            env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
        return env

    def to_json(self) -> dict:
        return {"kind": self.kind, "root": self.root, "nodes": list(self.nodes)}

    @classmethod
    def from_json(cls, data: dict | None) -> "Device":
        return cls(data["kind"], data["root"], tuple(data["nodes"])) if data else CPU


CPU = Device()


@dataclass(frozen=True)
class Choice:
    device: Device
    note: str = ""  # something the instructor should know about the choice, or ""


def nvidia_nodes(root: Path = DEV) -> tuple[str, ...]:
    """The NVIDIA device nodes under ``root``, as paths relative to it."""
    try:
        names = [entry.name for entry in os.scandir(root) if _NODE.fullmatch(entry.name)]
    except OSError:
        return ()
    caps = root / _CAPS
    if caps.is_dir():
        names += [f"{_CAPS}/{entry.name}" for entry in os.scandir(caps) if not entry.is_dir()]
    return tuple(sorted(names))


def usable_gpu(root: Path = DEV) -> Device | None:
    """The GPU the sandbox can bind, or None when a node CUDA needs is missing."""
    nodes = nvidia_nodes(root)
    numbered = [n for n in nodes if n[len("nvidia"):].isdigit()]
    if not numbered or "nvidiactl" not in nodes or "nvidia-uvm" not in nodes:
        return None
    return Device("gpu", str(root), nodes)


def choose(assignment: str, gpu: str, request: str, root: Path = DEV) -> Choice:
    """The device to grade ``assignment`` on, given its ``gpu`` policy and the runner's ``--device``."""
    if request not in REQUESTS:
        raise ValueError(f"device must be one of {', '.join(REQUESTS)}, got {request!r}")
    if gpu == "never":
        note = f"{assignment} has gpu: never in course.yml, so it is graded on the CPU" if request == "gpu" else ""
        return Choice(CPU, note)
    if request == "cpu":
        return Choice(CPU)
    device = usable_gpu(root)
    if device is not None:
        return Choice(device)
    if request == "gpu":
        raise DeviceUnavailable(
            f"--device gpu: no usable NVIDIA GPU on this machine (looked for nvidiactl, nvidia-uvm and nvidia0.. "
            f"in {root}; found {', '.join(nvidia_nodes(root)) or 'none'}). In a container, start it with "
            f"--gpus all (Docker) or gpus = \"all\" (GitLab runner), or grade with --device cpu.")
    note = (f"{assignment} prefers a GPU and this machine has none: grading on the CPU with its CPU limits; "
            f"tests marked needs_gpu are skipped") if gpu == "preferred" else ""
    return Choice(CPU, note)

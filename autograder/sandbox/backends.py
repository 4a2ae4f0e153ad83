"""Which Keras 3 backend runs a worker's model code: TensorFlow, JAX or PyTorch.

Keras 3 runs the same model code on each. A course chooses per assignment (``keras_backend`` in course.yml,
default ``tensorflow``; ``grade --keras-backend`` overrides it for one run). The worker, and the zygote whose
preload imports Keras, get it as ``KERAS_BACKEND`` in their environment, so it is set before Keras is first
imported; each result records it (``kit.keras_backend``). Tests that only one backend can run carry
``@pytest.mark.backends(...)`` (see grading/plugin.py).

Beside the name, each backend gets what makes its work the same on any machine:

- **jax**: ``PJRT_NPROC`` sizes XLA's CPU client and Eigen thread pools per worker, not per core (RLIMIT_NPROC
  counts threads: at one per core a 16-core runner would pass ``processes``), as ``TF_NUM_*_THREADS`` do for
  TensorFlow (limits.worker_environment). XLA compiles every new model's training step again, and a suite builds
  the student's model many times: its compilation cache, in the worker's HOME (the sandbox's private /tmp,
  emptied between students), makes each rebuild of the same model a cache hit (05's dense network trained again:
  9 to 11 s without it, 2 to 3 s with it, on two busy cores). On the CPU ``JAX_PLATFORMS=cpu`` keeps it from
  probing for CUDA; on a GPU ``--xla_gpu_deterministic_ops`` makes a training run repeatable (XLA's reductions
  otherwise use atomics).
- **torch**: on a GPU ``CUBLAS_WORKSPACE_CONFIG`` makes cuBLAS repeatable (NVIDIA's documented setting).
"""
from __future__ import annotations

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"
JAX_CACHE = "/tmp/home/.cache/jax"  # under the worker's HOME (limits.worker_environment)


def backend_environment(backend: str, device_kind: str) -> dict[str, str]:
    """The worker's environment variables for Keras on ``backend``, on a ``cpu`` or ``gpu`` device."""
    if backend not in BACKENDS:
        raise ValueError(f"keras backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    env = {"KERAS_BACKEND": backend}
    if backend == "jax":
        env |= {"PJRT_NPROC": "2", "JAX_COMPILATION_CACHE_DIR": JAX_CACHE,
                "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}
        env |= {"XLA_FLAGS": "--xla_gpu_deterministic_ops=true"} if device_kind == "gpu" else {"JAX_PLATFORMS": "cpu"}
    if backend == "torch" and device_kind == "gpu":
        env["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    return env

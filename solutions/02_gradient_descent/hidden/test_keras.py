"""Hidden tests, part 4c: the student's optimizers and schedules cross-checked step by step against Keras 3.

This is the only module of the suite that uses Keras. Its values do not depend on the student, so they are computed
once per version of this file and of the pinned Keras, TensorFlow and numpy (autograder/references.py), and a
grader process imports Keras (slow: several seconds) only when one is not stored yet. Keras variables are float64 so that the comparison is exact up to rounding, and the learning
rates and Adam's betas are exact in float32 (0.0625, 0.75, 0.984375, ...), because Keras keeps the learning rate in
a float32 variable and casts β1, β2 through float32 before taking their powers. Both sides receive the same
fixed sequence of random gradients for a scalar, a vector and a matrix parameter.

Where Keras 3.15 and the course's rules (course-notes.md) coincide, and how Keras is configured to match:
- SGD: keras.optimizers.SGD(lr) is θ ← θ − ηg.
- Momentum: Keras keeps m ← γm − ηg, θ ← θ + m, i.e. m = −u for the course's u ← γu + ηg, θ ← θ − u.
- Nesterov: Keras' SGD(momentum, nesterov=True) does θ ← θ + γm − ηg with the new m: the same look-ahead form
  θ ← θ − (γu + ηg) as the notebook.
- AdaGrad: Keras puts ε inside the square root, θ ← θ − ηg/√(G + ε), like the course, but starts the
  accumulator at initial_accumulator_value = 0.1; it is set to 0 here to match G = 0 at the start.
- RMSProp: Keras (momentum = 0, centered = False) is G ← ρG + (1 − ρ)g², θ ← θ − ηg/√(G + ε), ε inside: the same.
- Adam: Keras uses the paper's "efficient" form θ ← θ − η·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε), which equals the
  course's η·m̂/(√v̂ + ε) only for ε = 0 (otherwise its ε is effectively scaled by √(1 − β2ᵗ)); the comparison runs
  at ε = 0 on both sides. The place of ε in Adam is tested against the reference in test_optimizers.py.
- Schedules: PolynomialDecay(lr0, T, 0, power=1) is linear decay clamped at 0 after T; ExponentialDecay(lr0, T, e⁻¹)
  is lr0·e^(−t/T); ExponentialDecay(lr0, every, drop, staircase=True) is step decay; InverseTimeDecay(lr0, T, 1)
  is lr0/(1 + t/T). Keras computes schedules in float32, hence the looser tolerance there.
"""
import os
from pathlib import Path

import numpy as np
import pytest

from autograder import checks, references

N_STEPS = 25


def _problem(seed):
    rng = np.random.default_rng(seed)
    params = {"s": np.array(rng.normal()), "b": rng.normal(size=4), "W": rng.normal(size=(3, 5))}
    grads = [{k: rng.normal(size=np.shape(v)) * rng.choice([0.1, 1.0, 10.0]) for k, v in params.items()}
             for _ in range(N_STEPS)]
    return params, grads


def _keras_trajectory(optimizer, params, grads):
    names, library = sorted(params), keras()
    variables = {k: library.Variable(np.array(params[k], dtype=np.float64), dtype="float64", name=f"p_{k}")
                 for k in names}
    path = []
    for g in grads:
        optimizer.apply_gradients([(library.ops.convert_to_tensor(g[k], dtype="float64"), variables[k])
                                   for k in names])
        path.append({k: np.array(variables[k].numpy(), dtype=np.float64) for k in names})
    return path


def keras():
    """Keras on TensorFlow, its logging quiet; imported only to compute a value not stored yet."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import logging
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    import keras as module
    return module


_KERAS = {}  # what -> Keras' values, read once per grader process


def _from_keras(what: str, compute):
    """Keras' values for ``what``: the same for every student, so stored once (autograder/references.py)."""
    if what not in _KERAS:
        _KERAS[what] = references.cached(f"02-keras-{what}", compute, [Path(__file__)],
                                         ("keras", "tensorflow-cpu", "numpy"))
    return _KERAS[what]


def _compare(student_opt, keras_optimizer, settings, seed, what, hint=None):
    """Compare with ``keras.optimizers.<keras_optimizer>(**settings)``, built only when its values are not stored."""
    params, grads = _problem(seed)
    want = _from_keras(f"{what}-{seed}", lambda: _keras_trajectory(
        getattr(keras().optimizers, keras_optimizer)(**settings), params, grads))
    current, step = dict(params), student_opt.step  # the bound method, looked up once (one round trip)
    for k, (g, expected) in enumerate(zip(grads, want), start=1):
        got = step(current, g)
        if not isinstance(got, dict):
            checks.fail(f"{what}: step should return a dict of the new parameters, got {checks.summary(got)}.")
        checks.equal(sorted(got), sorted(expected), what=f"{what}: the keys of the dict that step returned")
        for name in expected:
            checks.close(got[name], expected[name], rtol=1e-9, atol=1e-12, hint=hint,
                         what=f"{what}: parameter {name!r} (shape {np.shape(expected[name])}) after step {k}, "
                              "compared with Keras")
        current = got


@pytest.mark.points(1)
def test_sgd_matches_keras(student):
    """Keras cross-check: SGD(lr) against keras.optimizers.SGD(lr), 25 steps, scalar/vector/matrix parameters."""
    _compare(student.SGD(lr=0.125), "SGD", dict(learning_rate=0.125), 80, "SGD(lr=0.125)")


@pytest.mark.points(2)
@pytest.mark.hint("Keras' SGD with momentum is the same rule as yours: compare both on a 1-D problem for three steps.")
def test_momentum_matches_keras(student):
    """Keras cross-check (catches a momentum sign error or lr applied twice): Momentum(lr, γ) against
    keras.optimizers.SGD(lr, momentum=γ)."""
    _compare(student.Momentum(lr=0.0625, momentum=0.75),
             "SGD", dict(learning_rate=0.0625, momentum=0.75), 81, "Momentum(lr=0.0625, momentum=0.75)", hint="u ← momentum·u + lr·g, then θ ← θ − u")


@pytest.mark.points(2)
def test_nesterov_matches_keras(student):
    """Keras cross-check: Nesterov(lr, γ) against keras.optimizers.SGD(lr, momentum=γ, nesterov=True)."""
    _compare(student.Nesterov(lr=0.0625, momentum=0.75),
             "SGD", dict(learning_rate=0.0625, momentum=0.75, nesterov=True), 82,
             "Nesterov(lr=0.0625, momentum=0.75)")


@pytest.mark.points(2)
def test_adagrad_matches_keras(student):
    """Keras cross-check (catches ε outside the square root): AdaGrad(lr, ε = 0.25) against
    keras.optimizers.Adagrad(lr, initial_accumulator_value=0, epsilon=0.25), ε inside √ on both sides."""
    _compare(student.AdaGrad(lr=0.25, eps=0.25),
             "Adagrad", dict(learning_rate=0.25, initial_accumulator_value=0.0, epsilon=0.25), 83,
             "AdaGrad(lr=0.25, eps=0.25)", hint="θ ← θ − lr·g / √(G + ε)")


@pytest.mark.points(2)
def test_rmsprop_matches_keras(student):
    """Keras cross-check (catches ε outside the square root): RMSProp(lr, ρ, ε = 0.1) against
    keras.optimizers.RMSprop(lr, rho, epsilon=0.1), ε inside √ on both sides."""
    _compare(student.RMSProp(lr=0.03125, rho=0.8, eps=0.1),
             "RMSprop", dict(learning_rate=0.03125, rho=0.8, epsilon=0.1), 84,
             "RMSProp(lr=0.03125, rho=0.8, eps=0.1)", hint="θ ← θ − lr·g / √(G + ε)")


@pytest.mark.points(2)
@pytest.mark.hint("Keras' Adam with epsilon = 0 is the textbook rule: compare the first steps of both, with and "
                  "without your bias correction.")
def test_adam_matches_keras(student):
    """Keras cross-check (catches missing bias correction): Adam(lr, β1, β2, ε = 0) against
    keras.optimizers.Adam(lr, β1, β2, epsilon=0), where Keras' efficient form equals the textbook rule."""
    _compare(student.Adam(lr=0.0625, beta1=0.75, beta2=0.984375, eps=0.0),
             "Adam", dict(learning_rate=0.0625, beta_1=0.75, beta_2=0.984375, epsilon=0.0), 85,
             "Adam(lr=0.0625, beta1=0.75, beta2=0.984375, eps=0)", hint="correct m and v for their bias")


@pytest.mark.points(1)
def test_schedules_match_keras(student):
    """Keras cross-check of the four schedules against PolynomialDecay (power 1), ExponentialDecay,
    ExponentialDecay(staircase=True) and InverseTimeDecay, for t = 0..120 (float32 in Keras: rtol 1e-5)."""
    def schedules():
        return keras().optimizers.schedules
    cases = [
        ("linear_decay(0.2, t, 80)", lambda t: student.linear_decay(0.2, t, 80),
         lambda: schedules().PolynomialDecay(0.2, 80, end_learning_rate=0.0, power=1.0)),
        ("exponential_decay(0.2, t, 30)", lambda t: student.exponential_decay(0.2, t, 30),
         lambda: schedules().ExponentialDecay(0.2, 30, float(np.exp(-1.0)))),
        ("step_decay(0.2, t, 0.5, 25)", lambda t: student.step_decay(0.2, t, 0.5, 25),
         lambda: schedules().ExponentialDecay(0.2, 25, 0.5, staircase=True)),
        ("inverse_time_decay(0.2, t, 10)", lambda t: student.inverse_time_decay(0.2, t, 10),
         lambda: schedules().InverseTimeDecay(0.2, 10, 1.0)),
    ]
    steps = [0, 1, 5, 24, 25, 26, 30, 49, 50, 79, 80, 81, 120]
    for what, call, make_schedule in cases:
        want = _from_keras(what, lambda: [float(make_schedule()(t)) for t in steps])
        checks.close([call(t) for t in steps], want, rtol=1e-5, atol=1e-9, what=f"{what} for t = {steps} (Keras)")

"""Hidden tests, part 4: the optimizers, replayed against the reference rules of course-notes.md.

Each optimizer is a handle to an object in the worker; the tests call its ``step(params, grads)`` with plain
dicts of arrays and compare every step with the reference. The problems are random quadratics over a scalar,
a vector and a matrix parameter, with non-default hyperparameters so that each one matters.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gd02_reference as ref  # noqa: E402

STATE_HINT = ("keep each parameter's state in the `state` dict that update receives; "
              "an attribute of self is shared by all parameters")


def _replay(student, kind, hyper, seed, n_steps=40, hint=None):
    rng = np.random.default_rng(seed)
    params = ref.random_params(rng)
    grad = ref.quadratic_problem(rng, params)
    opt = getattr(student, kind)(**hyper)
    args = ", ".join(f"{k}={v}" for k, v in hyper.items())
    ref.compare_trajectory(opt, ref.RefOptimizer(kind, **hyper), params, grad, n_steps,
                           what=f"{kind}({args}) on a random quadratic", hint=hint)


@pytest.mark.points(1)
def test_sgd_replay(student):
    """Reference comparison: SGD θ ← θ − ηg over 40 steps, with scalar, vector and matrix parameters."""
    _replay(student, "SGD", {"lr": 0.07}, 60)


@pytest.mark.points(3)
@pytest.mark.hint("Compare a few steps of your optimizer with the update rule in the notebook written out by hand: "
                  "sign of the step, and the learning rate used once.")
def test_momentum_replay(student):
    """Typical mistakes: momentum sign error, learning rate applied twice (θ ← θ − η·u with u already holding η).
    Reference: u ← γu + ηg, θ ← θ − u, over 40 steps with scalar, vector and matrix parameters."""
    _replay(student, "Momentum", {"lr": 0.05, "momentum": 0.8}, 61,
            hint="u ← momentum·u + lr·g, then θ ← θ − u (lr appears once)")


@pytest.mark.points(2)
def test_nesterov_replay(student):
    """Reference comparison: Nesterov in the look-ahead form u ← γu + ηg, θ ← θ − (γu + ηg), over 40 steps with
    scalar, vector and matrix parameters."""
    _replay(student, "Nesterov", {"lr": 0.04, "momentum": 0.85}, 62,
            hint="u ← momentum·u + lr·g, then θ ← θ − (momentum·u + lr·g) with the new u")


@pytest.mark.points(2)
def test_nesterov_visits_look_ahead_points(student):
    """Textbook formula (NKA): u ← γu + η∇F(θ − γu), θ ← θ − u. The look-ahead form must visit exactly the
    points θ − γu of this formulation (the gradient is taken at the student's own parameters)."""
    rng = np.random.default_rng(63)
    a = ref.random_spd(rng, 3, 0.5, 5.0)
    gamma, lr = 0.7, 0.08
    theta, u = rng.normal(size=3), np.zeros(3)
    params = {"x": theta.copy()}
    step = student.Nesterov(lr=lr, momentum=gamma).step  # looked up once: each lookup is a round trip
    for k in range(1, 26):
        u = gamma * u + lr * (a @ (theta - gamma * u))
        theta = theta - u
        params = step(params, {"x": a @ np.asarray(params["x"], float)})
        checks.close(params["x"], theta - gamma * u, rtol=1e-8, atol=1e-12,
                     what=f"Nesterov's parameters after step {k} (the look-ahead point θ − γu of NKA's formula)")


@pytest.mark.points(2)
def test_adagrad_replay(student):
    """Reference comparison: AdaGrad G ← G + g², θ ← θ − ηg/√(G + ε), over 40 steps with scalar, vector and
    matrix parameters; ε = 0.5 is large enough that its place (inside the square root) matters."""
    _replay(student, "AdaGrad", {"lr": 0.3, "eps": 0.5}, 64,
            hint="ε goes inside the square root: √(G + ε)")


@pytest.mark.points(3)
def test_rmsprop_replay(student):
    """Typical mistake: ε outside instead of inside the square root. Reference: G ← ρG + (1 − ρ)g²,
    θ ← θ − ηg/√(G + ε), 40 steps, ε = 0.2, scalar, vector and matrix parameters."""
    _replay(student, "RMSProp", {"lr": 0.05, "rho": 0.8, "eps": 0.2}, 65,
            hint="ε goes inside the square root: √(G + ε); G ← ρG + (1 − ρ)g²")


@pytest.mark.points(3)
@pytest.mark.hint("Print self.t and the corrected averages for the first three steps; the correction must use the "
                  "number of the current step.")
def test_adam_replay(student):
    """Typical mistake: Adam without bias correction. Reference: Adam with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ),
    non-default β1, β2, over 40 steps with scalar, vector and matrix parameters."""
    _replay(student, "Adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-8}, 66,
            hint="divide m by 1 − β1^t and v by 1 − β2^t, with t = self.t, the number of the step")


@pytest.mark.points(2)
@pytest.mark.hint("Look at where epsilon sits in your update compared with the formula in the notebook.")
def test_adam_epsilon_outside(student):
    """Typical mistake: ε inside instead of outside the square root in Adam. With ε = 0.3, θ ← θ − η m̂/(√v̂ + ε)
    differs clearly from η m̂/√(v̂ + ε); 30 steps with default betas."""
    _replay(student, "Adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 0.3}, 67, n_steps=30,
            hint="in Adam ε goes outside the square root: √v̂ + ε")


@pytest.mark.points(2)
@pytest.mark.hint("Whatever the size of the gradient, Adam's first step has the size of the learning rate: does "
                  "yours?")
def test_adam_first_step_is_lr_sign(student):
    """Textbook fact: with bias correction Adam's first step is −η·sign(g) in every coordinate (up to ε), whatever
    the size of g; without it the step is η(1 − β1)/√(1 − β2) ≈ 3.16η."""
    g = np.array([[3.0, -1e-3], [0.25, -40.0]])
    got = student.Adam(lr=0.01).step({"W": np.zeros((2, 2))}, {"W": g})
    checks.close(got["W"], -0.01 * np.sign(g), rtol=1e-4, what="Adam(lr=0.01)'s first step from 0",
                 hint="with bias correction m̂ = g and v̂ = g² at t = 1")


@pytest.mark.points(3)
@pytest.mark.hint("Train two parameters with different gradients at once: each should move exactly as if it were "
                  "trained alone. Keep one velocity (or average) per parameter name.")
def test_state_is_per_parameter(student):
    """Typical mistake: state shared between parameters (one velocity or accumulator for all of them). Two
    parameters of the same shape get different gradients; each must move exactly as if it were trained alone."""
    rng = np.random.default_rng(68)
    configs = [("Momentum", {"lr": 0.1, "momentum": 0.9}), ("Nesterov", {"lr": 0.1, "momentum": 0.9}),
               ("AdaGrad", {"lr": 0.1, "eps": 1e-8}), ("RMSProp", {"lr": 0.01, "rho": 0.9, "eps": 1e-8}),
               ("Adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8})]
    for kind, hyper in configs:
        seq = [{"a": rng.normal(size=3), "b": 5 * rng.normal(size=3)} for _ in range(12)]
        params = {"a": np.ones(3), "b": -np.ones(3)}
        ref.compare_trajectory(getattr(student, kind)(**hyper), ref.RefOptimizer(kind, **hyper), params,
                               lambda p, k: seq[k - 1], len(seq), what=f"{kind} with two parameters 'a' and 'b'",
                               hint=STATE_HINT)


@pytest.mark.points(1)
@pytest.mark.hint("Create two optimizer objects and step only one: the other must not change. Where is your state "
                  "stored?")
def test_optimizers_are_independent(student):
    """Edge case of the same mistake: two optimizer objects must not share state (no class-level state)."""
    first, second = student.Momentum(lr=0.1, momentum=0.9), student.Momentum(lr=0.1, momentum=0.9)
    first.step({"w": np.zeros(2)}, {"w": np.ones(2)})
    got = second.step({"w": np.zeros(2)}, {"w": np.ones(2)})
    checks.close(got["w"], [-0.1, -0.1], what="the first step of a fresh Momentum(lr=0.1) after another one stepped",
                 hint="create the state in __init__ / init_state, not as a class attribute")

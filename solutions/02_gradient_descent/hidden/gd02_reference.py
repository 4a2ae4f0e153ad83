"""Reference implementations and helpers for the hidden suite of assignment 02 (grader side only).

Written independently of the notebook's solution, from the formulas in course-notes.md (assignment 2).
The test modules import this file as ``gd02_reference`` (a name no other suite uses).
"""
from __future__ import annotations

import numpy as np

from autograder import checks


# ---------------------------------------------------------------- problems (plain data only)
def random_spd(rng: np.random.Generator, n: int, lam_min: float, lam_max: float) -> np.ndarray:
    """A random symmetric positive definite matrix with eigenvalues spread from lam_min to lam_max."""
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    lam = np.concatenate([[lam_min, lam_max], rng.uniform(lam_min, lam_max, n - 2)])
    a = q @ np.diag(lam) @ q.T
    return (a + a.T) / 2


def log_sum_exp(a: np.ndarray, c: np.ndarray, x: np.ndarray) -> float:
    z = a @ x + c
    top = z.max()
    return float(top + np.log(np.sum(np.exp(z - top))))


def log_sum_exp_gradient(a: np.ndarray, c: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = a @ x + c
    p = np.exp(z - z.max())
    return a.T @ (p / p.sum())


# ---------------------------------------------------------------- finite differences
def central_difference(f, x: np.ndarray, h: float) -> np.ndarray:
    out = np.zeros_like(x)
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        out[j] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def forward_difference(f, x: np.ndarray, h: float) -> np.ndarray:
    out = np.zeros_like(x)
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        out[j] = (f(x + e) - f(x)) / h
    return out


def five_point(f, x: np.ndarray, h: float) -> np.ndarray:
    out = np.zeros_like(x)
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        out[j] = (f(x - 2 * e) - 8 * f(x - e) + 8 * f(x + e) - f(x + 2 * e)) / (12 * h)
    return out


def relative_error(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# ---------------------------------------------------------------- gradient descent
def gradient_descent(grad, x0, lr: float, n_steps: int) -> np.ndarray:
    x = np.array(x0, float)
    path = [x.copy()]
    for _ in range(n_steps):
        x = x - lr * grad(x)
        path.append(x.copy())
    return np.array(path)


def step_facts(a: np.ndarray) -> dict:
    lam = np.linalg.eigvalsh(a)
    lo, hi = lam[0], lam[-1]
    return {"max_lr": 2 / hi, "best_lr": 2 / (lo + hi), "rate": (hi - lo) / (hi + lo)}


# ---------------------------------------------------------------- batches and SGD
def batches(n: int, batch_size: int, rng) -> list[np.ndarray]:
    rng = np.random.default_rng(rng)
    perm = rng.permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]


def least_squares(x: np.ndarray, y: np.ndarray):
    design = np.column_stack([x, np.ones(len(x))])
    sol = np.linalg.lstsq(design, y, rcond=None)[0]
    return sol[:-1], float(sol[-1])


def sgd_linear(x, y, lr, batch_size, n_epochs, seed):
    rng = np.random.default_rng(seed)
    w, b = np.zeros(x.shape[1]), 0.0
    losses = [np.mean(0.5 * (x @ w + b - y) ** 2)]
    for _ in range(n_epochs):
        for idx in batches(len(y), batch_size, rng):
            r = x[idx] @ w + b - y[idx]
            w, b = w - lr * x[idx].T @ r / len(idx), b - lr * r.mean()
        losses.append(np.mean(0.5 * (x @ w + b - y) ** 2))
    return w, b, np.array(losses)


def logistic(w, b, x, y):
    z = x @ w + b
    loss = float(np.mean(np.logaddexp(0, z) - y * z))
    p = np.exp(-np.logaddexp(0, -z))
    return loss, x.T @ (p - y) / len(y), float(np.mean(p - y))


def sgd_logistic(x, y, lr, batch_size, n_epochs, seed):
    rng = np.random.default_rng(seed)
    w, b = np.zeros(x.shape[1]), 0.0
    losses = [logistic(w, b, x, y)[0]]
    for _ in range(n_epochs):
        for idx in batches(len(y), batch_size, rng):
            _, gw, gb = logistic(w, b, x[idx], y[idx])
            w, b = w - lr * gw, b - lr * gb
        losses.append(logistic(w, b, x, y)[0])
    return w, b, np.array(losses)


# ---------------------------------------------------------------- optimizers (course-notes formulas)
class RefOptimizer:
    """Reference optimizers with the notebook's interface: step(params, grads) -> new params."""

    def __init__(self, kind: str, **hyper):
        self.kind, self.h, self.t, self.state = kind, hyper, 0, {}

    def step(self, params: dict, grads: dict) -> dict:
        self.t += 1
        return {name: self._update(name, np.array(params[name], float), np.array(grads[name], float))
                for name in params}

    def _update(self, name, theta, g):
        h, s = self.h, self.state.setdefault(name, {})
        if self.kind == "SGD":
            return theta - h["lr"] * g
        if self.kind in ("Momentum", "Nesterov"):
            u = h["momentum"] * s.get("u", 0.0) + h["lr"] * g
            s["u"] = u
            return theta - u if self.kind == "Momentum" else theta - (h["momentum"] * u + h["lr"] * g)
        if self.kind == "AdaGrad":
            s["G"] = s.get("G", 0.0) + g * g
            return theta - h["lr"] * g / np.sqrt(s["G"] + h["eps"])
        if self.kind == "RMSProp":
            s["G"] = h["rho"] * s.get("G", 0.0) + (1 - h["rho"]) * g * g
            return theta - h["lr"] * g / np.sqrt(s["G"] + h["eps"])
        if self.kind == "Adam":
            s["m"] = h["beta1"] * s.get("m", 0.0) + (1 - h["beta1"]) * g
            s["v"] = h["beta2"] * s.get("v", 0.0) + (1 - h["beta2"]) * g * g
            m_hat = s["m"] / (1 - h["beta1"] ** self.t)
            v_hat = s["v"] / (1 - h["beta2"] ** self.t)
            return theta - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])
        raise ValueError(self.kind)


def random_params(rng: np.random.Generator) -> dict:
    """A scalar, a vector and a matrix parameter: the shapes the optimizers must handle."""
    return {"s": float(rng.normal()), "b": rng.normal(size=4), "W": rng.normal(size=(3, 5))}


def quadratic_problem(rng: np.random.Generator, params: dict):
    """grad(params, step) for L = Σ_name ½ Σ c ⊙ (θ − θ*)², with random curvatures c and targets θ*."""
    curv = {k: rng.uniform(0.2, 3.0, size=np.shape(v)) for k, v in params.items()}
    target = {k: rng.normal(size=np.shape(v)) for k, v in params.items()}

    def grad(p: dict, step: int = 0) -> dict:
        return {k: curv[k] * (np.asarray(p[k], float) - target[k]) for k in p}
    return grad


def compare_trajectory(opt, ref: RefOptimizer, params0: dict, grad, n_steps: int, *, what: str,
                       hint: str | None = None, rtol: float = 1e-7, atol: float = 1e-10) -> None:
    """Step the student's optimizer handle and the reference side by side and fail at the first step where
    they part. ``grad(params, k)`` gives the gradients at step k: each side gets them at its own parameters
    (a closed loop, as in training), or the same fixed sequence when ``grad`` ignores ``params``."""
    mine, theirs = dict(params0), dict(params0)
    step = opt.step  # the bound method, looked up once: each lookup is a round trip to the sandbox
    for k in range(1, n_steps + 1):
        got = step(theirs, grad(theirs, k))
        mine = ref.step(mine, grad(mine, k))
        if not isinstance(got, dict):
            checks.fail(f"{what}: step should return a dict of the new parameters, got {checks.summary(got)}.")
        checks.equal(sorted(got), sorted(mine), what=f"{what}: the keys of the dict that step returned")
        for name in mine:
            checks.close(got[name], mine[name], rtol=rtol, atol=atol,
                         what=f"{what}: parameter {name!r} (shape {np.shape(mine[name])}) after step {k}", hint=hint)
        theirs = got


# ---------------------------------------------------------------- schedules and polynomials
def schedules(lr0: float, t: np.ndarray, T: float, drop: float, every: int) -> dict:
    t = np.asarray(t, float)
    return {
        "linear": lr0 * (1 - np.minimum(t, T) / T),
        "exponential": lr0 * np.exp(-t / T),
        "step": lr0 * drop ** np.floor(t / every),
        "inverse_time": lr0 / (1 + t / T),
    }


def fit_polynomial(x, y, degree):
    return np.linalg.lstsq(np.vander(x, degree + 1, increasing=True), y, rcond=None)[0]


def sine_data(seed: int):
    """Sec3.3's setting: 12 evenly spaced points of sin 2πx + N(0, 0.3²), and 1000 test points."""
    rng = np.random.default_rng(seed)
    x_train = np.linspace(0, 1, 12)
    y_train = np.sin(2 * np.pi * x_train) + 0.3 * rng.normal(size=12)
    x_test = np.sort(rng.uniform(0, 1, 1000))
    y_test = np.sin(2 * np.pi * x_test) + 0.3 * rng.normal(size=1000)
    return x_train, y_train, x_test, y_test

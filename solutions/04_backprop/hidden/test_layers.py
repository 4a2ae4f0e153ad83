"""Hidden tests, Part B: forward/backward pairs, softmax cross-entropy, rel_error, initialisers.

The student's forward returns (out, cache); the cache goes back unchanged to the student's backward.
Expected gradients are numerical: central differences of the grader's own reference forward, in float64.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks
from autograder.checks import numerical_gradient as num_grad

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bp04_support import no_overflow  # noqa: E402

GRAD_RTOL, GRAD_ATOL = 1e-5, 1e-8


# ----------------------------------------------------------------------------- reference (grader side)
def ref_sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def ref_softmax(z):
    s = z - z.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def ref_cross_entropy(z, y):
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def layer_grad(forward, inputs, k, dout):
    """d/d inputs[k] of sum(forward(*inputs) * dout), numerically."""
    def f(v):
        args = list(inputs)
        args[k] = v
        return np.sum(forward(*args) * dout)
    return num_grad(f, inputs[k])


def parts(result, n, what):
    """The student's result as a tuple of n values, or a failure that says what came back instead."""
    checks.true(isinstance(result, (tuple, list)) and len(result) == n,
                f"{what}: expected a tuple of {n} values, got {checks.summary(result)}.")
    return tuple(result)


def affine(x, W, b):
    return x @ W + b


def random_affine(seed, n, d, m):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m), rng.normal(size=(n, m))


def check_affine_backward(student, x, W, b, dout, label, hint):
    out, cache = parts(student.affine_forward(x, W, b), 2, f"affine_forward on {label}")
    checks.close(out, affine(x, W, b), what=f"affine_forward on {label}")
    grads = parts(student.affine_backward(dout, cache), 3, f"affine_backward on {label}")
    for name, got, k in zip(("dx", "dW", "db"), grads, range(3)):
        want = layer_grad(affine, [x, W, b], k, dout)
        checks.close(got, want, rtol=GRAD_RTOL, atol=GRAD_ATOL, what=f"{name} on {label}", hint=hint)


# ----------------------------------------------------------------------------- affine
@pytest.mark.points(1)
def test_affine_forward_random_shapes(student):
    """Forward pass on random shapes: out = x @ W + b, with b added to every row."""
    for seed, shape in [(1, (4, 5, 3)), (2, (7, 2, 6))]:
        x, W, b, _ = random_affine(seed, *shape)
        out, _cache = parts(student.affine_forward(x, W, b), 2, "affine_forward")
        checks.close(out, affine(x, W, b), what=f"affine_forward with x {x.shape}, W {W.shape}")


@pytest.mark.points(2)
@pytest.mark.hint("Compare your three gradients with centred differences on a small non-square example.")
def test_affine_backward_numerical(student):
    """Typical mistake (missing transpose): dx, dW, db against numerical gradients, non-square shapes."""
    for seed, shape in [(3, (4, 5, 3)), (4, (6, 2, 7))]:
        x, W, b, dout = random_affine(seed, *shape)
        check_affine_backward(student, x, W, b, dout, f"x {x.shape}, W {W.shape}",
                              hint="dx = dout @ W.T, dW = x.T @ dout, db = dout summed over the batch")


@pytest.mark.points(1)
@pytest.mark.hint("With a square W a missing transpose still gives the right shape: check the values on a small "
                  "example, not just the shapes.")
def test_affine_backward_square_weights(student):
    """Typical mistake (missing transpose): with a square W the wrong product still has the right shape."""
    x, W, b, dout = random_affine(5, 3, 4, 4)
    check_affine_backward(student, x, W, b, dout, "x (3, 4), W (4, 4)",
                          hint="dx = dout @ W.T: the transpose matters even when W is square")


@pytest.mark.points(1)
@pytest.mark.hint("Try N = 1 and print the shape of db: it must be the shape of b.")
def test_affine_backward_batch_of_one(student):
    """Edge case: a batch of one example (N = 1); db must still have shape (M,)."""
    x, W, b, dout = random_affine(6, 1, 5, 3)
    check_affine_backward(student, x, W, b, dout, "a batch of one, x (1, 5)",
                          hint="db has the shape of b, (M,), also when N = 1")


@pytest.mark.points(1)
@pytest.mark.hint("The bias is added to every example of the batch; what does that mean for its gradient?")
def test_affine_bias_gradient_sums_over_batch(student):
    """Typical mistake (bias gradient not summed over the batch): db = sum of the rows of dout."""
    x, W, b, _ = random_affine(7, 8, 3, 2)
    dout = np.arange(16, dtype=float).reshape(8, 2)
    _out, cache = parts(student.affine_forward(x, W, b), 2, "affine_forward")
    dx, dW, db = parts(student.affine_backward(dout, cache), 3, "affine_backward")
    checks.close(db, dout.sum(axis=0), what="db for a batch of 8 rows of dout",
                 hint="b is added to every row, so its gradient is the SUM of dout over the batch (axis 0)")


# ----------------------------------------------------------------------------- activations
def check_activation(student, name, x, ref_forward, hint):
    rng = np.random.default_rng(11)
    out, cache = parts(getattr(student, f"{name}_forward")(x), 2, f"{name}_forward")
    checks.close(out, ref_forward(x), what=f"{name}_forward on an array of shape {x.shape}")
    dout = rng.normal(size=x.shape)
    dx = getattr(student, f"{name}_backward")(dout, cache)
    checks.close(dx, layer_grad(ref_forward, [x], 0, dout), rtol=GRAD_RTOL, atol=GRAD_ATOL,
                 what=f"{name}_backward on an array of shape {x.shape}", hint=hint)


def away_from_zero(x):
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.points(1)
def test_relu_forward_random(student):
    """Forward pass on random values of several shapes: the docstring's "x: float64 array of any shape" (1-D and
    3-D too; typical mistake: loops over two indices)."""
    rng = np.random.default_rng(12)
    for shape in [(5, 7), (1, 3), (4,), (2, 3, 4)]:
        x = rng.normal(size=shape)
        out, _cache = parts(student.relu_forward(x), 2, "relu_forward")
        checks.close(out, np.maximum(x, 0.0), what=f"relu_forward on shape {shape}")


@pytest.mark.points(2)
def test_relu_backward_numerical(student):
    """Typical mistake (ReLU gradient taken from the output instead of the input): numerical gradients, for arrays
    of any shape."""
    rng = np.random.default_rng(13)
    for shape in [(5, 7), (1, 4), (3, 2, 2)]:
        check_activation(student, "relu", away_from_zero(rng.normal(size=shape)), lambda v: np.maximum(v, 0.0),
                         hint="dx = dout where the INPUT x was > 0, and 0 elsewhere")


@pytest.mark.points(1)
def test_relu_backward_at_zero(student):
    """Edge case: the documented convention ReLU'(0) = 0 (TensorFlow's choice)."""
    _out, cache = parts(student.relu_forward(np.array([[0.0, -0.0, 3.0, -3.0]])), 2, "relu_forward")
    dx = student.relu_backward(np.array([[2.0, 2.0, 2.0, 2.0]]), cache)
    checks.close(dx, [[0.0, 0.0, 2.0, 0.0]], what="relu_backward where x = [[0, -0, 3, -3]]",
                 hint="the notebook takes the derivative at exactly 0 to be 0: use x > 0, not x >= 0")


@pytest.mark.points(2)
def test_sigmoid_backward_numerical(student):
    """Forward and backward on random values of any shape (2-D, 1-D, 3-D); sigmoid'(0) = 1/4 is the largest slope
    (Sec3.3)."""
    rng = np.random.default_rng(14)
    for shape in [(6, 5), (7,), (2, 3, 2)]:
        check_activation(student, "sigmoid", rng.normal(scale=2.0, size=shape), ref_sigmoid,
                         hint="dx = dout * s * (1 - s) with s = sigmoid(x)")
    _out, cache = parts(student.sigmoid_forward(np.zeros((1, 3))), 2, "sigmoid_forward")
    checks.close(student.sigmoid_backward(np.ones((1, 3)), cache), [[0.25, 0.25, 0.25]],
                 what="sigmoid_backward(1, cache) at x = 0")


@pytest.mark.points(1)
def test_tanh_backward_numerical(student):
    """Forward and backward on random values of any shape, including a batch of one, 1-D and 3-D arrays."""
    rng = np.random.default_rng(15)
    for shape in [(6, 5), (1, 4), (5,), (2, 2, 3)]:
        check_activation(student, "tanh", rng.normal(scale=1.5, size=shape), np.tanh,
                         hint="dx = dout * (1 - t**2) with t = tanh(x)")


@pytest.mark.points(1)
def test_sigmoid_tanh_large_inputs(student):
    """Edge case: inputs of +-50 and +-1000 give finite outputs and zero-ish gradients, never NaN, and without
    overflow: the docstrings' "stable for large |x| (no overflow, no NaN)" (numpy raises on overflow here).
    Typical mistake: 1 / (1 + np.exp(-x)), or np.where over two formulas that both get evaluated."""
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    hint = "use np.tanh, and for the sigmoid never exponentiate a large positive number (not even in a branch " \
           "of np.where that you then discard)"
    for name, ref in (("sigmoid", ref_sigmoid), ("tanh", np.tanh)):
        with no_overflow(student, f"{name}_forward({x.tolist()})", hint):
            out, cache = parts(getattr(student, f"{name}_forward")(x), 2, f"{name}_forward")
        checks.finite(out, what=f"{name}_forward({x.tolist()})", hint=hint)
        checks.close(out, ref(x), atol=1e-12, what=f"{name}_forward({x.tolist()})")
        dx = getattr(student, f"{name}_backward")(np.ones_like(x), cache)
        checks.finite(dx, what=f"{name}_backward at {x.tolist()}")
        want = ref(x) * (1 - ref(x)) if name == "sigmoid" else 1 - np.tanh(x) ** 2
        checks.close(dx, want, atol=1e-12, what=f"{name}_backward at {x.tolist()}")


# ----------------------------------------------------------------------------- softmax and the loss
@pytest.mark.points(1)
def test_softmax_random(student):
    """Random logits: matches the reference, every row sums to 1; the docstring's "a 1-D array of C logits is
    treated as one row" (typical mistake: axis=1, which a 1-D array does not have)."""
    z = np.random.default_rng(21).normal(scale=3.0, size=(5, 7))
    p = student.softmax(z)
    checks.close(p, ref_softmax(z), what="softmax of random (5, 7) logits")
    checks.close(student.softmax(z[2]), ref_softmax(z[2]), what="softmax of a 1-D array of 7 logits",
                 hint="a 1-D array is one row: use axis=-1 (the last axis) with keepdims=True")


@pytest.mark.points(2)
def test_softmax_stable_for_huge_logits(student):
    """Typical mistake (softmax without the max shift): logits of 1000 and -1000 must not give NaN."""
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0], [800.0, -800.0, 0.0]])
    with no_overflow(student, "softmax of logits around +-1000", "subtract each row's maximum before np.exp"):
        p = student.softmax(z)
    checks.finite(p, what="softmax of logits around +-1000", hint="subtract each row's maximum before np.exp")
    checks.close(p, ref_softmax(z), what="softmax of logits around +-1000")


def check_cross_entropy(student, z, y, label, hint):
    loss, dz = parts(student.softmax_cross_entropy(z, y), 2, f"softmax_cross_entropy on {label}")
    checks.finite(loss, what=f"loss on {label}")
    checks.finite(dz, what=f"dz on {label}")
    checks.close(loss, ref_cross_entropy(z, y), rtol=1e-8, what=f"loss on {label}",
                 hint="the MEAN over the batch of -log softmax(z)[n, y[n]]")
    return dz


@pytest.mark.points(1)
def test_cross_entropy_loss_value(student):
    """Random logits and labels: the loss is the batch mean of -log p[n, y_n]."""
    rng = np.random.default_rng(22)
    z, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    check_cross_entropy(student, z, y, "random (6, 4) logits", hint=None)


@pytest.mark.points(2)
def test_cross_entropy_gradient_numerical(student):
    """Typical mistake (forgetting to divide by the batch size): dz against numerical gradients, N = 7."""
    rng = np.random.default_rng(23)
    z, y = rng.normal(size=(7, 5)), rng.integers(0, 5, size=7)
    dz = check_cross_entropy(student, z, y, "random (7, 5) logits", hint=None)
    checks.close(dz, num_grad(lambda v: ref_cross_entropy(v, y), z), rtol=GRAD_RTOL, atol=GRAD_ATOL,
                 what="dz on random (7, 5) logits",
                 hint="the loss is a mean over the batch, so dz = (p - onehot(y)) / N")


@pytest.mark.points(2)
@pytest.mark.hint("Try logits of 1000 by hand: compute log-probabilities from shifted scores instead of taking the "
                  "log of a softmax that may be 0.")
def test_cross_entropy_large_logits(student):
    """Typical mistake (softmax without the max shift): logits of size 1e3 and 1e4 stay finite and correct."""
    rng = np.random.default_rng(24)
    z, y = 1000.0 * rng.normal(size=(4, 3)), np.array([0, 1, 2, 1])
    z[3] = [1e4, 0.0, -1e4]
    dz = check_cross_entropy(student, z, y, "logits of size 1e3 to 1e4",
                             hint="subtract the row maximum, and get log p as s - log(sum(exp(s)))")
    p = ref_softmax(z)
    p[np.arange(4), y] -= 1.0
    checks.close(dz, p / 4, atol=1e-12, what="dz on logits of size 1e3 to 1e4")


@pytest.mark.points(1)
def test_cross_entropy_batch_of_one(student):
    """Edge case: N = 1, the gradient is p - onehot(y) itself."""
    z, y = np.array([[0.5, -1.0, 2.0, 0.0]]), np.array([2])
    dz = check_cross_entropy(student, z, y, "a batch of one", hint=None)
    want = ref_softmax(z)
    want[0, 2] -= 1.0
    checks.close(dz, want, what="dz on a batch of one")


# ----------------------------------------------------------------------------- gradient checking, init
def check_float64(W, what):
    checks.true(isinstance(W, np.ndarray) and W.dtype == np.float64,
                f"{what}: expected a float64 array, got {checks.summary(W)}.")

@pytest.mark.points(2)
@pytest.mark.hint("Compute the ratio elementwise for every entry (any shape, or two plain numbers), then take the "
                  "largest; the denominator is |a_i| + |b_i|, not |a_i + b_i|.")
def test_rel_error(student):
    """The CS231n relative error: elementwise ratio, then the maximum; zeros give 0, not NaN. Also the docstring's
    "(or plain numbers)", 2-D arrays (the gradients of a weight matrix), and entries of opposite signs (typical
    mistake: |a + b| instead of |a| + |b| in the denominator)."""
    a = np.array([1.0, 0.0, -2.0, 1e-3])
    b = np.array([1.0 + 2e-6, 0.0, -2.0, 2e-3])
    checks.close(student.rel_error(a, b), 1.0 / 3.0, rtol=1e-9, what="rel_error(a, b)",
                 hint="max over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|): the last entry dominates")
    checks.close(student.rel_error(np.zeros(3), np.zeros(3)), 0.0, what="rel_error of two zero arrays")
    checks.close(student.rel_error(np.array([1.0]), np.array([1.0 + 2e-6])), 2e-6 / (2 + 2e-6), rtol=1e-6,
                 what="rel_error([1], [1 + 2e-6])")
    checks.close(student.rel_error(0.5, 0.5 + 1e-6), 1e-6 / (1.0 + 1e-6), rtol=1e-6,
                 what="rel_error(0.5, 0.5 + 1e-6) on two plain numbers")
    checks.close(student.rel_error(0.0, 0.0), 0.0, what="rel_error(0.0, 0.0) on two plain numbers")
    a2 = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    b2 = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0 + 1e-4]])
    checks.close(student.rel_error(a2, b2), 1e-4 / (2.0 - 1e-4), rtol=1e-6, what="rel_error of two (2, 3) arrays")
    checks.close(student.rel_error(np.array([1.0, 2.0]), np.array([-1.0, 2.0])), 1.0, rtol=1e-9,
                 what="rel_error([1, 2], [-1, 2]), entries of opposite signs")


@pytest.mark.points(2)
def test_numerical_gradient(student):
    """Central differences of functions that live in the worker (numpy's norm and prod), with the default and a given h,
    for arrays of any shape (typical mistake: two nested loops, which only work for 2-D arrays). np.prod couples
    the entries, so an entry that is not put back spoils the gradient of the entries after it; np.argmax of ties
    sees an entry put back one rounding error away (the docstring's "put every one back", which the notebook's
    check tests with np.array_equal)."""
    np_in_worker = student.np.value
    x = np.array([[0.5, -1.2, 2.0], [0.3, 1.1, -0.7]])
    got = student.numerical_gradient(np_in_worker.linalg.norm, x)
    checks.close(got, x / np.linalg.norm(x), rtol=1e-7, atol=1e-9, what="numerical_gradient(np.linalg.norm, x)",
                 hint="grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h) for EVERY index i of the 2-D array")
    got = student.numerical_gradient(np_in_worker.prod, x)
    checks.close(got, np.prod(x) / x, rtol=1e-7, atol=1e-9, what="numerical_gradient(np.prod, x)")
    got = student.numerical_gradient(np_in_worker.linalg.norm, x, 0.1)
    checks.close(got, num_grad(np.linalg.norm, x, h=0.1), rtol=1e-9, what="numerical_gradient(np.linalg.norm, x, h=0.1)",
                 hint="use the step h you are given, on both sides: (f(x + h e_i) - f(x - h e_i)) / (2h)")
    # "x: float64 array of any shape": the docstring's 1-D example shape, and a 3-D array.
    x1 = np.array([1.0, -2.0, 0.5])
    checks.close(student.numerical_gradient(np_in_worker.prod, x1), np.prod(x1) / x1, rtol=1e-7, atol=1e-9,
                 what="numerical_gradient(np.prod, x) for a 1-D x",
                 hint="visit every index of an array of ANY shape: for i in np.ndindex(x.shape)")
    x3 = np.random.default_rng(25).uniform(0.5, 1.5, size=(2, 2, 3))
    checks.close(student.numerical_gradient(np_in_worker.linalg.norm, x3), x3 / np.linalg.norm(x3), rtol=1e-7,
                 atol=1e-9, what="numerical_gradient(np.linalg.norm, x) for a 3-D x",
                 hint="visit every index of an array of ANY shape: for i in np.ndindex(x.shape)")
    # "put every one back": np.argmax (np.argmin) of entries that are all equal depends on their exact values, so an
    # entry left a rounding error below (above) its old value changes what f returns for the entries after it.
    # Typical mistake: x[i] += h, then x[i] -= 2 * h, then x[i] += h, which often ends one rounding error away.
    for value, name in ((0.7, "argmax"), (1.1, "argmin")):
        ties = np.full((2, 3), value)
        checks.close(student.numerical_gradient(getattr(np_in_worker, name), ties), num_grad(getattr(np, name), ties,
                     h=1e-5), rtol=1e-9, what=f"numerical_gradient(np.{name}, x) for x = np.full((2, 3), {value})",
                     hint="put each entry back EXACTLY: keep old = x[i] and end with x[i] = old (x[i] += h, x[i] -= 2*h, "
                          "x[i] += h can leave x[i] a rounding error away from old, and the next entries see it)")


@pytest.mark.points(1)
def test_xavier_uniform_textbook_bound(student):
    """Textbook value (NKA §4.2): U(-r, r) with r = sqrt(6 / (784 + 100)) = 0.0824; seeded."""
    W = student.xavier_uniform(784, 100, 0)
    check_float64(W, "xavier_uniform(784, 100)")
    W = checks.shape(W, (784, 100), what="xavier_uniform(784, 100)")
    r = np.sqrt(6.0 / 884.0)
    checks.true(np.abs(W).max() <= r and np.abs(W).max() > 0.99 * r,
                f"xavier_uniform(784, 100): the largest |W| is {np.abs(W).max():.5f}; the uniform bound for "
                "784 -> 100 is sqrt(6 / (n_in + n_out)) and the samples should come close to it.")
    checks.close(W.std(), r / np.sqrt(3.0), rtol=0.02, what="the standard deviation of xavier_uniform(784, 100)")
    checks.close(abs(W.mean()), 0.0, atol=2e-3, what="|mean| of xavier_uniform(784, 100)")
    again = student.xavier_uniform(784, 100, 0)
    checks.true(np.array_equal(again, W), "xavier_uniform(784, 100, 0) changed between two calls with the same "
                "seed.", hint="create the generator with np.random.default_rng(rng)")


@pytest.mark.points(1)
def test_he_normal_textbook_std(student):
    """Textbook value (NKA §4.2): N(0, 2 / n_in), standard deviation 0.0505 for n_in = 784; seeded. And NORMAL:
    about 68.3 % of the weights lie within one standard deviation (typical mistake: a uniform distribution with
    the right variance, where 57.7 % do)."""
    W = student.he_normal(784, 256, 1)
    check_float64(W, "he_normal(784, 256)")
    W = checks.shape(W, (784, 256), what="he_normal(784, 256)")
    std = np.sqrt(2.0 / 784.0)
    checks.close(W.std(), std, rtol=0.01, what="the standard deviation of he_normal(784, 256)",
                 hint="the VARIANCE is 2 / n_in, so the standard deviation is sqrt(2 / n_in)")
    checks.close(abs(W.mean()), 0.0, atol=1e-3, what="|mean| of he_normal(784, 256)")
    checks.close(np.mean(np.abs(W) < std), 0.6827, atol=0.01,
                 what="the fraction of he_normal(784, 256) weights within one standard deviation of 0",
                 hint="He initialisation draws from a NORMAL distribution: rng.normal(0, std, size)")
    checks.true(np.array_equal(student.he_normal(784, 256, 1), W),
                "he_normal(784, 256, 1) changed between two calls with the same seed.",
                hint="create the generator with np.random.default_rng(rng)")


@pytest.mark.points(1)
@pytest.mark.hint("Pass rng to np.random.default_rng and draw from what it returns: an int gives a new generator, a "
                  "Generator comes back as it is, so two calls with the same Generator give different weights.")
def test_he_normal_xavier_uniform_take_a_generator(student):
    """The docstrings' "rng: None, an int seed or a np.random.Generator (pass it to np.random.default_rng)": a
    Generator is used as it is, so its state advances from one call to the next (MLP draws all its layers from ONE
    generator), and a seed gives what a Generator made from that seed gives. Typical mistakes: np.random.seed and
    the global generator, or a Generator replaced by a fixed seed. rng=None (the default) works too."""
    random_in_worker = student.np.value.random
    for name in ("xavier_uniform", "he_normal"):
        init = getattr(student, name)
        generator = random_in_worker.default_rng(7)
        first, second = init(5, 3, generator), init(5, 3, generator)
        first = checks.shape(first, (5, 3), what=f"{name}(5, 3, rng=np.random.default_rng(7))")
        second = checks.shape(second, (5, 3), what=f"a second {name}(5, 3, rng) with the same Generator")
        checks.true(not np.array_equal(first, second),
                    f"{name}: two calls with the same np.random.Generator gave the same weights; a Generator should "
                    "be used as it is, so that its state moves on.",
                    hint="rng = np.random.default_rng(rng) returns a Generator unchanged; draw from it")
        seeded = checks.shape(init(5, 3, 7), (5, 3), what=f"{name}(5, 3, rng=7)")
        checks.close(seeded, first, rtol=1e-12, atol=0,
                     what=f"{name}(5, 3, rng=7) against {name}(5, 3, rng=np.random.default_rng(7))",
                     hint="pass rng to np.random.default_rng: a seed and a Generator made from that seed must give "
                          "the same weights")
        checks.shape(init(5, 3), (5, 3), what=f"{name}(5, 3) with the default rng=None")

"""Hidden tests, Part B: forward/backward pairs, softmax cross-entropy, rel_error, initialisers.

The student's forward returns (out, cache); the cache goes back unchanged to the student's backward.
Expected gradients are numerical: central differences of the grader's own reference forward, in float64.
"""
import numpy as np
import pytest

from autograder import checks
from autograder.checks import numerical_gradient as num_grad

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


@pytest.mark.points(3)
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


@pytest.mark.points(2)
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
    """Forward pass on random values of two shapes."""
    rng = np.random.default_rng(12)
    for shape in [(5, 7), (1, 3)]:
        x = rng.normal(size=shape)
        out, _cache = parts(student.relu_forward(x), 2, "relu_forward")
        checks.close(out, np.maximum(x, 0.0), what=f"relu_forward on shape {shape}")


@pytest.mark.points(2)
def test_relu_backward_numerical(student):
    """Typical mistake (ReLU gradient taken from the output instead of the input): numerical gradients."""
    rng = np.random.default_rng(13)
    for shape in [(5, 7), (1, 4)]:
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
def test_sigmoid_numerical(student):
    """Forward and backward on random values; sigmoid'(0) = 1/4 is the largest slope (Sec3.3)."""
    rng = np.random.default_rng(14)
    check_activation(student, "sigmoid", rng.normal(scale=2.0, size=(6, 5)), ref_sigmoid,
                     hint="dx = dout * s * (1 - s) with s = sigmoid(x)")
    _out, cache = parts(student.sigmoid_forward(np.zeros((1, 3))), 2, "sigmoid_forward")
    checks.close(student.sigmoid_backward(np.ones((1, 3)), cache), [[0.25, 0.25, 0.25]],
                 what="sigmoid_backward(1, cache) at x = 0")


@pytest.mark.points(2)
def test_tanh_numerical(student):
    """Forward and backward on random values, including a batch of one."""
    rng = np.random.default_rng(15)
    for shape in [(6, 5), (1, 4)]:
        check_activation(student, "tanh", rng.normal(scale=1.5, size=shape), np.tanh,
                         hint="dx = dout * (1 - t**2) with t = tanh(x)")


@pytest.mark.points(1)
def test_sigmoid_tanh_large_inputs(student):
    """Edge case: inputs of +-50 and +-1000 give finite outputs and zero-ish gradients, never NaN."""
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    for name, ref in (("sigmoid", ref_sigmoid), ("tanh", np.tanh)):
        out, cache = parts(getattr(student, f"{name}_forward")(x), 2, f"{name}_forward")
        checks.finite(out, what=f"{name}_forward({x.tolist()})",
                      hint="use np.tanh, and for the sigmoid never exponentiate a large positive number")
        checks.close(out, ref(x), atol=1e-12, what=f"{name}_forward({x.tolist()})")
        dx = getattr(student, f"{name}_backward")(np.ones_like(x), cache)
        checks.finite(dx, what=f"{name}_backward at {x.tolist()}")
        want = ref(x) * (1 - ref(x)) if name == "sigmoid" else 1 - np.tanh(x) ** 2
        checks.close(dx, want, atol=1e-12, what=f"{name}_backward at {x.tolist()}")


# ----------------------------------------------------------------------------- softmax and the loss
@pytest.mark.points(1)
def test_softmax_random(student):
    """Random logits: matches the reference, every row sums to 1."""
    z = np.random.default_rng(21).normal(scale=3.0, size=(5, 7))
    p = student.softmax(z)
    checks.close(p, ref_softmax(z), what="softmax of random (5, 7) logits")


@pytest.mark.points(2)
def test_softmax_stable_for_huge_logits(student):
    """Typical mistake (softmax without the max shift): logits of 1000 and -1000 must not give NaN."""
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0], [800.0, -800.0, 0.0]])
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
@pytest.mark.points(1)
def test_rel_error(student):
    """The CS231n relative error: elementwise ratio, then the maximum; zeros give 0, not NaN."""
    a = np.array([1.0, 0.0, -2.0, 1e-3])
    b = np.array([1.0 + 2e-6, 0.0, -2.0, 2e-3])
    checks.close(student.rel_error(a, b), 1.0 / 3.0, rtol=1e-9, what="rel_error(a, b)",
                 hint="max over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|): the last entry dominates")
    checks.close(student.rel_error(np.zeros(3), np.zeros(3)), 0.0, what="rel_error of two zero arrays")
    checks.close(student.rel_error(np.array([1.0]), np.array([1.0 + 2e-6])), 2e-6 / (2 + 2e-6), rtol=1e-6,
                 what="rel_error([1], [1 + 2e-6])")


@pytest.mark.points(2)
def test_numerical_gradient(student):
    """Central differences of functions that live in the worker (numpy's norm and prod), with the default and a given h."""
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


@pytest.mark.points(1)
def test_xavier_uniform_textbook_bound(student):
    """Textbook value (NKA §4.2): U(-r, r) with r = sqrt(6 / (784 + 100)) = 0.0824; seeded."""
    W = checks.shape(student.xavier_uniform(784, 100, 0), (784, 100), what="xavier_uniform(784, 100)")
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
    """Textbook value (NKA §4.2): N(0, 2 / n_in), standard deviation 0.0505 for n_in = 784; seeded."""
    W = checks.shape(student.he_normal(784, 256, 1), (784, 256), what="he_normal(784, 256)")
    checks.close(W.std(), np.sqrt(2.0 / 784.0), rtol=0.01, what="the standard deviation of he_normal(784, 256)",
                 hint="the VARIANCE is 2 / n_in, so the standard deviation is sqrt(2 / n_in)")
    checks.close(abs(W.mean()), 0.0, atol=1e-3, what="|mean| of he_normal(784, 256)")
    checks.true(np.array_equal(student.he_normal(784, 256, 1), W),
                "he_normal(784, 256, 1) changed between two calls with the same seed.",
                hint="create the generator with np.random.default_rng(rng)")

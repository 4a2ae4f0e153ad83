"""Public tests for assignment 04 (backpropagation from scratch).

Run them with `python -m autograder check 04_backprop`. They repeat the worked examples of
the docstrings; the hidden tests use other shapes and values, a batch of one, huge logits, deep graphs and
a training run, so passing these is necessary but not sufficient.
"""
import numpy as np
import pytest

from autograder import checks

pytestmark = pytest.mark.visible


def parts(result, n, what):
    """The result as a tuple of n values, or a failure that says what came back instead."""
    checks.true(isinstance(result, (tuple, list)) and len(result) == n,
                f"{what}: expected a tuple of {n} values, got {checks.summary(result)}.")
    return tuple(result)


@pytest.mark.points(3)
@pytest.mark.hint("Draw the graph of f on paper, with the local derivative on every edge; then check each operation's"
                  " _backward against it.")
def test_value_nka_graph(student):
    """NKA §2.5: f = x^2 + xy + (x+y)^2 at (1, 2) is 12, with gradient (10, 7)."""
    x, y = student.Value(1.0), student.Value(2.0)
    f = x * x + x * y + (x + y) ** 2
    f.backward()
    checks.close(f.data, 12.0, what="f(1, 2) = 1 + 2 + 9",
                 hint="check the forward values of +, * and **")
    checks.close([x.grad, y.grad], [10.0, 7.0], what="(df/dx, df/dy) at (1, 2)",
                 hint="x is used four times: every _backward must add (+=) to the child's grad")


@pytest.mark.points(2)
@pytest.mark.hint("A node used twice receives gradient from both uses: does your _backward add to the child's "
                  "gradient or replace it?")
def test_value_reused_node(student):
    """micrograd's smallest trap: b = a + a must give a.grad == 2."""
    a = student.Value(3.0)
    b = a + a
    b.backward()
    checks.close(a.grad, 2.0, what="a.grad for b = a + a",
                 hint="accumulate with self.grad += ..., do not overwrite with =")


@pytest.mark.points(2)
@pytest.mark.hint("np.exp(-1000) underflows to 0 and 0 / 0 is NaN. Softmax does not change when you subtract the same"
                  " number from every score of a row.")
def test_softmax_textbook_values(student):
    """softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]; a row of -1000s is uniform."""
    p = student.softmax(np.array([[1.0, 2.0, 3.0], [-1000.0, -1000.0, -1000.0]]))
    checks.close(p, [[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6,
                 what="softmax([[1, 2, 3], [-1000, -1000, -1000]])",
                 hint="subtract each row's maximum before np.exp")


@pytest.mark.points(3)
@pytest.mark.hint("Check the shape of each gradient first: dx has the shape of x, dW of W, db of b. The shapes tell "
                  "you which matrix to transpose.")
def test_affine_docstring_example(student):
    """The worked example of affine_forward / affine_backward."""
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    b = np.array([0.0, 0.0, 10.0])
    out, cache = parts(student.affine_forward(x, W, b), 2, "affine_forward(x, W, b)")
    checks.close(out, [[1.0, 2.0, 13.0]], what="affine_forward(x, W, b)")
    dx, dW, db = parts(student.affine_backward(np.array([[1.0, 0.0, -1.0]]), cache), 3, "affine_backward")
    checks.close(dx, [[0.0, -1.0]], what="dx", hint="dx = dout @ W.T has the shape of x")
    checks.close(dW, [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]], what="dW", hint="dW = x.T @ dout has the shape of W")
    checks.close(db, [1.0, 0.0, -1.0], what="db", hint="db sums dout over the batch (axis 0)")


@pytest.mark.points(2)
@pytest.mark.hint("The gradient of ReLU depends on the input x, not on the output; look at what you keep in the "
                  "cache.")
def test_relu_docstring_example(student):
    """The worked example of relu_forward / relu_backward, including the convention at x = 0."""
    out, cache = parts(student.relu_forward(np.array([[-1.0, 0.0, 2.0]])), 2, "relu_forward")
    checks.close(out, [[0.0, 0.0, 2.0]], what="relu_forward([[-1, 0, 2]])")
    dx = student.relu_backward(np.array([[5.0, 5.0, 5.0]]), cache)
    checks.close(dx, [[0.0, 0.0, 5.0]], what="relu_backward([[5, 5, 5]]) for x = [[-1, 0, 2]]",
                 hint="pass dout through where the input was > 0 (and block it at exactly 0)")


@pytest.mark.points(2)
@pytest.mark.hint("The loss is an average over the batch, and so is its gradient; do both rows by hand.")
def test_softmax_cross_entropy_docstring_example(student):
    """loss = (ln 2 + ln(4/3)) / 2 and dz = (p - onehot) / N for the docstring's two rows."""
    loss, dz = parts(student.softmax_cross_entropy(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]), np.array([0, 1])),
                     2, "softmax_cross_entropy")
    checks.close(loss, 0.490415, rtol=1e-5, what="loss", hint="the mean of -log p[n, y[n]] over the batch")
    checks.close(dz, [[-0.25, 0.25], [0.125, -0.125]], what="dz",
                 hint="dz = (softmax(z) - onehot(y)) / N")


@pytest.mark.points(1)
@pytest.mark.hint("Every layer has a weight matrix and a bias vector; count both for each pair of consecutive sizes.")
def test_count_params_textbook(student):
    """64 -> 32 -> 10 has 64*32 + 32 + 32*10 + 10 = 2410 parameters."""
    checks.equal(int(student.count_params([64, 32, 10])), 2410, what="count_params([64, 32, 10])")


@pytest.mark.points(2)
@pytest.mark.hint("Name the parameters W1, b1, W2, b2, ... with the layer's number, and start every bias at zero.")
def test_mlp_docstring_example(student):
    """MLP([64, 32, 10]) has W1, b1, W2, b2 of the right shapes; zero inputs give the loss ln 10."""
    model = student.MLP([64, 32, 10], "relu", seed=0)
    params = model.params
    checks.equal(sorted(params), ["W1", "W2", "b1", "b2"], what="sorted(MLP([64, 32, 10]).params)")
    checks.shape(params["W1"], (64, 32), what='params["W1"]')
    checks.shape(params["b2"], (10,), what='params["b2"]')
    loss = model.loss(np.zeros((5, 64)), np.zeros(5, dtype=np.int64))
    checks.close(loss, np.log(10.0), what="loss on zero inputs (all scores 0)",
                 hint="biases start at 0, so every score is 0 and softmax is uniform")

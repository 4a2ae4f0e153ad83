"""Hidden tests, Part A: the scalar `Value` graph.

Every graph is built in the student's worker through handles (`student.Value(...)` and operators on
handles); the expected values and the numerical derivatives are computed here, in the grader, from the
same formula on plain floats.
"""
import math

import numpy as np
import pytest

from autograder import checks
from autograder.sandbox.errors import StudentError


def slope(fn, point, i, h=1e-6):
    """Central difference of fn (plain floats) in argument i at `point`."""
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (fn(*up) - fn(*down)) / (2 * h)


def check_graph(student, name, build_value, build_float, point, hint, rtol=1e-6, atol=1e-6):
    """Builds the graph on fresh Values at `point`, runs backward(), compares data and every input's grad."""
    inputs = [student.Value(float(t)) for t in point]
    out = build_value(*inputs)
    out.backward()
    checks.close(out.data, build_float(*point), what=f"{name}: value at {point}", rtol=1e-9, atol=1e-12)
    expected = [slope(build_float, point, i) for i in range(len(point))]
    checks.close([v.grad for v in inputs], expected, what=f"{name}: gradient at {point}",
                 rtol=rtol, atol=atol, hint=hint)


@pytest.mark.points(2)
def test_chollet_absolute_error_graph(student):
    """Textbook value (Chollet §2.4): loss = |4 - (w x + b)| at x=2, w=3, b=1 is 3; dloss/dw = 2, dloss/db = 1."""
    x, w, b = student.Value(2.0), student.Value(3.0), student.Value(1.0)
    d = -(w * x + b) + 4
    loss = (d ** 2) ** 0.5
    loss.backward()
    checks.close(loss.data, 3.0, what="loss")
    checks.close([w.grad, b.grad, x.grad], [2.0, 1.0, 3.0], what="(dloss/dw, dloss/db, dloss/dx)",
                 hint="chain the local derivatives of **, neg, + and * from the loss down")


@pytest.mark.points(1)
def test_nka_graph_other_points(student):
    """Textbook formula (NKA §2.5): df/dx = 4x + 3y and df/dy = 3x + 2y, at points other than (1, 2)."""
    for x0, y0 in [(-0.6, 1.7), (2.5, -3.0)]:
        x, y = student.Value(x0), student.Value(y0)
        f = x * x + x * y + (x + y) ** 2
        f.backward()
        checks.close([x.grad, y.grad], [4 * x0 + 3 * y0, 3 * x0 + 2 * y0],
                     what=f"gradient of x^2 + xy + (x+y)^2 at ({x0}, {y0})")


@pytest.mark.points(1)
def test_add_sub_neg(student):
    """Every op against a numerical derivative: +, -, unary -, and plain numbers on either side of +."""
    check_graph(student, "x + y + 3", lambda x, y: x + y + 3, lambda x, y: x + y + 3, (0.7, -1.3),
                hint="d(a + b)/da = d(a + b)/db = 1")
    check_graph(student, "x - y - 2.5", lambda x, y: x - y - 2.5, lambda x, y: x - y - 2.5, (0.7, -1.3),
                hint="a - b = a + (-b)")
    check_graph(student, "1.5 + (-x)", lambda x: 1.5 + (-x), lambda x: 1.5 + (-x), (0.7,),
                hint="-a = a * -1; a plain number on the left goes through __radd__")


@pytest.mark.points(2)
def test_mul_div(student):
    """Every op against a numerical derivative: *, / between Values and with plain numbers."""
    check_graph(student, "x * y", lambda x, y: x * y, lambda x, y: x * y, (0.7, -1.3),
                hint="d(ab)/da = b and d(ab)/db = a")
    check_graph(student, "x / y", lambda x, y: x / y, lambda x, y: x / y, (0.7, -1.3),
                hint="a / b = a * b**-1")
    check_graph(student, "2 * x / 4", lambda x: 2 * x / 4, lambda x: 2 * x / 4, (-1.1,),
                hint="a plain number on the left goes through __rmul__; on the right it becomes a Value")


@pytest.mark.points(1)
def test_pow(student):
    """Every op against a numerical derivative: ** with int, negative and fractional exponents."""
    check_graph(student, "x ** 3", lambda x: x ** 3, lambda x: x ** 3, (-1.3,), hint="(a^k)' = k a^(k-1)")
    check_graph(student, "x ** -1", lambda x: x ** -1, lambda x: x ** -1, (0.7,), hint="(a^k)' = k a^(k-1)")
    check_graph(student, "x ** 0.5", lambda x: x ** 0.5, lambda x: x ** 0.5, (2.3,), hint="(a^k)' = k a^(k-1)")


@pytest.mark.points(2)
def test_exp_log(student):
    """Every op against a numerical derivative: exp and log."""
    check_graph(student, "exp(x)", lambda x: x.exp(), math.exp, (0.7,), hint="(e^a)' = e^a")
    check_graph(student, "exp(-2x)", lambda x: (x * -2).exp(), lambda x: math.exp(-2 * x), (0.4,),
                hint="(e^a)' = e^a, times the derivative of the inside")
    check_graph(student, "log(x)", lambda x: x.log(), math.log, (2.3,), hint="(ln a)' = 1 / a")


@pytest.mark.points(2)
def test_tanh_sigmoid(student):
    """Every op against a numerical derivative: tanh and sigmoid at positive and negative inputs."""
    sig = lambda t: 1.0 / (1.0 + math.exp(-t))
    for t in (0.7, -2.5):
        check_graph(student, "tanh(x)", lambda x: x.tanh(), math.tanh, (t,), hint="tanh' = 1 - tanh^2")
        check_graph(student, "sigmoid(x)", lambda x: x.sigmoid(), sig, (t,), hint="sigmoid' = s (1 - s)")


@pytest.mark.points(1)
def test_relu(student):
    """Every op against its derivative: ReLU passes the gradient for x > 0 and blocks it for x < 0."""
    for t, want in [(0.7, (0.7, 1.0)), (-1.3, (0.0, 0.0))]:
        x = student.Value(t)
        out = x.relu()
        out.backward()
        checks.close([out.data, x.grad], list(want), what=f"(relu({t}), its gradient)",
                     hint="ReLU'(a) = 1 for a > 0 and 0 otherwise")


@pytest.mark.points(1)
def test_sigmoid_tanh_extreme_inputs(student):
    """Edge case: sigmoid(+-1000) and tanh(+-1000) are 0, 1 or -1 with zero gradient, with no overflow."""
    for t in (-1000.0, 1000.0):
        for op, want in (("sigmoid", 1.0 if t > 0 else 0.0), ("tanh", math.copysign(1.0, t))):
            x = student.Value(t)
            out = getattr(x, op)()
            out.backward()
            checks.close([out.data, x.grad], [want, 0.0], atol=1e-12, what=f"({op}({t}), its gradient)",
                         hint="never exponentiate a large positive number: for x < 0 write e^x / (1 + e^x)")


@pytest.mark.points(2)
def test_gradients_accumulate_on_reused_leaf(student):
    """Typical mistake (gradient overwritten instead of accumulated): x used four times, f = x*x*x + x."""
    check_graph(student, "x * x * x + x", lambda x: x * x * x + x, lambda x: x * x * x + x, (1.5,),
                hint="a node used several times receives the SUM of the contributions: use +=")
    check_graph(student, "x * y + x * x + y", lambda x, y: x * y + x * x + y, lambda x, y: x * y + x * x + y,
                (0.8, -0.5), hint="a node used several times receives the SUM of the contributions: use +=")


@pytest.mark.points(2)
def test_shared_internal_node(student):
    """Typical mistake (overwritten or early-propagated gradients): an inner node a = x*y used three times."""
    def build(x, y):
        a = x * y
        return a * a + a * 3 + (a + x).tanh()

    def plain(x, y):
        a = x * y
        return a * a + a * 3 + math.tanh(a + x)

    check_graph(student, "a*a + 3a + tanh(a + x), a = x*y", build, plain, (0.9, -0.4),
                hint="an inner node must collect the gradient from all its users before passing it on")


@pytest.mark.points(3)
def test_topological_order_skip_connection(student):
    """Typical mistake (wrong order for shared nodes): a is used by a deep branch and directly by the output.

    A breadth- or depth-first walk from the output processes `a` before the deep branch has added its part.
    """
    def build(x):
        a = x * 2
        b = a + 1
        c = b * b
        return c + a

    def build_swapped(x):
        a = x * 2
        b = a + 1
        c = b * b
        return a + c

    plain = lambda x: (2 * x + 1) ** 2 + 2 * x
    hint = "call the _backward functions in reverse topological order: a node only after all its users"
    check_graph(student, "(2x + 1)^2 + 2x, built as c + a", build, plain, (1.5,), hint=hint)
    check_graph(student, "(2x + 1)^2 + 2x, built as a + c", build_swapped, plain, (1.5,), hint=hint)


@pytest.mark.points(2)
def test_topological_order_residual_chain(student):
    """Typical mistake (wrong order for shared nodes): skip connections of several lengths, as in a ResNet."""
    def build(x, tanh):
        h1 = tanh(x * 1.5)
        h2 = tanh(h1 * 2) + h1
        h3 = tanh(h2 * -1) + h2 + x
        h4 = tanh(h3 * 0.5) + h1 * h3
        return h4 * h2

    check_graph(student, "residual chain", lambda x: build(x, lambda v: v.tanh()),
                lambda x: build(x, math.tanh), (0.3,),
                hint="call the _backward functions in reverse topological order: a node only after all its users")


@pytest.mark.points(1)
def test_backward_seeds_output_gradient(student):
    """Edge case: backward() sets the output's own gradient to 1, and a leaf's gradient is its derivative."""
    v = student.Value(-0.5)
    w = v * 4 + 1
    w.backward()
    checks.close([w.grad, v.grad], [1.0, 4.0], what="(w.grad, v.grad) for w = 4v + 1",
                 hint="start the backward pass with self.grad = 1.0")


@pytest.mark.points(2)
def test_horner_small(student):
    """Horner's rule on small polynomials, including degree 0 (no dependence on x: grad stays 0)."""
    coeffs = [1.5, -2.0, 0.5, 3.0]
    x = student.Value(-0.8)
    p = student.horner(coeffs, x)
    p.backward()
    P = np.polynomial.polynomial
    checks.close([p.data, x.grad], [P.polyval(-0.8, coeffs), P.polyval(-0.8, P.polyder(coeffs))],
                 what="(p(-0.8), p'(-0.8)) for p = 1.5 - 2x + 0.5x^2 + 3x^3",
                 hint="coeffs are lowest degree first; start from the last one: p = p * x + c")
    x = student.Value(2.0)
    p = student.horner([4.0], x)
    p.backward()
    checks.close([p.data, x.grad], [4.0, 0.0], what="(p(2), p'(2)) for the constant polynomial 4")


@pytest.mark.points(3)
def test_deep_graph_has_no_recursion_limit(student):
    """Edge case from micrograd: a chain 10,000 nodes deep (Horner, degree 5000) needs an iterative sort."""
    coeffs = [float(c) for c in np.random.default_rng(404).uniform(-1.0, 1.0, 5001)]
    x = student.Value(0.9)
    p = student.horner(coeffs, x)
    hint = "build the topological order with an explicit stack (a list) instead of a recursive function"
    try:
        p.backward()
    except StudentError as exc:
        if "RecursionError" in exc.type_names:
            checks.fail("backward() on a graph 10,000 nodes deep hit Python's recursion limit.", hint)
        raise
    except RecursionError:
        checks.fail("backward() on a graph 10,000 nodes deep hit Python's recursion limit.", hint)
    P = np.polynomial.polynomial
    checks.close([p.data, x.grad], [P.polyval(0.9, coeffs), P.polyval(0.9, P.polyder(coeffs))], rtol=1e-8,
                 what="(p(0.9), p'(0.9)) for a polynomial of degree 5000", hint=hint)

"""Hidden tests, Part A: the scalar `Value` graph.

Every graph is built in the student's worker through handles (`student.Value(...)` and operators on
handles); the expected values and the numerical derivatives are computed here, in the grader, from the
same formula on plain floats.
"""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks
from autograder.sandbox.errors import StudentError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bp04_support import no_overflow  # noqa: E402


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
    # The notebook's construction: y_true - (w x + b) goes through __rsub__ (so __sub__ and unary -), and
    # |d| = relu(d) + relu(-d) uses d twice; once where d < 0 (the textbook point) and once where d > 0.
    for x0, w0, b0, y0 in [(2.0, 3.0, 1.0, 4.0), (1.5, -0.5, 2.0, 4.0)]:
        x, w, b = student.Value(x0), student.Value(w0), student.Value(b0)
        d = y0 - (w * x + b)
        loss = d.relu() + (-d).relu()
        loss.backward()
        residual = y0 - (w0 * x0 + b0)
        sign = math.copysign(1.0, residual)
        checks.close([loss.data, w.grad, b.grad, x.grad], [abs(residual), -sign * x0, -sign, -sign * w0],
                     what=f"(loss, dloss/dw, dloss/db, dloss/dx) for |y - (w x + b)| written as relu(d) + relu(-d), "
                          f"d = {y0} - (w x + b), at x={x0}, w={w0}, b={b0}",
                     hint="y - v goes through __rsub__, then your __sub__ and __neg__; d feeds two ReLUs, so its "
                          "gradient is the sum of both contributions")


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
@pytest.mark.hint("Test each operation on a graph that uses x twice, with plain numbers on both sides: 3 / x - x, "
                  "2 - x / 5 + x * x. Every _backward must add to the gradients, and the reflected operators call yours.")
def test_add_sub_mul_div_reusing_x(student):
    """The notebook's check cell at other points: -, / and the reflected operators on graphs that use x twice.

    Typical mistakes: an operation that overwrites (=) a child's gradient (x is used twice), a reversed __sub__,
    a wrong derivative of a / b for a plain number on either side.
    """
    graphs = [
        ("3 / x - x", lambda x: 3 / x - x, (1.3,)),
        ("2 - x / 5 + x * x", lambda x: 2 - x / 5 + x * x, (-0.9,)),
        ("(x - y) / (x + y)", lambda x, y: (x - y) / (x + y), (0.8, 1.9)),
        ("x * y + y", lambda x, y: x * y + y, (-1.1, 0.6)),
    ]
    for name, build, point in graphs:
        check_graph(student, name, build, build, point,
                    hint="a node used twice receives the SUM of both contributions (+=); a - b = a + (-b) and "
                         "a / b = a * b**-1 with plain numbers wrapped as Values")
    for t in (1.3, -0.8):
        check_graph(student, "relu(x) + relu(-x)", lambda x: x.relu() + (-x).relu(), abs, (t,),
                    hint="|x| = relu(x) + relu(-x): x feeds two ReLUs, one through unary minus")


@pytest.mark.points(2)
@pytest.mark.hint("Build f(x) * 1.7 + f(x) for each operation f and compare with 2.7 f'(x): every _backward must add "
                  "(+=) its local derivative TIMES out.grad to the child's gradient.")
def test_pow_exp_log_tanh_sigmoid_relu_accumulate(student):
    """Typical mistakes, one operation at a time: a _backward that overwrites (=) the child's gradient, or that
    forgets to multiply by out.grad. Each graph applies the operation twice to the same x, once scaled by 1.7."""
    sig = lambda t: 1.0 / (1.0 + math.exp(-t))
    ops = [
        ("x ** 3", lambda v: v ** 3, lambda t: t ** 3),
        ("x ** -1.5", lambda v: v ** -1.5, lambda t: t ** -1.5),
        ("exp(x)", lambda v: v.exp(), math.exp),
        ("log(x)", lambda v: v.log(), math.log),
        ("tanh(x)", lambda v: v.tanh(), math.tanh),
        ("sigmoid(x)", lambda v: v.sigmoid(), sig),
        ("relu(x)", lambda v: v.relu(), lambda t: max(0.0, t)),
    ]
    for name, op, plain in ops:
        check_graph(student, f"{name} * 1.7 + {name}", lambda x, op=op: op(x) * 1.7 + op(x),
                    lambda t, plain=plain: plain(t) * 1.7 + plain(t), (0.8,),
                    hint=f"the _backward of {name.split('(')[0].split(' ')[0]} must ADD (local derivative) * out.grad "
                         "to the child's gradient")


@pytest.mark.points(1)
def test_add_sub_neg(student):
    """Every op against a numerical derivative: +, -, unary -, and plain numbers on either side of +."""
    check_graph(student, "x + y + 3", lambda x, y: x + y + 3, lambda x, y: x + y + 3, (0.7, -1.3),
                hint="d(a + b)/da = d(a + b)/db = 1")
    check_graph(student, "x - y - 2.5", lambda x, y: x - y - 2.5, lambda x, y: x - y - 2.5, (0.7, -1.3),
                hint="a - b = a + (-b)")
    check_graph(student, "1.5 + (-x)", lambda x: 1.5 + (-x), lambda x: 1.5 + (-x), (0.7,),
                hint="-a = a * -1; a plain number on the left goes through __radd__")


@pytest.mark.points(1)
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


@pytest.mark.points(1)
def test_exp_log(student):
    """Every op against a numerical derivative: exp and log."""
    check_graph(student, "exp(x)", lambda x: x.exp(), math.exp, (0.7,), hint="(e^a)' = e^a")
    check_graph(student, "exp(-2x)", lambda x: (x * -2).exp(), lambda x: math.exp(-2 * x), (0.4,),
                hint="(e^a)' = e^a, times the derivative of the inside")
    check_graph(student, "log(x)", lambda x: x.log(), math.log, (2.3,), hint="(ln a)' = 1 / a")


@pytest.mark.points(1)
def test_tanh_sigmoid(student):
    """Every op against a numerical derivative: tanh and sigmoid at positive and negative inputs."""
    sig = lambda t: 1.0 / (1.0 + math.exp(-t))
    for t in (0.7, -2.5):
        check_graph(student, "tanh(x)", lambda x: x.tanh(), math.tanh, (t,), hint="tanh' = 1 - tanh^2")
        check_graph(student, "sigmoid(x)", lambda x: x.sigmoid(), sig, (t,), hint="sigmoid' = s (1 - s)")


@pytest.mark.points(1)
def test_relu(student):
    """Every op against its derivative: ReLU passes the gradient for x > 0 and blocks it for x < 0; the
    docstring's convention at exactly 0 (0, "0 at exactly 0"), as for relu_backward."""
    for t, want in [(0.7, (0.7, 1.0)), (-1.3, (0.0, 0.0)), (0.0, (0.0, 0.0))]:
        x = student.Value(t)
        out = x.relu()
        out.backward()
        checks.close([out.data, x.grad], list(want), what=f"(relu({t}), its gradient)",
                     hint="ReLU'(a) = 1 for a > 0 and 0 otherwise, also at a = 0 exactly: compare with > 0, not >= 0")


@pytest.mark.points(1)
def test_sigmoid_tanh_extreme_inputs(student):
    """Edge case: sigmoid(+-1000) and tanh(+-1000) are 0, 1 or -1 with zero gradient, with no overflow: the
    docstring's "must not overflow ... only ever exponentiate a number <= 0" (numpy raises on overflow here)."""
    hint = "never exponentiate a large positive number: for x < 0 write e^x / (1 + e^x); use np.tanh for tanh"
    for t in (-1000.0, 1000.0):
        for op, want in (("sigmoid", 1.0 if t > 0 else 0.0), ("tanh", math.copysign(1.0, t))):
            x = student.Value(t)
            with no_overflow(student, f"{op}({t})", hint):
                out = getattr(x, op)()
                out.backward()
            checks.close([out.data, x.grad], [want, 0.0], atol=1e-12, what=f"({op}({t}), its gradient)", hint=hint)


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


@pytest.mark.points(2)
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
    """Edge case: backward() sets the output's own gradient to 1, a leaf's gradient is its derivative, and
    backward() returns None (the docstring's "Returns None")."""
    v = student.Value(-0.5)
    w = v * 4 + 1
    returned = w.backward()
    checks.close([w.grad, v.grad], [1.0, 4.0], what="(w.grad, v.grad) for w = 4v + 1",
                 hint="start the backward pass with self.grad = 1.0")
    checks.true(returned is None, f"backward() should return None; it returned {checks.summary(returned)}.",
                hint="backward() fills in .grad of the nodes; it has nothing to return")


@pytest.mark.points(1)
@pytest.mark.hint("Two graphs that share a leaf: call backward() on each and look at the leaf's gradient. backward() "
                  "must not set any gradient to 0.")
def test_backward_keeps_gradients_of_earlier_calls(student):
    """The docstring's "Gradients of a fresh graph start at 0; do not reset them here": a leaf shared by two graphs
    collects the gradients of both backward() calls. And its step 2, "Set self.grad = 1.0", also on a node that
    holds a gradient from an earlier backward() of a larger graph. Typical mistakes: zeroing every gradient inside
    backward(); self.grad += 1.0."""
    x = student.Value(1.5)
    f = x * x
    g = x * 4 + 1
    f.backward()
    g.backward()
    checks.close(x.grad, 2 * 1.5 + 4.0, what="x.grad after f.backward() and g.backward(), f = x*x and g = 4x + 1",
                 hint="backward() must not reset the gradients: they add up, like the contributions of a reused node")
    x = student.Value(1.5)
    f = x * x
    h = f * 3
    h.backward()
    f.backward()
    checks.close([f.grad, x.grad], [1.0, 3 * 2 * 1.5 + 2 * 1.5],
                 what="(f.grad, x.grad) after h.backward() and then f.backward(), f = x*x and h = 3f",
                 hint="backward() SETS its own node's gradient to 1.0 (=, not +=); every other node adds to what it has")


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

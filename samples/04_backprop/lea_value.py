class Value:
    """A scalar that remembers how it was computed, so that it can differentiate the computation.

    `Value(data)` wraps a plain number. Every operation on Values returns a new Value whose `_prev`
    holds its inputs (its children in the graph) and whose `_backward` closure passes the output's
    gradient on to those inputs.

    Attributes (given; keep their names, the grader reads them):
        data  (float): the value computed in the forward pass.
        grad  (float): d(output)/d(this node), filled in by `backward()`; 0.0 for a new Value.
        _prev (tuple of Value): the nodes this one was computed from (empty for inputs).
        _op   (str): the operation that made it ("+", "*", "**2", "exp", ...; "" for inputs).

    Given: `a + b` (the worked example). To implement: `a * b`, `a ** k` (k a plain int or float), `-a`,
    `a - b`, `a / b`, `a.exp()`, `a.log()`, `a.tanh()`, `a.sigmoid()`, `a.relu()` and `backward()`.
    Plain numbers mix in on either side: `a + 1`, `2 * a`, `1 - a`, `1 / a` (the reflected
    operators below are given and call yours).

    Example (NKA §2.5):
        >>> x, y = Value(1.0), Value(2.0)
        >>> f = x * x + x * y + (x + y) ** 2
        >>> f.backward()
        >>> f.data, x.grad, y.grad
        (12.0, 10.0, 7.0)
    """

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None      # an input has nothing to pass on
        self._prev = tuple(_children)
        self._op = _op
        self.label = label                 # optional name, used only by the drawing

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _wrap(other):
        """A Value as it is, a plain number as a new input Value."""
        return other if isinstance(other, Value) else Value(other)

    # --- operations: build `out`, give it a `_backward` that ADDS to the children's grads ---

    def __add__(self, other):
        """self + other. Given: the worked example of the pattern every operation follows."""
        other = Value._wrap(other)
        out = Value(self.data + other.data, (self, other), "+")   # forward: the value and the children

        def _backward():                   # backward: called once, when out.grad is complete
            self.grad += 1.0 * out.grad    # chain rule: local derivative d(out)/d(self) = 1, times out.grad
            other.grad += 1.0 * out.grad   # ADD (+=): self and other may be used elsewhere too, even b = a + a

        out._backward = _backward          # backward() will call it; nothing is computed yet
        return out

    def __mul__(self, other):
        """self * other; d/dself = other, d/dother = self."""
        other = Value._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        """self ** k for a plain number k (int or float); d/dself = k * self**(k-1)."""
        if not isinstance(k, (int, float)):
            raise TypeError("only plain int or float exponents are supported, e.g. v ** 2")
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        """-self. Hint: reuse an operation you already have."""
        return self * -1.0

    def __sub__(self, other):
        """self - other. Hint: reuse + and unary -."""
        return self + (-Value._wrap(other))

    def __truediv__(self, other):
        """self / other. Hint: a / b = a * b**-1."""
        return self * Value._wrap(other) ** -1

    def exp(self):
        """e ** self; the derivative is the output itself."""
        e = float(np.exp(self.data))
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += e * out.grad
        out._backward = _backward
        return out

    def log(self):
        """Natural logarithm (self.data > 0); d/dself = 1 / self."""
        out = Value(float(np.log(self.data)), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        """Hyperbolic tangent; d/dself = 1 - tanh(self)**2. Use np.tanh (the textbook formula
        with exponentials overflows for large |x|)."""
        t = float(np.tanh(self.data))
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        """Logistic sigmoid 1 / (1 + e**-self); d/dself = s * (1 - s) with s the output.
        Must not overflow for large |self.data| (e.g. -1000): only ever exponentiate a number <= 0."""
        if self.data >= 0:
            s = 1.0 / (1.0 + float(np.exp(-self.data)))
        else:
            e = float(np.exp(self.data))
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        """max(0, self); d/dself = 1 if self.data > 0 else 0 (0 at exactly 0)."""
        out = Value(max(0.0, self.data), (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Fill in .grad of every node of the graph that ends in self: d(self)/d(node).

        1. List the nodes in topological order (every node after all of its children), with an
           explicit stack instead of recursion: graphs 10,000 nodes deep must work.
        2. Set self.grad = 1.0.
        3. Call each node's _backward(), from self down to the inputs (reverse topological order).
        Gradients of a fresh graph start at 0; do not reset them here. Returns None.
        """
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    # --- given: plain numbers on the left-hand side ---
    def __radd__(self, other):       # other + self
        return self + other

    def __rmul__(self, other):       # other * self
        return self * other

    def __rsub__(self, other):       # other - self
        return Value._wrap(other) - self

    def __rtruediv__(self, other):   # other / self
        return Value._wrap(other) / self

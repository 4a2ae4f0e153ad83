# Red team (issue 23, item 5): every graded function, and every method of the graded classes, raises ValueError
# on every input. A test earns its points only when the code answers a valid input correctly, so this earns 0.
def _refuse(*args, **kwargs):
    raise ValueError("refused: this submission raises ValueError on every input")


for _name in ("horner", "affine_forward", "affine_backward", "relu_forward", "relu_backward", "sigmoid_forward",
              "sigmoid_backward", "tanh_forward", "tanh_backward", "softmax", "softmax_cross_entropy", "rel_error",
              "numerical_gradient", "xavier_uniform", "he_normal", "count_params", "collapse_linear", "train_mlp"):
    globals()[_name] = _refuse


class Value:
    """Builds like the given class; every operation, and backward(), refuses."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = float(data), 0.0, tuple(_children), _op, label

    __add__ = __radd__ = __mul__ = __rmul__ = __pow__ = __neg__ = __sub__ = __rsub__ = _refuse
    __truediv__ = __rtruediv__ = exp = log = tanh = sigmoid = relu = backward = _refuse


class MLP:
    """Refuses to be built, and every method refuses too."""

    __init__ = forward = backward = loss = predict = _refuse

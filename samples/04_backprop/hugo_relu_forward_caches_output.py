def relu_forward(x):
    """ReLU: out = max(0, x), elementwise.

    Args:
        x: float64 array of any shape.
    Returns:
        out: same shape as x.
        cache: what relu_backward needs (the input x).

    Example:
        >>> out, cache = relu_forward(np.array([[-1., 0., 2.]]))
        >>> out
        array([[0., 0., 2.]])
    """
    out = np.maximum(x, 0.0)
    return out, out

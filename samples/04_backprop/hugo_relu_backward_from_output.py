def relu_backward(dout, cache):
    """Backward pass of the ReLU: dx = dout where the input was > 0, and 0 elsewhere (also where x == 0).

    Args:
        dout: float64 array, dL/dout, same shape as x.
        cache: what relu_forward returned.
    Returns:
        dx: same shape as dout.

    Example (x = [[-1, 0, 2]]):
        >>> relu_backward(np.array([[5., 5., 5.]]), cache)
        array([[0., 0., 5.]])
    """
    out = cache
    return dout * (out >= 0)    # where the ReLU let something through

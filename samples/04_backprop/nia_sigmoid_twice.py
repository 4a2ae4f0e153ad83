def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: dx = dout * s * (1 - s), with s the cached output.

    Args:
        dout: float64 array, same shape as x.
        cache: what sigmoid_forward returned.
    Returns:
        dx: same shape as dout.

    Example (x = [0, 1000, -1000]):
        >>> sigmoid_backward(np.ones(3), cache)
        array([0.25, 0.  , 0.  ])
    """
    s = 1.0 / (1.0 + np.exp(-cache))
    return dout * s * (1.0 - s)

def affine_backward(dout, cache):
    """Backward pass of the affine layer.

    Args:
        dout: (N, M) float64, dL/dout.
        cache: what affine_forward returned.
    Returns:
        dx: (N, D), dW: (D, M), db: (M,)  -- each the shape of x, W, b.

    Example (x = [[1, 2]], W = [[1, 0, 1], [0, 1, 1]], b = [0, 0, 10]):
        >>> dx, dW, db = affine_backward(np.array([[1., 0., -1.]]), cache)
        >>> dx, dW, db
        (array([[0., -1.]]), array([[ 1., 0., -1.], [ 2., 0., -2.]]), array([ 1., 0., -1.]))
    """
    x, W = cache
    dx = dout @ W
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db

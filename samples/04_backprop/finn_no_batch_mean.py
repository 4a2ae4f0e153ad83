def softmax_cross_entropy(z, y):
    """Mean cross-entropy of softmax(z) against integer labels y, and its gradient with respect to z.

    Args:
        z: (N, C) float64 logits.
        y: (N,) int labels in 0..C-1.
    Returns:
        loss: float, -mean_n log softmax(z)[n, y[n]] (finite even for logits like 1e4).
        dz: (N, C) float64, (softmax(z) - onehot(y)) / N.

    Example:
        >>> loss, dz = softmax_cross_entropy(np.array([[0., 0.], [0., np.log(3.)]]), np.array([0, 1]))
        >>> round(loss, 6)                  # (ln 2 + ln(4/3)) / 2
        0.490415
        >>> dz
        array([[-0.25 ,  0.25 ],
               [ 0.125, -0.125]])
    """
    n = z.shape[0]
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_p[rows, y].mean()
    dz = np.exp(log_p)
    dz[rows, y] -= 1.0
    return float(loss), dz

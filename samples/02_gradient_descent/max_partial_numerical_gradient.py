def numerical_gradient(f, x, h=1e-5):
    """Central differences, one coordinate at a time."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros(len(x))
    for j in range(len(x)):
        e = np.zeros(len(x))
        e[j] = h
        grad[j] = (f(x + e) - f(x - e)) / (2 * h)
    return grad

def numerical_gradient(f, x, h=1e-5):
    """Gradient of f at x by finite differences."""
    x = np.array(x, dtype=float)
    fx = f(x)
    grad = np.zeros_like(x)
    for j in range(len(x)):
        x_step = x.copy()
        x_step[j] += h
        grad[j] = (f(x_step) - fx) / h
    return grad

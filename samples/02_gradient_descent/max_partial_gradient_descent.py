def gradient_descent(grad_f, x0, lr, n_steps):
    """Gradient descent; row k of the result is the point after k steps."""
    path = np.zeros((n_steps + 1, len(x0)))
    path[0] = x0
    for k in range(n_steps):
        path[k + 1] = path[k] - lr * grad_f(path[k])
    return path

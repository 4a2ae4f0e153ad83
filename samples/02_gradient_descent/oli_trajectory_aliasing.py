def gradient_descent(grad_f, x0, lr, n_steps):
    """Gradient descent, keeping every point."""
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(n_steps):
        x -= lr * grad_f(x)
        path.append(x)
    return np.array(path)

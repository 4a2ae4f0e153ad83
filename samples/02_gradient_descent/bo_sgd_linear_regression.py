# A correct alternative: gradients as means of per-example terms, in-place updates, losses preallocated.
def sgd_linear_regression(X, y, lr, batch_size, n_epochs, seed=0):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    w = np.zeros(d); b = 0.0
    losses = np.zeros(n_epochs + 1)
    losses[0] = 0.5 * np.mean((X @ w + b - y) ** 2)
    for epoch in range(1, n_epochs + 1):
        for idx in minibatch_indices(n, batch_size, rng):
            r = X[idx] @ w + b - y[idx]
            grad_w = np.mean(X[idx] * r[:, None], axis=0)
            grad_b = r.mean()
            w -= lr * grad_w
            b -= lr * grad_b
        losses[epoch] = 0.5 * np.mean((X @ w + b - y) ** 2)
    return w, float(b), losses

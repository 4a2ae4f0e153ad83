# A correct alternative: the batch gradient written inline instead of calling logistic_loss_grad.
def sgd_logistic_regression(X, y, lr, batch_size, n_epochs, seed=0):
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1]); b = 0.0
    def loss():
        z = X @ w + b
        return np.mean(np.logaddexp(0, z) - y * z)
    losses = [loss()]
    for _ in range(n_epochs):
        for idx in minibatch_indices(len(y), batch_size, rng):
            p = 1 / (1 + np.exp(-(X[idx] @ w + b)))
            w = w - lr * X[idx].T @ (p - y[idx]) / len(idx)
            b = b - lr * np.mean(p - y[idx])
        losses.append(loss())
    return w, b, np.array(losses)

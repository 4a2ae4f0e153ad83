def softmax_cross_entropy(z, y):
    """Mean cross-entropy of softmax(z) against integer labels y, and its gradient with respect to z."""
    n = z.shape[0]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    dz = p.copy()
    dz[np.arange(n), y] -= 1
    return loss, dz / n

def multiclass_fit(X, y, n_classes=10, alpha=1.0, epochs=100, rng=0, bias=True):
    """Train a multiclass perceptron (one weight row per class)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"expected X of shape (n, d) and y of shape (n,); got {X.shape} and {y.shape}")
    if not (np.all(y == np.round(y)) and np.all((y >= 0) & (y < n_classes))):
        raise ValueError(f"labels must be integers in 0..{n_classes - 1}; got values {np.unique(y)[:10]}")
    y = y.astype(int)
    Z = add_bias(X) if bias else X
    gen = np.random.default_rng(rng)
    W = np.zeros((n_classes, Z.shape[1]))
    mistakes = []
    for _ in range(epochs):
        count = 0
        for i in gen.permutation(len(y)):
            guess = int(np.argmax(W @ Z[i]))
            if guess != y[i]:
                W[y[i]] += alpha * Z[i]
                W[guess] -= alpha * Z[i]
                count += 1
        mistakes.append(count)
        if count == 0:
            break
    return {"W": W, "mistakes": mistakes}

def perceptron_fit(X, y, alpha=1.0, epochs=100, rng=0, bias=True, shuffle=True, loss="perceptron"):
    """Train a perceptron (or its hinge-loss variant) by epochs of shuffled single-example updates."""
    X, y = check_data(X, y)
    if loss not in ("perceptron", "hinge"):
        raise ValueError(f"unknown loss {loss!r}")
    step = perceptron_update if loss == "perceptron" else hinge_update
    n, d = X.shape
    gen = np.random.default_rng(rng)
    w = np.zeros(d)
    mistakes = []
    for _ in range(epochs):
        order = gen.permutation(n) if shuffle else np.arange(n)
        count = 0
        for i in order:
            w, updated = step(w, X[i], y[i], alpha)
            count += int(updated)
        mistakes.append(count)
        if count == 0:
            break
    return {"w": w, "mistakes": mistakes, "converged": mistakes[-1] == 0}

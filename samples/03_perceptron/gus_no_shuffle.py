def perceptron_fit(X, y, alpha=1.0, epochs=100, rng=0, bias=True, shuffle=True, loss="perceptron"):
    """Train a perceptron (or its hinge-loss variant) by epochs of single-example updates."""
    X, y = check_data(X, y)
    if loss not in ("perceptron", "hinge"):
        raise ValueError(f"unknown loss {loss!r}")
    step = perceptron_update if loss == "perceptron" else hinge_update
    Z = add_bias(X) if bias else X
    w = np.zeros(Z.shape[1])
    mistakes = []
    for _ in range(epochs):
        count = 0
        for i in range(len(y)):
            w, updated = step(w, Z[i], y[i], alpha)
            count += int(updated)
        mistakes.append(count)
        if count == 0:
            break
    return {"w": w, "mistakes": mistakes, "converged": mistakes[-1] == 0}

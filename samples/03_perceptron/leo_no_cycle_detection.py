def fixed_order_trace(X, y, alpha=1.0, max_epochs=20, rule="error"):
    """Run a perceptron from w = 0 over the rows of X in their given order."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1])
    weights, mistakes = [], []
    for epoch in range(max_epochs):
        count = 0
        for i in range(len(y)):
            if rule == "error":
                count += int(np.sign(w @ X[i]) != y[i])
                w = error_update(w, X[i], y[i], alpha)
            else:
                w, updated = perceptron_update(w, X[i], y[i], alpha)
                count += int(updated)
            weights.append(w.copy())
        mistakes.append(count)
        if count == 0:
            break
    return {"weights": np.array(weights), "mistakes": mistakes, "converged": mistakes[-1] == 0,
            "cycle_start": None, "cycle_length": None}

def fixed_order_trace(X, y, alpha=1.0, max_epochs=20, rule="error"):
    """Ends of epochs kept in a dict from the weights (as a tuple) to the epoch."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1])
    seen = {tuple(w): 0}
    rows, mistakes = [], []
    start = length = None
    converged = False
    for epoch in range(1, max_epochs + 1):
        wrong = 0
        for xi, yi in zip(X, y):
            if np.sign(w @ xi) != yi:
                wrong += 1
            w = error_update(w, xi, yi, alpha) if rule == "error" else perceptron_update(w, xi, yi, alpha)[0]
            rows.append(w)
        mistakes.append(wrong)
        if wrong == 0:
            converged = True
            break
        key = tuple(w)
        if key in seen:
            start, length = seen[key], epoch - seen[key]
            break
        seen[key] = epoch
    return {"weights": np.vstack(rows), "mistakes": mistakes, "converged": converged,
            "cycle_start": start, "cycle_length": length}

class TrainingError(ValueError):
    """Arguments that training cannot use."""


def perceptron_fit(X, y, alpha=1.0, epochs=100, rng=0, bias=True, shuffle=True, loss="perceptron"):
    """Its own loop: arguments checked first, a Generator used as it is, gen.shuffle of a fresh arange."""
    if epochs < 1 or alpha <= 0:
        raise TrainingError("epochs must be at least 1 and alpha positive")
    if loss == "perceptron":
        needs_update = lambda margin: margin <= 0
    elif loss == "hinge":
        needs_update = lambda margin: margin < 1.0
    else:
        raise TrainingError("unknown loss " + str(loss))
    X, y = check_data(X, y)
    Z = np.hstack([X, np.ones((len(X), 1))]) if bias else X
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    w = np.zeros(Z.shape[1])
    history = []
    while len(history) < epochs:
        idx = np.arange(len(y))
        if shuffle:
            gen.shuffle(idx)
        updates = 0
        for i in idx:
            if needs_update(y[i] * np.dot(w, Z[i])):
                w = w + alpha * y[i] * Z[i]
                updates += 1
        history.append(updates)
        if updates == 0:
            break
    return dict(w=w, mistakes=history, converged=history[-1] == 0)

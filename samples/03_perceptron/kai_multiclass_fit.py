def multiclass_fit(X, y, n_classes=10, alpha=1.0, epochs=100, rng=0, bias=True):
    """The competitor with max(..., key=...), which keeps the first (lowest) class among ties."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError("X must be 2-D, got shape " + str(X.shape))
    if len(y) != len(X):
        raise ValueError(f"{len(X)} examples but {len(y)} labels")
    for label in y.tolist():
        if label != int(label) or not 0 <= label < n_classes:
            raise ValueError(f"bad label {label}: need an integer in 0..{n_classes - 1}")
    gen = np.random.default_rng(rng)
    Z = np.column_stack([X, np.ones(len(X))]) if bias else X
    W = np.zeros((n_classes, Z.shape[1]))
    history = []
    for epoch in range(epochs):
        wrong = 0
        for i in gen.permutation(len(y)):
            z, c = Z[i], int(y[i])
            s = W @ z
            r = max((k for k in range(n_classes) if k != c), key=lambda k: s[k])
            if s[r] >= s[c]:
                W[c] = W[c] + alpha * z
                W[r] = W[r] - alpha * z
                wrong += 1
        history.append(wrong)
        if not wrong:
            break
    return {"W": W, "mistakes": history}

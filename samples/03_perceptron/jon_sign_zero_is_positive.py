def predict(w, X, bias=True):
    """Perceptron predictions for every row of X."""
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    Z = add_bias(X) if bias else X
    if w.shape != (Z.shape[1],):
        raise ValueError(f"w must have shape ({Z.shape[1]},); got {w.shape}")
    return np.where(Z @ w >= 0, 1.0, -1.0)

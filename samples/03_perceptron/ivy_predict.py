class ShapeError(ValueError):
    """Arrays of the wrong shape."""


def predict(w, X, bias=True):
    """Perceptron predictions with a loop over the rows."""
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    if len(X.shape) != 2:
        raise ShapeError(f"X should be 2-D (n, d), not {X.shape}")
    need = X.shape[1] + (1 if bias else 0)
    if w.shape[0] != need:
        raise ShapeError(f"expected {need} weights, got {w.shape[0]}")
    out = np.empty(X.shape[0])
    for i, row in enumerate(X):
        s = float(np.dot(w[:X.shape[1]], row)) + (w[-1] if bias else 0.0)
        out[i] = 1.0 if s > 0 else (-1.0 if s < 0 else 0.0)
    return out

def ridge_regression(X, t, lam):
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    if X.ndim != 2 or t.ndim != 1 or len(t) != len(X):
        raise ValueError("X must be (n, d) and t (n,)")
    if lam < 0:
        raise ValueError("lam must be >= 0")
    d = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(d)])
    b = np.concatenate([t, np.zeros(d)])
    return np.linalg.lstsq(A, b, rcond=None)[0]

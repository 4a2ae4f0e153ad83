class DataError(ValueError):
    """A training set the perceptron cannot use."""


def check_data(X, y):
    """Validate a binary training set: other checks in another order, and a subclass of ValueError."""
    X = np.array(X, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    if y.ndim != 1:
        raise DataError(f"y should be 1-D, got {y.ndim}-D with shape {y.shape}")
    if X.ndim != 2:
        raise DataError(f"X should be 2-D, got {X.ndim}-D with shape {X.shape}")
    if len(y) == 0 or len(X) == 0:
        raise DataError("no examples: n = 0")
    if not set(np.unique(y).tolist()) <= {-1.0, 1.0}:
        raise DataError(f"labels must be -1 or +1, found {sorted(set(y.tolist()) - {-1.0, 1.0})}")
    if len(X) != len(y):
        raise DataError(f"{len(X)} rows in X, {len(y)} labels in y")
    return X, y

def relative_error(a, b):
    """Largest componentwise relative error."""
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))

def criterion_subgradient(w, Z, y):
    """A subgradient of the criterion, as one matrix product with a 0/1 mask."""
    Z, y = np.asarray(Z, dtype=float), np.asarray(y, dtype=float)
    mask = (y * (Z @ np.asarray(w, dtype=float)) <= 0).astype(float)
    return -(Z.T @ (mask * y))

def step_size_analysis(A):
    """Bounds from the extreme eigenvalues."""
    lam = np.linalg.eigvalsh(A)
    lo, hi = lam.min(), lam.max()
    return {"max_lr": 2 / hi, "best_lr": 2 / (lo + hi), "rate": (hi / lo - 1) / (hi / lo + 1)}

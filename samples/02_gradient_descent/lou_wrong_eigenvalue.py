def step_size_analysis(A):
    """Step sizes from the eigenvalues of A (largest first)."""
    eigenvalues = np.linalg.eigvalsh(A)
    lam_max, lam_min = eigenvalues[0], eigenvalues[-1]
    return {
        "max_lr": 2 / lam_max,
        "best_lr": 2 / (lam_min + lam_max),
        "rate": (lam_max - lam_min) / (lam_max + lam_min),
    }

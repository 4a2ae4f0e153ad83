# A correct alternative: singular values (the eigenvalues of a symmetric positive definite A), and κ.
def step_size_analysis(A):
    s = np.linalg.svd(A, compute_uv=False)
    kappa = s[0] / s[-1]
    return {"max_lr": 2 / s[0], "best_lr": 2 / (s[0] + s[-1]), "rate": (kappa - 1) / (kappa + 1)}

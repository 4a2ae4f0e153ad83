def blr_predictive(X_new, mu_n, Sigma_n, sigma):
    X_new, mu_n, Sigma_n = np.asarray(X_new, float), np.asarray(mu_n, float), np.asarray(Sigma_n, float)
    if X_new.ndim != 2:
        raise ValueError("X_new must be 2-D")
    d = X_new.shape[1]
    if mu_n.shape != (d,) or Sigma_n.shape != (d, d):
        raise ValueError("shapes")
    if not sigma > 0:
        raise ValueError("sigma")
    return X_new.dot(mu_n), np.sqrt(sigma**2 + np.diag(X_new @ Sigma_n @ X_new.T))

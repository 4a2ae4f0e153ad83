def blr_posterior(X, t, sigma, mu0, Sigma0):
    X, t, mu0, Sigma0 = (np.array(v, dtype=float) for v in (X, t, mu0, Sigma0))
    if X.ndim != 2 or t.shape != X.shape[:1] or mu0.shape != X.shape[1:] or Sigma0.shape != (X.shape[1],) * 2:
        raise ValueError("shapes do not fit together")
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    S0_inv = np.linalg.inv(Sigma0)
    Sigma_n = np.linalg.inv(S0_inv + X.T.dot(X) / sigma**2)
    mu_n = Sigma_n.dot(S0_inv.dot(mu0) + X.T.dot(t) / sigma**2)
    return mu_n, Sigma_n

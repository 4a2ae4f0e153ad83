# A correct alternative: scipy.special.expit and log(1 + e^z) = max(z, 0) + log1p(e^−|z|).
from scipy.special import expit
def logistic_loss_grad(w, b, X, y):
    z = X @ w + b
    loss = np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)
    p = expit(z)
    n = len(y)
    return loss, (X.T @ (p - y)) / n, np.sum(p - y) / n

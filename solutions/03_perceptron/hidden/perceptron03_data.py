"""Data the hidden tests of assignment 3 generate: linearly separable points with a margin."""
import numpy as np


def augment(X):
    """X with the constant feature 1 appended, as the notebook folds in the bias."""
    return np.column_stack([X, np.ones(len(X))])


def margin_data(d, n, gamma, seed):
    """n points in [-1, 1]^d and a unit w_star (in the augmented space) with y_i w_star.z_i >= gamma."""
    g = np.random.default_rng(seed)
    w_star = g.normal(size=d + 1)
    w_star[-1] *= 0.3
    w_star /= np.linalg.norm(w_star)
    X = np.empty((0, d))
    while len(X) < n:
        cand = g.uniform(-1, 1, size=(4 * n, d))
        X = np.vstack([X, cand[np.abs(augment(cand) @ w_star) >= gamma]])
    X = X[:n]
    return X, np.where(augment(X) @ w_star > 0, 1.0, -1.0), w_star

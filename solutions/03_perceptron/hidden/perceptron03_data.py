"""Data the hidden tests of assignment 3 generate, and the notebook's contracts replayed in the grader."""
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


def reference_fit(X, y, alpha=1.0, epochs=100, rng=0, bias=True, shuffle=True, loss="perceptron"):
    """perceptron_fit's contract: w = 0; gen = default_rng(rng) once; gen.permutation(n) at the start of each
    epoch (shuffle) or the given order; update when y*(w.z) <= 0 (perceptron) or < 1 (hinge), counting updates;
    stop after an epoch without updates."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    Z = augment(X) if bias else X
    gen = np.random.default_rng(rng)
    w, mistakes = np.zeros(Z.shape[1]), []
    for _ in range(epochs):
        order = gen.permutation(len(y)) if shuffle else np.arange(len(y))
        count = 0
        for i in order:
            margin = y[i] * (w @ Z[i])
            if (margin <= 0) if loss == "perceptron" else (margin < 1):
                w = w + alpha * y[i] * Z[i]
                count += 1
        mistakes.append(count)
        if count == 0:
            break
    return {"w": w, "mistakes": mistakes, "converged": mistakes[-1] == 0}


def reference_pocket(X, y, alpha=1.0, epochs=50, rng=0, bias=True):
    """pocket_fit's contract: the seeded perceptron run; after every update the training errors (margin <= 0) of
    the new weights; into the pocket only when strictly fewer than the pocket's (which starts as w = 0, n errors)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    Z = augment(X) if bias else X
    gen = np.random.default_rng(rng)
    w, mistakes = np.zeros(Z.shape[1]), []
    best_w, best_errors = w.copy(), len(y)
    for _ in range(epochs):
        count = 0
        for i in gen.permutation(len(y)):
            if y[i] * (w @ Z[i]) <= 0:
                w = w + alpha * y[i] * Z[i]
                count += 1
                errors = int(np.sum(y * (Z @ w) <= 0))
                if errors < best_errors:
                    best_w, best_errors = w.copy(), errors
        mistakes.append(count)
        if count == 0:
            break
    return {"w": best_w, "errors": best_errors, "mistakes": mistakes}


def reference_trace(X, y, alpha=1.0, max_epochs=20, rule="error"):
    """fixed_order_trace's contract: given order from w = 0; after each epoch converged, else a cycle if the weights
    equal an earlier end of epoch (the start is epoch 0), else on, for at most max_epochs epochs."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    w = np.zeros(X.shape[1])
    ends, weights, mistakes = [w], [], []
    for epoch in range(1, max_epochs + 1):
        count = 0
        for i in range(len(y)):
            if np.sign(w @ X[i]) != y[i]:
                count += 1
                w = w + alpha * (y[i] - np.sign(w @ X[i]) if rule == "error" else y[i]) * X[i]
            weights.append(w)
        mistakes.append(count)
        result = {"weights": np.array(weights), "mistakes": mistakes, "converged": count == 0,
                  "cycle_start": None, "cycle_length": None}
        if count == 0:
            return result
        for k, earlier in enumerate(ends):
            if np.array_equal(earlier, w):
                return result | {"cycle_start": k, "cycle_length": epoch - k}
        ends.append(w)
    return result


def reference_multiclass(X, y, n_classes, alpha=1.0, epochs=100, rng=0, bias=True):
    """multiclass_fit's contract: W = 0; one generator, gen.permutation(n) per epoch; r = the best class other than
    the label (lowest index among ties); a mistake when W[r].z >= W[c].z; stop after an epoch without mistakes."""
    X, y = np.asarray(X, float), np.asarray(y, int)
    Z = augment(X) if bias else X
    gen = np.random.default_rng(rng)
    W, mistakes = np.zeros((n_classes, Z.shape[1])), []
    for _ in range(epochs):
        count = 0
        for i in gen.permutation(len(y)):
            scores = W @ Z[i]
            others = scores.copy()
            others[y[i]] = -np.inf
            r = int(np.argmax(others))
            if scores[r] >= scores[y[i]]:
                W[y[i]] += alpha * Z[i]
                W[r] -= alpha * Z[i]
                count += 1
        mistakes.append(count)
        if count == 0:
            break
    return {"W": W, "mistakes": mistakes}


def draws_after(seed, n, epochs):
    """The next number of default_rng(seed) after `epochs` draws of permutation(n): where a generator given to a
    training function must be afterwards."""
    gen = np.random.default_rng(seed)
    for _ in range(epochs):
        gen.permutation(n)
    return gen.random()

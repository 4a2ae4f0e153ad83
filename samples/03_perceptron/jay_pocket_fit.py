def pocket_fit(X, y, alpha=1.0, epochs=50, rng=0, bias=True):
    """Its own loop: z built per example, errors counted with predict (sign 0 is an error there too)."""
    X, y = check_data(X, y)
    gen = np.random.default_rng(rng)
    p = X.shape[1] + (1 if bias else 0)
    w = np.zeros(p)
    pocket = (w.copy(), len(y))
    per_epoch = []
    for epoch in range(epochs):
        made = 0
        for i in gen.permutation(len(y)):
            z = np.append(X[i], 1.0) if bias else X[i]
            if y[i] * (w @ z) <= 0:
                w = w + alpha * y[i] * z
                made += 1
                wrong = int(np.count_nonzero(predict(w, X, bias=bias) != y))
                if wrong < pocket[1]:
                    pocket = (w.copy(), wrong)
        per_epoch.append(made)
        if made == 0:
            break
    return {"w": pocket[0], "errors": pocket[1], "mistakes": per_epoch}

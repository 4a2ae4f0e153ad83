def pocket_fit(X, y, alpha=1.0, epochs=50, rng=0, bias=True):
    """The pocket algorithm."""
    run = perceptron_fit(X, y, alpha=alpha, epochs=epochs, rng=rng, bias=bias)
    X, y = check_data(X, y)
    Z = add_bias(X) if bias else X
    errors = int(np.sum(y * (Z @ run["w"]) <= 0))
    return {"w": run["w"], "errors": errors, "mistakes": run["mistakes"]}

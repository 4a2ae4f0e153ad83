# A correct alternative: predictions from the Vandermonde matrix and np.polyval, errors preallocated.
def train_test_mse(x_train, y_train, x_test, y_test, degrees):
    train, test = np.zeros(len(degrees)), np.zeros(len(degrees))
    for i, d in enumerate(degrees):
        c = fit_polynomial(x_train, y_train, d)
        train[i] = np.mean((np.vander(x_train, d + 1, increasing=True) @ c - y_train) ** 2)
        test[i] = np.mean((np.polyval(c[::-1], x_test) - y_test) ** 2)
    return train, test

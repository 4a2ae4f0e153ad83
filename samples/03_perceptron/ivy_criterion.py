def criterion(w, Z, y):
    """The perceptron criterion, summed in a loop."""
    total = 0.0
    for z, label in zip(np.asarray(Z, dtype=float), np.asarray(y, dtype=float)):
        total += max(0.0, -label * float(np.dot(w, z)))
    return total

def medical_test(prevalence, sensitivity, false_positive_rate):
    if not all(0 <= v <= 1 for v in (prevalence, sensitivity, false_positive_rate)):
        raise ValueError("arguments must be probabilities")
    return posterior(np.array([prevalence, 1 - prevalence]), np.array([sensitivity, false_positive_rate]))[0]

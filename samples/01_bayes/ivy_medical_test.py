def medical_test(prevalence, sensitivity, false_positive_rate):
    """P(ill | positive test)."""
    if not (0 <= prevalence <= 1 and 0 <= sensitivity <= 1 and 0 <= false_positive_rate <= 1):
        raise ValueError("all arguments must be probabilities in [0, 1]")
    return float(posterior([prevalence, 1 - prevalence], [sensitivity, false_positive_rate])[0])

def medical_test(prevalence, sensitivity, false_positive_rate):
    for v in (prevalence, sensitivity, false_positive_rate):
        if v < 0 or v > 1:
            raise ValueError(f"{v} is not a probability")
    numerator = sensitivity * prevalence
    evidence = numerator + false_positive_rate * (1 - prevalence)
    if evidence == 0:
        raise ValueError("a positive test is impossible")
    return numerator / evidence

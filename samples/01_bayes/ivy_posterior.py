def posterior(prior, likelihood):
    """Bayes' rule over k discrete hypotheses."""
    joint = np.array(prior) * np.array(likelihood)
    return joint / np.sum(joint)

"""Public tests for assignment 01 (Bayesian inference).

These are a small, visible part of the grading: the textbook examples from the notebook.
The grader also runs hidden tests with other inputs, edge cases and invalid input.
Run them with `python -m autograder check 01_bayes`.
"""
import numpy as np
import pytest

from autograder import checks

pytestmark = pytest.mark.visible


@pytest.mark.points(1)
@pytest.mark.hint("Print your posterior and its sum for this example: every entry is prior times likelihood, all "
                  "rescaled by one and the same number.")
def test_two_urns(student):
    """NKA's two urns: 3/10 and 6/10 black, one black ball drawn."""
    p = student.posterior([0.5, 0.5], [0.3, 0.6])
    checks.close(p, [1 / 3, 2 / 3], what="posterior([0.5, 0.5], [0.3, 0.6])",
                 hint="multiply prior and likelihood, then divide by their sum (the evidence)")


@pytest.mark.points(2)
@pytest.mark.hint("Reuse your posterior function: two hypotheses (ill, healthy), and for each the probability of a "
                  "positive test.")
def test_medical_test(student):
    """NKA's medical test: sensitivity 0.95, false-positive rate 0.05, prevalence 0.01."""
    checks.close(student.medical_test(0.01, 0.95, 0.05), 0.16102, rtol=1e-4,
                 what="medical_test(0.01, 0.95, 0.05)",
                 hint="the prior is (prevalence, 1 - prevalence); the likelihood of a positive test is "
                      "(sensitivity, false-positive rate)")


@pytest.mark.points(1)
@pytest.mark.hint("np.exp(1000) is inf in float64. Rewrite log(sum(exp(a))) so that the largest term becomes exp(0).")
def test_log_sum_exp_large_values(student):
    """log(e^1000 + e^1000) overflows if computed directly."""
    checks.close(student.log_sum_exp([1000.0, 1000.0]), 1000 + np.log(2), rtol=1e-12,
                 what="log_sum_exp([1000.0, 1000.0])", hint="subtract the maximum before exponentiating")


@pytest.mark.points(1)
@pytest.mark.hint("For each door the car could be behind, write down how likely the host is to open the door he "
                  "opened (your own door included); then it is Bayes' rule.")
def test_monty_hall_three_doors(student):
    """Monty Hall: you chose door 0, the host opened door 2."""
    checks.close(student.monty_hall_posterior(3, 0, 2), [1 / 3, 2 / 3, 0.0],
                 what="monty_hall_posterior(3, chosen=0, opened=2)",
                 hint="the host opens door 2 with probability 1/2 if the car is behind door 0, 1 if behind door 1")


@pytest.mark.points(1)
@pytest.mark.hint("The binomial coefficient for n = 1000 does not fit in a float: work with logarithms and "
                  "exponentiate at the very end.")
def test_500_heads_in_1000_tosses(student):
    """NKA: P(exactly 500 heads in 1000 fair tosses) = 0.02523."""
    checks.close(student.binomial_pmf(500, 1000, 0.5), 0.025225018178380496, rtol=1e-6,
                 what="binomial_pmf(500, 1000, 0.5)", hint="compute the logarithm with special.gammaln, then exp")


@pytest.mark.points(1)
@pytest.mark.hint("After a head the mean a / (a + b) of the Beta distribution should go up: check that yours does.")
def test_beta_update_nka_example(student):
    """Prior Beta(6, 6), one head: the posterior is Beta(7, 6) (NKA misprints it as Beta(6, 7))."""
    checks.close(student.beta_update(6, 6, 1, 0), [7.0, 6.0], what="beta_update(6, 6, heads=1, tails=0)",
                 hint="heads add to the first parameter, tails to the second")


@pytest.mark.points(1)
@pytest.mark.hint("Laplace's rule is the posterior mean of the coin's bias under a uniform prior, Beta(1, 1).")
def test_laplace_rule_one_head(student):
    """Laplace's rule of succession after one head in one toss."""
    checks.close(student.laplace_rule(1, 1), 2 / 3, what="laplace_rule(heads=1, n=1)",
                 hint="the posterior predictive with a uniform prior is (h + 1) / (n + 2)")


@pytest.mark.points(2)
@pytest.mark.hint("Precisions (one over the variance) add up; and the function returns the standard deviation, not "
                  "the variance.")
def test_normal_posterior_oracle(student):
    """Prior N(0, 1), one observation x = 1 with noise sigma = 0.5: mu_n = 0.8, sigma_n = 0.4472."""
    checks.close(student.normal_posterior(0.0, 1.0, [1.0], 0.5), [0.8, np.sqrt(0.2)], rtol=1e-6,
                 what="normal_posterior(0.0, 1.0, [1.0], 0.5) as (mu_n, sigma_n)",
                 hint="precisions add: 1/sigma_n^2 = 1/sigma0^2 + n/sigma^2; return the standard deviation")

"""Hidden tests, assignment 01, parts 1-3: Bayes' rule, log space, Monty Hall."""
import functools

import numpy as np
import pytest

from autograder import checks


value_error = functools.partial(checks.raises_with_message, "ValueError",
                                example="raise ValueError(f'prior must sum to 1, got {prior.sum()}')")


def reference_posterior(prior, likelihood):
    joint = np.asarray(prior, float) * np.asarray(likelihood, float)
    return joint / joint.sum()


# ---------------------------------------------------------------- posterior
@pytest.mark.points(2)
@pytest.mark.hint("Does your posterior sum to 1? Print its sum for a small example of your own.")
def test_posterior_medical_test(student):
    """Textbook value (NKA medical test) through the general function; typical mistake: no division by the evidence."""
    p = student.posterior(np.array([0.01, 0.99]), np.array([0.95, 0.05]))
    checks.close(p, [0.16101694915254236, 0.8389830508474576], rtol=1e-8,
                 what="posterior([0.01, 0.99], [0.95, 0.05])",
                 hint="divide prior * likelihood by the evidence, so that the posterior sums to 1")


@pytest.mark.points(2)
def test_posterior_random_problem(student):
    """Random 7-hypothesis problem against the reference; catches a missing normalisation."""
    rng = np.random.default_rng(101)
    prior = rng.dirichlet(np.ones(7))
    likelihood = rng.uniform(0.0, 1.0, size=7)
    p = student.posterior(prior, likelihood)
    checks.close(p, reference_posterior(prior, likelihood), rtol=1e-9,
                 what="posterior of a random problem with 7 hypotheses",
                 hint="the posterior must sum to 1")


@pytest.mark.points(1)
def test_posterior_lists_give_float_array(student):
    """Shapes and dtypes: plain lists (of ints, too) in, a float array of shape (k,) out."""
    p = student.posterior([0, 1, 0], [1, 1, 1])
    array = checks.shape(p, (3,), what="posterior([0, 1, 0], [1, 1, 1])")
    checks.true(np.asarray(p).dtype.kind == "f",
                f"posterior([0, 1, 0], [1, 1, 1]): expected an array of floats, got dtype {np.asarray(p).dtype}.",
                "convert the inputs with np.asarray(..., dtype=float)")
    checks.close(array, [0.0, 1.0, 0.0], what="posterior([0, 1, 0], [1, 1, 1])")


@pytest.mark.points(1)
def test_posterior_zero_prior_stays_zero(student):
    """Edge case: a hypothesis with prior 0 has posterior 0, whatever its likelihood."""
    p = student.posterior([0.0, 0.25, 0.75], [1.0, 0.2, 0.1])
    checks.close(p, reference_posterior([0.0, 0.25, 0.75], [1.0, 0.2, 0.1]), rtol=1e-9,
                 what="posterior([0, 0.25, 0.75], [1, 0.2, 0.1])")


@pytest.mark.points(2)
def test_posterior_rejects_invalid_prior(student):
    """Input validation: a prior that does not sum to 1, or has a negative entry, is a ValueError."""
    value_error(student.posterior, [0.5, 0.6], [0.3, 0.6], what="posterior([0.5, 0.6], [0.3, 0.6]) (prior sums to 1.1)",
                hint="check that the prior sums to 1 (np.isclose)")
    value_error(student.posterior, [1.2, -0.2], [0.3, 0.6], what="posterior([1.2, -0.2], [0.3, 0.6]) (negative prior)",
                hint="probabilities cannot be negative")


@pytest.mark.points(1)
def test_posterior_rejects_mismatched_lengths(student):
    """Input validation: prior and likelihood of different lengths."""
    value_error(student.posterior, [0.5, 0.5], [0.3, 0.6, 0.1],
                what="posterior with a prior of length 2 and a likelihood of length 3")


@pytest.mark.points(1)
@pytest.mark.hint("What should happen when every hypothesis gives the data probability 0? Read the Raises section of "
                  "the docstring, and check before you divide.")
def test_posterior_rejects_zero_evidence(student):
    """Edge case: data impossible under every hypothesis (evidence 0) would give 0/0 = nan."""
    value_error(student.posterior, [0.5, 0.5], [0.0, 0.0], what="posterior([0.5, 0.5], [0, 0]) (evidence 0)",
                hint="check the evidence before dividing by it")


@pytest.mark.points(1)
def test_posterior_rejects_negative_likelihood(student):
    """Input validation: a likelihood is a probability and cannot be negative."""
    value_error(student.posterior, [0.5, 0.5], [0.5, -0.1], what="posterior([0.5, 0.5], [0.5, -0.1])")


# ---------------------------------------------------------------- medical_test
@pytest.mark.points(1)
def test_medical_test_other_numbers(student):
    """A second textbook-style case: prevalence 0.2, sensitivity 0.9, false-positive rate 0.3 -> 3/7."""
    checks.close(student.medical_test(0.2, 0.9, 0.3), 0.18 / 0.42, rtol=1e-9,
                 what="medical_test(0.2, 0.9, 0.3)")


@pytest.mark.points(1)
def test_medical_test_rejects_non_probability(student):
    """Input validation: a prevalence or rate outside [0, 1]."""
    value_error(student.medical_test, 1.5, 0.95, 0.05, what="medical_test(1.5, 0.95, 0.05)")
    value_error(student.medical_test, 0.01, 0.95, -0.05, what="medical_test(0.01, 0.95, -0.05)")


# ---------------------------------------------------------------- log_sum_exp
@pytest.mark.points(1)
def test_log_sum_exp_very_negative(student):
    """Numerical stability: exp(-1000) underflows to 0, so the naive formula gives log(0) = -inf."""
    got = student.log_sum_exp(np.array([-1000.0, -1000.0, -1001.0]))
    checks.finite(got, what="log_sum_exp([-1000, -1000, -1001])")
    checks.close(got, -1000 + np.log(2 + np.exp(-1)), rtol=1e-12, what="log_sum_exp([-1000, -1000, -1001])",
                 hint="subtract the maximum before exponentiating, and add it back afterwards")


@pytest.mark.points(1)
def test_log_sum_exp_matches_direct_formula(student):
    """Random moderate values, where the direct formula is exact enough: the trick must not change the value."""
    a = np.random.default_rng(7).normal(scale=3.0, size=50)
    checks.close(student.log_sum_exp(a), np.log(np.sum(np.exp(a))), rtol=1e-12,
                 what="log_sum_exp of 50 random numbers")


@pytest.mark.points(1)
def test_log_sum_exp_with_minus_infinity(student):
    """Edge case: -inf entries are zero probabilities; all -inf gives -inf, never nan."""
    checks.close(student.log_sum_exp([-np.inf, 0.0, -np.inf]), 0.0, what="log_sum_exp([-inf, 0, -inf])")
    got = student.log_sum_exp([-np.inf, -np.inf])
    checks.close(got, -np.inf, what="log_sum_exp([-inf, -inf])",
                 hint="when the maximum is -inf, a - max is -inf - (-inf) = nan; return -inf directly")


# ---------------------------------------------------------------- sequential_posterior
@pytest.mark.points(2)
def test_sequential_matches_repeated_bayes(student):
    """Sequential updating over a few observations equals Bayes' rule applied repeatedly."""
    rng = np.random.default_rng(5)
    prior = rng.dirichlet(np.ones(4))
    likelihoods = rng.uniform(0.05, 1.0, size=(6, 4))
    expected = prior
    for row in likelihoods:
        expected = reference_posterior(expected, row)
    checks.close(student.sequential_posterior(prior, likelihoods), expected, rtol=1e-8,
                 what="sequential_posterior with 6 observations and 4 hypotheses")


@pytest.mark.points(3)
def test_sequential_10000_coin_tosses(student):
    """Numerical stability: 10,000 tosses. Typical mistake: multiplying likelihoods underflows to 0/0 = nan."""
    thetas = np.linspace(0.1, 0.9, 9)
    flips = np.random.default_rng(2024).random(10_000) < 0.3
    likelihoods = np.where(flips[:, None], thetas, 1.0 - thetas)
    log_post = np.log(np.full(9, 1 / 9)) + np.log(likelihoods).sum(axis=0)
    expected = np.exp(log_post - log_post.max())
    expected /= expected.sum()
    got = student.sequential_posterior(np.full(9, 1 / 9), likelihoods)
    checks.finite(got, what="sequential_posterior after 10,000 coin tosses",
                  hint="add log-likelihoods instead of multiplying likelihoods, then normalise with log-sum-exp")
    checks.close(got, expected, rtol=1e-6, atol=1e-12, what="sequential_posterior after 10,000 coin tosses")


@pytest.mark.points(2)
def test_sequential_tiny_likelihoods(student):
    """Numerical stability: every likelihood is about 1e-300; the posterior ratio is 2**10000 : 1."""
    likelihoods = np.tile([1e-300, 2e-300], (10_000, 1))
    got = student.sequential_posterior([0.5, 0.5], likelihoods)
    checks.finite(got, what="sequential_posterior with 10,000 likelihoods of size 1e-300")
    checks.close(got, [0.0, 1.0], atol=1e-12, what="sequential_posterior with 10,000 rows [1e-300, 2e-300]")


@pytest.mark.points(1)
def test_sequential_no_observations(student):
    """Edge case: n = 0 observations (shape (0, k)) leaves the prior unchanged."""
    checks.close(student.sequential_posterior([0.2, 0.3, 0.5], np.empty((0, 3))), [0.2, 0.3, 0.5],
                 what="sequential_posterior(prior, likelihoods of shape (0, 3))")


@pytest.mark.points(1)
def test_sequential_ruled_out_hypothesis(student):
    """Edge case: a zero likelihood rules a hypothesis out exactly (log 0 = -inf), without nan elsewhere."""
    likelihoods = np.array([[0.5, 0.0, 0.2], [0.5, 0.9, 0.4]] * 50)
    log_post = np.log([1 / 3, 1 / 3]) + np.log(likelihoods[:, [0, 2]]).sum(axis=0)
    rest = np.exp(log_post - log_post.max())
    rest /= rest.sum()
    got = student.sequential_posterior(np.full(3, 1 / 3), likelihoods)
    checks.finite(got, what="sequential_posterior with a hypothesis ruled out by a zero likelihood")
    checks.close(got, [rest[0], 0.0, rest[1]], rtol=1e-8, atol=1e-300,
                 what="sequential_posterior with a hypothesis ruled out by a zero likelihood")


@pytest.mark.points(1)
def test_sequential_rejects_bad_shapes(student):
    """Input validation: likelihood columns must match the number of hypotheses."""
    value_error(student.sequential_posterior, [0.5, 0.5], np.full((4, 3), 0.5),
                what="sequential_posterior with 2 hypotheses and likelihoods of shape (4, 3)")


@pytest.mark.points(1)
def test_sequential_rejects_invalid_probabilities(student):
    """Input validation: a prior that does not sum to 1, or a negative likelihood."""
    value_error(student.sequential_posterior, [0.5, 0.4], np.full((2, 2), 0.5),
                what="sequential_posterior with a prior summing to 0.9")
    value_error(student.sequential_posterior, [0.5, 0.5], [[0.5, -0.5]],
                what="sequential_posterior with a negative likelihood")


# ---------------------------------------------------------------- Monty Hall
@pytest.mark.points(2)
@pytest.mark.hint("Your function must work for any number of doors and any chosen and opened door; compare it with a "
                  "quick simulation for 5 doors.")
def test_monty_hall_five_doors(student):
    """Generalisation: 5 doors, one goat door opened. Yours keeps 1/5; each other closed door gets 4/15."""
    checks.close(student.monty_hall_posterior(5, 1, 3), [4 / 15, 1 / 5, 4 / 15, 0.0, 4 / 15], rtol=1e-9,
                 what="monty_hall_posterior(5, chosen=1, opened=3)",
                 hint="the host may open any of 4 doors if the car is behind yours, any of 3 otherwise")


@pytest.mark.points(1)
@pytest.mark.hint("Do not assume you chose door 0 or that the host opened the last door: try every chosen/opened pair"
                  " on 3 doors.")
def test_monty_hall_other_doors(student):
    """Textbook case with other door numbers: chose 2, host opened 0."""
    checks.close(student.monty_hall_posterior(3, 2, 0), [0.0, 2 / 3, 1 / 3], rtol=1e-9,
                 what="monty_hall_posterior(3, chosen=2, opened=0)")


@pytest.mark.points(1)
def test_monty_hall_rejects_invalid_doors(student):
    """Input validation: the host cannot open your door; doors must exist; at least 3 doors."""
    value_error(student.monty_hall_posterior, 3, 1, 1, what="monty_hall_posterior(3, chosen=1, opened=1)")
    value_error(student.monty_hall_posterior, 3, 0, 3, what="monty_hall_posterior(3, chosen=0, opened=3)")
    value_error(student.monty_hall_posterior, 2, 0, 1, what="monty_hall_posterior(2, chosen=0, opened=1)")


@pytest.mark.points(2)
def test_simulation_agrees_with_bayes(student):
    """Monte Carlo: 20,000 games; stay near 1/3 and switch near 2/3 (tolerance 0.02, about 6 standard errors)."""
    got = student.simulate_monty_hall(20_000, 12345)
    array = checks.shape(got, (2,), what="simulate_monty_hall(20000, 12345) as (p_stay, p_switch)")
    checks.true(abs(array[0] - 1 / 3) < 0.02 and abs(array[1] - 2 / 3) < 0.02,
                f"simulate_monty_hall(20000, seed): got p_stay = {array[0]:.4f}, p_switch = {array[1]:.4f}, "
                "which is too far from the theory.",
                "the host opens a goat door that the player did not pick; the switcher takes the remaining door")


@pytest.mark.points(1)
def test_simulation_is_reproducible(student):
    """Reproducibility: the same seed gives the same result (all randomness drawn from rng)."""
    first = checks.numbers(student.simulate_monty_hall(3000, 99), what="simulate_monty_hall(3000, 99)")
    second = checks.numbers(student.simulate_monty_hall(3000, 99), what="simulate_monty_hall(3000, 99), second call")
    checks.true(first.shape == second.shape and np.array_equal(first, second),
                f"simulate_monty_hall(3000, 99) gave {first} and then {second}.",
                "start with rng = np.random.default_rng(rng) and draw every random number from rng")


@pytest.mark.points(1)
def test_simulation_stay_and_switch_complement(student):
    """Consistency: with three doors exactly one of stay and switch wins each game, so the rates add to 1."""
    got = checks.numbers(student.simulate_monty_hall(5000, 7), what="simulate_monty_hall(5000, 7)")
    checks.close(np.sum(got), 1.0, rtol=1e-12, what="p_stay + p_switch in simulate_monty_hall(5000, 7)",
                 hint="count both strategies in the same simulated games")

"""Hidden tests, assignment 01, parts 1-3: Bayes' rule, log space, Monty Hall."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bayes01_checks import answers, float_array, float_pair, float_scalar, generator, value_error  # noqa: E402


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
@pytest.mark.hint("The docstring promises a NumPy array of float64, also when the inputs are lists of ints.")
def test_posterior_lists_give_float_array(student):
    """Returns clause: plain lists (of ints, too) in, an np.ndarray of float64 and shape (k,) out. The check cell
    asserts isinstance(p, np.ndarray); typical mistake: returning a list, or an int array from int inputs."""
    p = student.posterior([0, 1, 0], [1, 1, 1])
    array = float_array(p, (3,), what="posterior([0, 1, 0], [1, 1, 1])")
    checks.close(array, [0.0, 1.0, 0.0], what="posterior([0, 1, 0], [1, 1, 1])")


@pytest.mark.points(1)
def test_posterior_zero_prior_stays_zero(student):
    """Edge case: a hypothesis with prior 0 has posterior 0, whatever its likelihood; equal likelihoods leave the
    prior unchanged (the check cell's example)."""
    p = student.posterior([0.0, 0.25, 0.75], [1.0, 0.2, 0.1])
    checks.close(p, reference_posterior([0.0, 0.25, 0.75], [1.0, 0.2, 0.1]), rtol=1e-9,
                 what="posterior([0, 0.25, 0.75], [1, 0.2, 0.1])")
    checks.close(student.posterior([0.2, 0.0, 0.8], [0.5, 0.9, 0.5]), [0.2, 0.0, 0.8], rtol=1e-9,
                 what="posterior([0.2, 0, 0.8], [0.5, 0.9, 0.5])")


@pytest.mark.points(1)
@pytest.mark.hint("Ten priors of 0.1 add up to 0.9999999999999999 in floating point. Compare the sum with 1 up to "
                  "the tolerance the docstring gives, never with ==.")
def test_posterior_accepts_prior_up_to_rounding(student):
    """Clause "sum to 1 (up to 1e-8)": a prior off by rounding is valid. Typical mistake: prior.sum() != 1, which
    rejects np.full(10, 0.1); or a tolerance tighter than 1e-8."""
    prior = np.full(10, 0.1)
    likelihood = np.linspace(0.1, 1.0, 10)
    checks.close(student.posterior(prior, likelihood), reference_posterior(prior, likelihood), rtol=1e-9,
                 what="posterior(np.full(10, 0.1), np.linspace(0.1, 1, 10)), a prior whose float sum is not exactly 1")
    prior = [0.3, 0.7 + 5e-9]
    checks.close(student.posterior(prior, [0.5, 0.5]), reference_posterior(prior, [0.5, 0.5]), rtol=1e-9,
                 what="posterior([0.3, 0.7 + 5e-9], [0.5, 0.5]), a prior that sums to 1 within 1e-8")


@pytest.mark.points(1)
def test_posterior_rejects_invalid_prior(student):
    """Input validation: a prior that does not sum to 1 (by 0.1, or by 1e-4, far beyond the 1e-8 of the docstring),
    or has a negative entry, is a ValueError."""
    answers(student.posterior([0.5, 0.5], [0.3, 0.6]), [1 / 3, 2 / 3], what="posterior([0.5, 0.5], [0.3, 0.6])")
    value_error(student.posterior, [0.5, 0.6], [0.3, 0.6], what="posterior([0.5, 0.6], [0.3, 0.6]) (prior sums to 1.1)",
                hint="check that the prior sums to 1 (np.isclose)")
    value_error(student.posterior, [0.5, 0.5001], [0.3, 0.6],
                what="posterior([0.5, 0.5001], [0.3, 0.6]) (prior sums to 1.0001)",
                hint="the docstring allows the sum to differ from 1 by 1e-8 at most")
    value_error(student.posterior, [1.2, -0.2], [0.3, 0.6], what="posterior([1.2, -0.2], [0.3, 0.6]) (negative prior)",
                hint="probabilities cannot be negative")


@pytest.mark.points(1)
def test_posterior_rejects_mismatched_lengths(student):
    """Input validation: prior and likelihood of different lengths, or not 1-D (shape (2, 1), both the same)."""
    answers(student.posterior([0.5, 0.5], [0.3, 0.6]), [1 / 3, 2 / 3], what="posterior([0.5, 0.5], [0.3, 0.6])")
    value_error(student.posterior, [0.5, 0.5], [0.3, 0.6, 0.1],
                what="posterior with a prior of length 2 and a likelihood of length 3")
    value_error(student.posterior, [[0.5], [0.5]], [[0.3], [0.6]],
                what="posterior with a prior and a likelihood of shape (2, 1) (not 1-D)",
                hint="the docstring asks for 1-D arrays: check prior.ndim")


@pytest.mark.points(1)
@pytest.mark.hint("What should happen when every hypothesis gives the data probability 0? Read the Raises section of "
                  "the docstring, and check before you divide.")
def test_posterior_rejects_zero_evidence(student):
    """Edge case: data impossible under every hypothesis (evidence 0) would give 0/0 = nan."""
    answers(student.posterior([0.5, 0.5], [0.0, 0.6]), [0.0, 1.0], what="posterior([0.5, 0.5], [0, 0.6])")
    value_error(student.posterior, [0.5, 0.5], [0.0, 0.0], what="posterior([0.5, 0.5], [0, 0]) (evidence 0)",
                hint="check the evidence before dividing by it")


@pytest.mark.points(1)
def test_posterior_rejects_negative_likelihood(student):
    """Input validation: a likelihood is a probability and cannot be negative."""
    answers(student.posterior([0.5, 0.5], [0.3, 0.6]), [1 / 3, 2 / 3], what="posterior([0.5, 0.5], [0.3, 0.6])")
    value_error(student.posterior, [0.5, 0.5], [0.5, -0.1], what="posterior([0.5, 0.5], [0.5, -0.1])")


# ---------------------------------------------------------------- medical_test
@pytest.mark.points(1)
@pytest.mark.hint("Every argument is a probability in [0, 1], the ends included; and the docstring promises a float.")
def test_medical_test_other_numbers(student):
    """Other cases: prevalence 0.2, sensitivity 0.9, false-positive rate 0.3 -> 3/7; the docstring's example; the
    ends of [0, 1] are valid (typical mistake: 0 < p < 1 rejects them); the result is a float."""
    got = float_scalar(student.medical_test(0.2, 0.9, 0.3), what="medical_test(0.2, 0.9, 0.3)")
    checks.close(got, 0.18 / 0.42, rtol=1e-9, what="medical_test(0.2, 0.9, 0.3)")
    checks.close(student.medical_test(0.5, 0.9, 0.1), 0.9, rtol=1e-9, what="medical_test(0.5, 0.9, 0.1)")
    checks.close(student.medical_test(0.0, 0.9, 0.1), 0.0, what="medical_test(0.0, 0.9, 0.1) (nobody is ill)")
    checks.close(student.medical_test(1.0, 0.9, 0.1), 1.0, what="medical_test(1.0, 0.9, 0.1) (everybody is ill)")
    checks.close(student.medical_test(0.3, 1.0, 0.0), 1.0, what="medical_test(0.3, 1.0, 0.0) (a perfect test)")


@pytest.mark.points(1)
@pytest.mark.hint("Read the Raises section: each of the three arguments is checked, and a test that can never be "
                  "positive has evidence 0.")
def test_medical_test_rejects_non_probability(student):
    """Input validation: a prevalence, sensitivity or rate outside [0, 1]; a positive test that is impossible
    (sensitivity and false-positive rate both 0: evidence 0, which posterior reports)."""
    answers(student.medical_test(0.5, 0.9, 0.1), 0.9, what="medical_test(0.5, 0.9, 0.1)")
    value_error(student.medical_test, 1.5, 0.95, 0.05, what="medical_test(1.5, 0.95, 0.05)")
    value_error(student.medical_test, 0.01, 1.2, 0.05, what="medical_test(0.01, 1.2, 0.05)")
    value_error(student.medical_test, 0.01, 0.95, -0.05, what="medical_test(0.01, 0.95, -0.05)")
    value_error(student.medical_test, 0.3, 0.0, 0.0, what="medical_test(0.3, 0.0, 0.0) (a positive test is impossible)",
                hint="your posterior already raises a ValueError when the evidence is 0: call it")


# ---------------------------------------------------------------- log_sum_exp
@pytest.mark.points(1)
def test_log_sum_exp_very_negative(student):
    """Numerical stability: exp(-1000) underflows to 0, so the naive formula gives log(0) = -inf."""
    got = student.log_sum_exp(np.array([-1000.0, -1000.0, -1001.0]))
    checks.finite(got, what="log_sum_exp([-1000, -1000, -1001])")
    checks.close(got, -1000 + np.log(2 + np.exp(-1)), rtol=1e-12, what="log_sum_exp([-1000, -1000, -1001])",
                 hint="subtract the maximum before exponentiating, and add it back afterwards")


@pytest.mark.points(1)
@pytest.mark.hint("The docstring says: any shape, all entries. Try a 2-D array: you should get one number back.")
def test_log_sum_exp_matches_direct_formula(student):
    """Random moderate values, where the direct formula is exact enough: the trick must not change the value.
    Clause "any shape": a (5, 10) array sums over all entries into one float (typical mistake: np.max(a, axis=0),
    which returns an array)."""
    a = np.random.default_rng(7).normal(scale=3.0, size=(5, 10))
    got = float_scalar(student.log_sum_exp(a), what="log_sum_exp of a (5, 10) array of random numbers")
    checks.close(got, np.log(np.sum(np.exp(a))), rtol=1e-12, what="log_sum_exp of a (5, 10) array of random numbers")


@pytest.mark.points(1)
@pytest.mark.hint("Two special cases are in the docstring: every entry -inf, and no entry at all.")
def test_log_sum_exp_with_minus_infinity(student):
    """Edge case: -inf entries are zero probabilities; all -inf gives -inf, never nan; so does an empty array (the log
    of an empty sum; typical mistake: np.max of an empty array raises)."""
    checks.close(student.log_sum_exp([-np.inf, 0.0, -np.inf]), 0.0, what="log_sum_exp([-inf, 0, -inf])")
    got = student.log_sum_exp([-np.inf, -np.inf])
    checks.close(got, -np.inf, what="log_sum_exp([-inf, -inf])",
                 hint="when the maximum is -inf, a - max is -inf - (-inf) = nan; return -inf directly")
    checks.close(student.log_sum_exp(np.empty(0)), -np.inf, what="log_sum_exp of an empty array",
                 hint="an empty sum is 0, and its log is -inf; np.max of an empty array raises, so test a.size first")


# ---------------------------------------------------------------- sequential_posterior
@pytest.mark.points(2)
def test_sequential_matches_repeated_bayes(student):
    """Sequential updating over a few observations equals Bayes' rule applied repeatedly; the docstring's example
    (two black balls)."""
    rng = np.random.default_rng(5)
    prior = rng.dirichlet(np.ones(4))
    likelihoods = rng.uniform(0.05, 1.0, size=(6, 4))
    expected = prior
    for row in likelihoods:
        expected = reference_posterior(expected, row)
    checks.close(student.sequential_posterior(prior, likelihoods), expected, rtol=1e-8,
                 what="sequential_posterior with 6 observations and 4 hypotheses")
    checks.close(student.sequential_posterior([0.5, 0.5], [[0.3, 0.6], [0.3, 0.6]]), [0.2, 0.8], rtol=1e-9,
                 what="sequential_posterior([0.5, 0.5], [[0.3, 0.6], [0.3, 0.6]])")


@pytest.mark.points(2)
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
@pytest.mark.hint("The docstring promises a NumPy array of float64, also when the inputs are lists.")
def test_sequential_no_observations(student):
    """Edge case: n = 0 observations (shape (0, k)) leaves the prior unchanged. Returns clause: with the prior given
    as a list, an np.ndarray of float64 of shape (k,) (typical mistake: a list)."""
    got = float_array(student.sequential_posterior([0.2, 0.3, 0.5], np.empty((0, 3))), (3,),
                      what="sequential_posterior([0.2, 0.3, 0.5], likelihoods of shape (0, 3))")
    checks.close(got, [0.2, 0.3, 0.5], what="sequential_posterior([0.2, 0.3, 0.5], likelihoods of shape (0, 3))")


@pytest.mark.points(1)
@pytest.mark.hint("The docstring says exactly 0. Adding a small number before the log (log(p + 1e-300)) or clipping "
                  "gives a tiny positive probability instead.")
def test_sequential_ruled_out_hypothesis(student):
    """Clause "a zero prior or a zero likelihood gives exactly 0 for that hypothesis": a zero likelihood rules a
    hypothesis out (log 0 = -inf) without nan elsewhere, and so does a zero prior, after one observation too.
    Typical mistake: log(p + eps) or np.clip(p, 1e-300, 1), which leaves a small positive probability."""
    likelihoods = np.array([[0.5, 0.0, 0.2], [0.5, 0.9, 0.4]] * 50)
    log_post = np.log([1 / 3, 1 / 3]) + np.log(likelihoods[:, [0, 2]]).sum(axis=0)
    rest = np.exp(log_post - log_post.max())
    rest /= rest.sum()
    got = student.sequential_posterior(np.full(3, 1 / 3), likelihoods)
    checks.finite(got, what="sequential_posterior with a hypothesis ruled out by a zero likelihood")
    checks.close(got, [rest[0], 0.0, rest[1]], rtol=1e-8, atol=0.0,
                 what="sequential_posterior with a hypothesis ruled out by a zero likelihood")
    got = student.sequential_posterior([0.0, 0.5, 0.5], [[0.9, 0.0, 1e-300]])
    checks.close(got, [0.0, 0.0, 1.0], rtol=1e-12, atol=0.0,
                 what="sequential_posterior([0, 0.5, 0.5], [[0.9, 0, 1e-300]]) (a zero prior and a zero likelihood)")


@pytest.mark.points(1)
def test_sequential_rejects_bad_shapes(student):
    """Input validation: likelihood columns must match the number of hypotheses, and likelihoods must be 2-D (a
    1-D row is not a matrix of observations); the prior must be 1-D (a column of shape (2, 1) sums to 1 and has 2
    rows to match 2 columns, but it is not a probability vector: typical mistake, only prior.shape[0] is checked,
    and broadcasting then returns a (2, 2) array)."""
    answers(student.sequential_posterior([0.5, 0.5], [[0.3, 0.6], [0.3, 0.6]]), [0.2, 0.8],
            what="sequential_posterior([0.5, 0.5], [[0.3, 0.6], [0.3, 0.6]])")
    value_error(student.sequential_posterior, [0.5, 0.5], np.full((4, 3), 0.5),
                what="sequential_posterior with 2 hypotheses and likelihoods of shape (4, 3)")
    value_error(student.sequential_posterior, [0.5, 0.5], [0.3, 0.6],
                what="sequential_posterior with likelihoods of shape (2,) (not 2-D)",
                hint="the docstring asks for a 2-D array of shape (n, k): check likelihoods.ndim")
    value_error(student.sequential_posterior, [[0.5], [0.5]], [[0.3, 0.6]],
                what="sequential_posterior with a prior of shape (2, 1) (not 1-D)",
                hint="the prior is a vector: check prior.ndim")


@pytest.mark.points(1)
def test_sequential_rejects_invalid_probabilities(student):
    """Input validation: a prior that does not sum to 1, a negative prior entry, or a negative likelihood."""
    answers(student.sequential_posterior([0.5, 0.5], [[0.3, 0.6], [0.3, 0.6]]), [0.2, 0.8],
            what="sequential_posterior([0.5, 0.5], [[0.3, 0.6], [0.3, 0.6]])")
    value_error(student.sequential_posterior, [0.5, 0.4], np.full((2, 2), 0.5),
                what="sequential_posterior with a prior summing to 0.9")
    value_error(student.sequential_posterior, [1.2, -0.2], np.full((2, 2), 0.5),
                what="sequential_posterior with the prior [1.2, -0.2] (a negative entry)")
    value_error(student.sequential_posterior, [0.5, 0.5], [[0.5, -0.5]],
                what="sequential_posterior with a negative likelihood")


@pytest.mark.points(1)
@pytest.mark.hint("What is left when every hypothesis is ruled out? Read the last line of the Raises section.")
def test_sequential_rejects_impossible_data(student):
    """Clause "ValueError if every hypothesis gets probability 0": each hypothesis ruled out by some observation.
    Typical mistake: exp(-inf - (-inf)) = nan, returned instead of raising."""
    answers(student.sequential_posterior([0.5, 0.5], [[0.0, 0.6]]), [0.0, 1.0],
            what="sequential_posterior([0.5, 0.5], [[0, 0.6]])")
    value_error(student.sequential_posterior, [0.5, 0.5], [[0.0, 0.6], [0.4, 0.0]],
                what="sequential_posterior([0.5, 0.5], [[0, 0.6], [0.4, 0]]) (every hypothesis ruled out)",
                hint="check the largest log-probability before you normalise")
    value_error(student.sequential_posterior, [1.0, 0.0], [[0.0, 0.6]],
                what="sequential_posterior([1, 0], [[0, 0.6]]) (every hypothesis ruled out)")


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
    """Textbook case with other door numbers (chose 2, host opened 0 or 1, as in the check cell); 10 doors, where
    your own door keeps its prior 1/10. Returns clause: an np.ndarray of float64 of shape (n_doors,)."""
    got = float_array(student.monty_hall_posterior(3, 2, 0), (3,), what="monty_hall_posterior(3, chosen=2, opened=0)")
    checks.close(got, [0.0, 2 / 3, 1 / 3], rtol=1e-9, what="monty_hall_posterior(3, chosen=2, opened=0)")
    checks.close(student.monty_hall_posterior(3, 2, 1), [2 / 3, 0.0, 1 / 3], rtol=1e-9,
                 what="monty_hall_posterior(3, chosen=2, opened=1)")
    expected = np.full(10, 0.9 / 8)          # the 8 other closed doors share 9/10
    expected[0], expected[5] = 0.1, 0.0
    checks.close(student.monty_hall_posterior(10, 0, 5), expected, rtol=1e-9,
                 what="monty_hall_posterior(10, chosen=0, opened=5)")


@pytest.mark.points(1)
@pytest.mark.hint("Python accepts -1 as an index, but it is not a door number: check 0 <= door < n_doors.")
def test_monty_hall_rejects_invalid_doors(student):
    """Input validation: the host cannot open your door; doors must exist (0 .. n_doors - 1: neither 3 in a 3-door
    game nor -1, which Python would silently take as the last door); at least 3 doors."""
    answers(student.monty_hall_posterior(3, 0, 2), [1 / 3, 2 / 3, 0.0],
            what="monty_hall_posterior(3, chosen=0, opened=2)")
    value_error(student.monty_hall_posterior, 3, 1, 1, what="monty_hall_posterior(3, chosen=1, opened=1)")
    value_error(student.monty_hall_posterior, 3, 0, 3, what="monty_hall_posterior(3, chosen=0, opened=3)")
    value_error(student.monty_hall_posterior, 3, -1, 1, what="monty_hall_posterior(3, chosen=-1, opened=1)")
    value_error(student.monty_hall_posterior, 3, 0, -1, what="monty_hall_posterior(3, chosen=0, opened=-1)")
    value_error(student.monty_hall_posterior, 2, 0, 1, what="monty_hall_posterior(2, chosen=0, opened=1)")


@pytest.mark.points(1)
@pytest.mark.hint("Return the two fractions as a tuple of floats, both counted over the same simulated games.")
def test_simulation_agrees_with_bayes(student):
    """Monte Carlo: 20,000 games; stay near 1/3 and switch near 2/3 (tolerance 0.02, about 6 standard errors).
    Returns clause: a tuple (p_stay, p_switch) of two floats."""
    p_stay, p_switch = float_pair(student.simulate_monty_hall(20_000, 12345), what="simulate_monty_hall(20000, 12345)")
    checks.true(abs(p_stay - 1 / 3) < 0.02 and abs(p_switch - 2 / 3) < 0.02,
                f"simulate_monty_hall(20000, seed): got p_stay = {p_stay:.4f}, p_switch = {p_switch:.4f}, "
                "which is too far from the theory.",
                "the host opens a goat door that the player did not pick; the switcher takes the remaining door")


@pytest.mark.points(1)
@pytest.mark.hint("Start with rng = np.random.default_rng(rng): it turns a seed into a Generator and returns a "
                  "Generator as it is. Then draw every random number from that one rng.")
def test_simulation_is_reproducible(student):
    """Clause "rng: np.random.Generator, or an int seed; the only source of randomness": the same int seed gives the
    same result; so do two Generators made with the same seed (the check cell passes Generators; typical mistake:
    np.random.seed(rng), which fails on a Generator); and the games are drawn from the Generator passed in, which
    therefore moves on (typical mistake: a generator of one's own, seeded with a constant)."""
    first = checks.shape(student.simulate_monty_hall(3000, 99), (2,), what="simulate_monty_hall(3000, 99)")
    second = checks.shape(student.simulate_monty_hall(3000, 99), (2,),
                          what="simulate_monty_hall(3000, 99), second call")
    checks.true(np.array_equal(first, second), f"simulate_monty_hall(3000, 99) gave {first} and then {second}.",
                "start with rng = np.random.default_rng(rng) and draw every random number from rng")
    given = generator(student, 42)
    first = checks.shape(student.simulate_monty_hall(3000, given), (2,),
                         what="simulate_monty_hall(3000, np.random.default_rng(42))")
    second = checks.shape(student.simulate_monty_hall(3000, generator(student, 42)), (2,),
                          what="simulate_monty_hall(3000, np.random.default_rng(42)), second call")
    checks.true(np.array_equal(first, second),
                f"two calls with np.random.default_rng(42) gave {first} and then {second}.",
                "draw every random number from the generator passed in")
    checks.true(given.random() != np.random.default_rng(42).random(),
                "simulate_monty_hall(3000, rng) did not draw any number from the Generator rng it was given.",
                "rng is the only source of randomness: do not make a generator of your own")


@pytest.mark.points(1)
def test_simulation_stay_and_switch_complement(student):
    """Consistency: with three doors exactly one of stay and switch wins each game, so the rates add to 1. Returns
    clause "the fraction of games won": over n_games games, n_games * p_stay is a whole number, for small n_games
    and several seeds (typical mistake: more or fewer games simulated than asked for)."""
    got = checks.numbers(student.simulate_monty_hall(5000, 7), what="simulate_monty_hall(5000, 7)")
    checks.close(np.sum(got), 1.0, rtol=1e-12, what="p_stay + p_switch in simulate_monty_hall(5000, 7)",
                 hint="count both strategies in the same simulated games")
    for n_games in (2, 3, 5):
        for seed in range(4):
            got = checks.shape(student.simulate_monty_hall(n_games, seed), (2,),
                               what=f"simulate_monty_hall({n_games}, {seed})")
            wins = got * n_games
            checks.true(np.allclose(wins, np.round(wins), rtol=0.0, atol=1e-9) and np.isclose(np.sum(got), 1.0),
                        f"simulate_monty_hall({n_games}, {seed}) returned {checks.summary(got)}, which are not "
                        f"fractions of {n_games} games that add up to 1.",
                        "simulate exactly n_games games and divide the number of wins by n_games")


@pytest.mark.points(1)
def test_simulation_rejects_invalid(student):
    """Input validation: n_games must be a positive integer (0, -5 and 2.5 are not). The boundary both ways: one game
    is valid, and exactly one of the two players wins it (typical mistake: n_games <= 1 rejected)."""
    got = checks.shape(student.simulate_monty_hall(10, 3), (2,), what="simulate_monty_hall(10, 3)")
    answers(np.sum(got), 1.0, what="p_stay + p_switch in simulate_monty_hall(10, 3)")
    got = checks.shape(student.simulate_monty_hall(1, 3), (2,), what="simulate_monty_hall(1, 3) (a single game)")
    checks.true(sorted(got.tolist()) == [0.0, 1.0],
                f"simulate_monty_hall(1, 3) plays a single game, which one player wins and the other loses, so the "
                f"fractions are 0 and 1; got {checks.summary(got)}.",
                "n_games = 1 is a positive integer: only 0 and below are an error")
    value_error(student.simulate_monty_hall, 0, 1, what="simulate_monty_hall(0, 1)",
                example="raise ValueError(f'n_games must be a positive integer, got {n_games}')")
    value_error(student.simulate_monty_hall, -5, 1, what="simulate_monty_hall(-5, 1)",
                example="raise ValueError(f'n_games must be a positive integer, got {n_games}')")
    value_error(student.simulate_monty_hall, 2.5, 1, what="simulate_monty_hall(2.5, 1)",
                example="raise ValueError(f'n_games must be a positive integer, got {n_games}')")

"""Hidden tests, assignment 01, parts 4-7: binomial, Beta prior, prediction, intervals, the poll."""
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from autograder import checks, references

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bayes01_checks import answers, float_array, float_pair, float_scalar  # noqa: E402
from bayes01_checks import value_error_counts as value_error  # noqa: E402


def stats(function: str, *args):
    """``scipy.stats.<function>(*args)``, the expected value of a test: the same for every student, so stored once
    per version of this file and of SciPy (autograder/references.py); importing scipy.stats costs a grader
    process about a second."""
    def compute():
        from scipy import stats as module
        distribution, method = function.split(".")
        return getattr(getattr(module, distribution), method)(*args)
    return references.cached(f"01-{function}-{references.digest(args)}", compute, [Path(__file__)], ("scipy", "numpy"))


# ---------------------------------------------------------------- binomial_pmf
@pytest.mark.points(1)
def test_binomial_vectorised_sums_to_one(student):
    """Shapes and dtypes: an array of k gives an array of probabilities, which sum to 1 over k = 0..n."""
    k = np.arange(1001)
    got = student.binomial_pmf(k, 1000, 0.5)
    array = checks.shape(got, (1001,), what="binomial_pmf(np.arange(1001), 1000, 0.5)")
    checks.close(array, stats("binom.pmf", k, 1000, 0.5), rtol=1e-9, atol=1e-300,
                 what="binomial_pmf(np.arange(1001), 1000, 0.5)")
    checks.close(np.sum(array), 1.0, rtol=1e-9, what="the sum of binomial_pmf(k, 1000, 0.5) over k = 0..1000")


@pytest.mark.points(1)
@pytest.mark.hint("The docstring promises a float for a single k, and an array with k's own shape for an array of k "
                  "(2-D included).")
def test_binomial_keeps_the_shape_of_k(student):
    """Returns clause "float (if k is a scalar) or np.ndarray of float64 with the shape of k": k as a 2-D list of
    ints gives a (2, 3) array (typical mistake: flattening, or np.atleast_1d); a scalar k gives a float (typical
    mistake: an array of shape (1,))."""
    k = [[0, 1, 2], [3, 4, 5]]
    got = float_array(student.binomial_pmf(k, 5, 0.4), (2, 3), what="binomial_pmf([[0, 1, 2], [3, 4, 5]], 5, 0.4)")
    checks.close(got, stats("binom.pmf", k, 5, 0.4), rtol=1e-9, what="binomial_pmf([[0, 1, 2], [3, 4, 5]], 5, 0.4)")
    got = float_scalar(student.binomial_pmf(2, 5, 0.4), what="binomial_pmf(2, 5, 0.4)")
    checks.close(got, stats("binom.pmf", 2, 5, 0.4), rtol=1e-9, what="binomial_pmf(2, 5, 0.4)")


@pytest.mark.points(2)
def test_binomial_large_n(student):
    """Numerical stability: n = 100,000. C(n, k) overflows a float and 0.5**n underflows; log-gamma does not."""
    got = student.binomial_pmf(50_000, 100_000, 0.5)
    checks.finite(got, what="binomial_pmf(50000, 100000, 0.5)", hint="compute log C(n, k) with special.gammaln")
    checks.close(got, 0.002523126213741933, rtol=1e-7, what="binomial_pmf(50000, 100000, 0.5)",
                 hint="compute the logarithm of the probability first, then exponentiate once")


@pytest.mark.points(1)
def test_binomial_unfair_coin(student):
    """A biased coin, against scipy.stats: 30 heads in 100 with p = 0.25."""
    checks.close(student.binomial_pmf(30, 100, 0.25), stats("binom.pmf", 30, 100, 0.25), rtol=1e-9,
                 what="binomial_pmf(30, 100, 0.25)")


@pytest.mark.points(1)
def test_binomial_certain_outcomes(student):
    """Edge case: p = 0 or p = 1 (0 * log 0 must count as 0, not nan); n = 0 trials (zero successes are certain)."""
    checks.close(student.binomial_pmf(0, 10, 0.0), 1.0, what="binomial_pmf(0, 10, 0.0)",
                 hint="0 * log(0) is nan in NumPy; special.xlogy(0, 0) is 0")
    checks.close(student.binomial_pmf(10, 10, 1.0), 1.0, what="binomial_pmf(10, 10, 1.0)",
                 hint="special.xlog1py(0, -1.0) is 0")
    checks.close(student.binomial_pmf(3, 10, 0.0), 0.0, what="binomial_pmf(3, 10, 0.0)")
    checks.close(student.binomial_pmf(0, 0, 0.3), 1.0, what="binomial_pmf(0, 0, 0.3)")


@pytest.mark.points(1)
@pytest.mark.hint("Read the Raises section: n, every k (in an array too: all of them) and p each have a condition.")
def test_binomial_rejects_invalid(student):
    """Input validation: k > n (also one entry of an array), negative k, k not a whole number, n < 0, n not a whole
    number (5.5 trials, although every k lies in 0..n; typical mistake: only k is checked), p outside [0, 1] on
    either side."""
    answers(student.binomial_pmf(1, 2, 0.5), 0.5, what="binomial_pmf(1, 2, 0.5)")
    value_error(student.binomial_pmf, 11, 10, 0.5, what="binomial_pmf(11, 10, 0.5)")
    value_error(student.binomial_pmf, [0, 5, 11], 10, 0.5, what="binomial_pmf([0, 5, 11], 10, 0.5)")
    value_error(student.binomial_pmf, -1, 10, 0.5, what="binomial_pmf(-1, 10, 0.5)")
    value_error(student.binomial_pmf, 2.5, 10, 0.5, what="binomial_pmf(2.5, 10, 0.5) (k not a whole number)")
    value_error(student.binomial_pmf, 0, -1, 0.5, what="binomial_pmf(0, -1, 0.5) (n < 0)")
    value_error(student.binomial_pmf, 2, 5.5, 0.5, what="binomial_pmf(2, 5.5, 0.5) (n not a whole number)",
                hint="n is a number of trials: check that it is a whole number too, not only k")
    value_error(student.binomial_pmf, 3, 10, 1.5, what="binomial_pmf(3, 10, 1.5)")
    value_error(student.binomial_pmf, 3, 10, -0.1, what="binomial_pmf(3, 10, -0.1)")


# ---------------------------------------------------------------- Beta prior
@pytest.mark.points(1)
def test_beta_update_counts(student):
    """Typical mistake: heads and tails swapped (NKA's misprint Beta(6, 7)). Beta(2, 3) + 10 heads, 4 tails =
    Beta(12, 7); a prior below 1 (Beta(0.5, 0.5), valid since alpha, beta > 0) and no data at all stay as they are."""
    checks.close(student.beta_update(2, 3, 10, 4), [12.0, 7.0], what="beta_update(2, 3, heads=10, tails=4)",
                 hint="heads add to alpha, tails add to beta")
    checks.close(student.beta_update(0.5, 0.5, 0, 0), [0.5, 0.5], what="beta_update(0.5, 0.5, heads=0, tails=0)")


@pytest.mark.points(1)
@pytest.mark.hint("Look at the docstring's example: the answer is a tuple of two floats, also for whole-number inputs.")
def test_beta_update_returns_tuple_of_floats(student):
    """Returns clause "tuple (alpha_post, beta_post) of two floats" (the check cell compares with a tuple): typical
    mistakes: a list or an array, or ints from int inputs. Only the type: the values are the other tests' job."""
    float_pair(student.beta_update(6, 6, 1, 0), what="beta_update(6, 6, heads=1, tails=0)")


@pytest.mark.points(1)
def test_beta_update_rejects_invalid(student):
    """Input validation: negative counts, non-positive prior parameters (alpha or beta; 0 itself for each, since the
    docstring asks for alpha, beta > 0: typical mistake, beta >= 0)."""
    answers(student.beta_update(1, 1, 3, 7), [4.0, 8.0], what="beta_update(1, 1, heads=3, tails=7)")
    value_error(student.beta_update, 1, 1, -2, 3, what="beta_update(1, 1, heads=-2, tails=3)")
    value_error(student.beta_update, 1, 1, 2, -3, what="beta_update(1, 1, heads=2, tails=-3)")
    value_error(student.beta_update, 0, 1, 2, 3, what="beta_update(0, 1, heads=2, tails=3)")
    value_error(student.beta_update, 1, -1, 2, 3, what="beta_update(1, -1, heads=2, tails=3)")
    value_error(student.beta_update, 1, 0, 2, 3, what="beta_update(1, 0, heads=2, tails=3)")


@pytest.mark.points(1)
def test_ml_estimate_values(student):
    """Textbook: ML after one head is 1 (overconfident), a float; 3 heads and 7 tails give 0.3; no heads give 0; as many
    heads as tails give 1/2 (typical mistake: heads - tails == 0 taken for "no tosses")."""
    got = float_scalar(student.ml_estimate(1, 0), what="ml_estimate(1, 0)")
    checks.close(got, 1.0, what="ml_estimate(1, 0)")
    checks.close(student.ml_estimate(3, 7), 0.3, rtol=1e-12, what="ml_estimate(3, 7)")
    checks.close(student.ml_estimate(0, 5), 0.0, what="ml_estimate(0, 5)")
    checks.close(student.ml_estimate(2, 2), 0.5, rtol=1e-12, what="ml_estimate(2, 2)")


@pytest.mark.points(1)
def test_ml_estimate_rejects_no_data(student):
    """Edge case: with no tosses the likelihood is flat (0/0); negative counts (heads or tails) are invalid."""
    answers(student.ml_estimate(3, 7), 0.3, what="ml_estimate(3, 7)")
    value_error(student.ml_estimate, 0, 0, what="ml_estimate(0, 0)")
    value_error(student.ml_estimate, -1, 3, what="ml_estimate(-1, 3)")
    value_error(student.ml_estimate, 3, -1, what="ml_estimate(3, -1)")


@pytest.mark.points(2)
@pytest.mark.hint("MAP is the mode of the posterior, not its mean; with a uniform prior it should agree with your "
                  "ml_estimate.")
def test_map_uniform_prior_is_ml(student):
    """Textbook: uniform prior, one head, MAP = 1. Typical mistake: the mean a/(a+b) (= 2/3) instead of the mode."""
    checks.close(student.map_estimate(1, 0), 1.0, what="map_estimate(1, 0) (uniform prior)",
                 hint="the mode of Beta(a, b) is (a - 1) / (a + b - 2)")
    checks.close(student.map_estimate(3, 7, 1.0, 1.0), 0.3, rtol=1e-12, what="map_estimate(3, 7, 1, 1)")


@pytest.mark.points(1)
@pytest.mark.hint("First update the prior with the counts, then take the mode of that posterior.")
def test_map_with_beta_prior(student):
    """Prior Beta(6, 6) and one head (posterior Beta(7, 6)): mode 6/11, a float; prior Beta(2, 2), 3 heads, 1 tail:
    2/3."""
    got = float_scalar(student.map_estimate(1, 0, 6, 6), what="map_estimate(1, 0, alpha=6, beta=6)")
    checks.close(got, 6 / 11, rtol=1e-12, what="map_estimate(1, 0, alpha=6, beta=6)",
                 hint="the posterior is Beta(alpha + heads, beta + tails); take its mode")
    checks.close(student.map_estimate(3, 1, alpha=2, beta=2), 2 / 3, rtol=1e-12,
                 what="map_estimate(3, 1, alpha=2, beta=2)")


@pytest.mark.points(1)
@pytest.mark.hint("The docstring requires a >= 1 and b >= 1, with equality allowed: then the mode sits at 0 or 1.")
def test_map_mode_at_the_boundary(student):
    """Boundary convention "a >= 1, b >= 1 and a + b > 2": a = 1 or b = 1 is valid and puts the mode at 0 or 1
    (typical mistake: a > 1 and b > 1); a prior below 1 is fine once the counts lift a and b to 1 or more."""
    checks.close(student.map_estimate(0, 3), 0.0, what="map_estimate(0, 3) (posterior Beta(1, 4))")
    checks.close(student.map_estimate(2, 0, 1.0, 1.0), 1.0, what="map_estimate(2, 0) (posterior Beta(3, 1))")
    checks.close(student.map_estimate(2, 1, 0.5, 0.5), 0.75, rtol=1e-12,
                 what="map_estimate(2, 1, alpha=0.5, beta=0.5) (posterior Beta(2.5, 1.5))")


@pytest.mark.points(1)
@pytest.mark.hint("The mode of a Beta distribution is a single finite maximum only for some parameters; the Raises "
                  "section of the docstring says which, and it also asks you to check the prior and the counts.")
def test_map_rejects_undefined_mode(student):
    """Edge case: the uniform posterior Beta(1, 1) has no unique mode; Beta(0.5, 3) and Beta(3, 0.5) have none that is
    finite. Input validation: a non-positive alpha or beta (0 included, even when the counts would lift the posterior
    above 1: typical mistake, beta >= 0), a negative count."""
    answers(student.map_estimate(1, 0, 6, 6), 6 / 11, what="map_estimate(1, 0, alpha=6, beta=6)")
    value_error(student.map_estimate, 0, 0, what="map_estimate(0, 0) (posterior Beta(1, 1))")
    value_error(student.map_estimate, 0, 2, 0.5, 1.0,
                what="map_estimate(0, 2, alpha=0.5, beta=1) (posterior Beta(0.5, 3))")
    value_error(student.map_estimate, 2, 0, 1.0, 0.5,
                what="map_estimate(2, 0, alpha=1, beta=0.5) (posterior Beta(3, 0.5))")
    value_error(student.map_estimate, 5, 5, 0.0, 1.0, what="map_estimate(5, 5, alpha=0, beta=1)")
    value_error(student.map_estimate, 5, 5, 1.0, -2.0, what="map_estimate(5, 5, alpha=1, beta=-2)")
    value_error(student.map_estimate, 5, 5, 1.0, 0.0, what="map_estimate(5, 5, alpha=1, beta=0)")
    value_error(student.map_estimate, -1, 5, 3.0, 1.0, what="map_estimate(-1, 5, alpha=3, beta=1) (a negative count)")
    value_error(student.map_estimate, 5, -1, 1.0, 3.0, what="map_estimate(5, -1, alpha=1, beta=3) (a negative count)")


@pytest.mark.points(2)
def test_posterior_mean_values(student):
    """Textbook: uniform prior and one head give 2/3 (a float); prior Beta(2, 2) with 3 heads and 1 tail gives 5/8."""
    got = float_scalar(student.posterior_mean(1, 0), what="posterior_mean(1, 0)")
    checks.close(got, 2 / 3, rtol=1e-12, what="posterior_mean(1, 0)")
    checks.close(student.posterior_mean(3, 1, 2, 2), 5 / 8, rtol=1e-12, what="posterior_mean(3, 1, alpha=2, beta=2)",
                 hint="the mean of Beta(a, b) is a / (a + b)")


@pytest.mark.points(1)
def test_posterior_mean_rejects_invalid(student):
    """Input validation: negative counts (heads or tails) or a non-positive prior parameter (alpha or beta; beta = 0
    too: typical mistake, beta >= 0). The boundary both ways: heads = 0 is valid (Beta(1, 4), mean 1/5; typical
    mistake: heads <= 0 rejected), heads = -1 is not."""
    answers(student.posterior_mean(1, 0, 6, 6), 7 / 13, what="posterior_mean(1, 0, alpha=6, beta=6)")
    answers(student.posterior_mean(0, 3), 1 / 5, what="posterior_mean(0, 3) (no heads)")
    value_error(student.posterior_mean, -1, 0, what="posterior_mean(-1, 0)")
    value_error(student.posterior_mean, 1, -1, what="posterior_mean(1, -1)")
    value_error(student.posterior_mean, 1, 0, 0.0, 1.0, what="posterior_mean(1, 0, alpha=0, beta=1)")
    value_error(student.posterior_mean, 1, 0, 1.0, -2.0, what="posterior_mean(1, 0, alpha=1, beta=-2)")
    value_error(student.posterior_mean, 1, 0, 1.0, 0.0, what="posterior_mean(1, 0, alpha=1, beta=0)")


# ---------------------------------------------------------------- prediction
@pytest.mark.points(2)
@pytest.mark.hint("Try n = 0 tosses by hand: with no data at all, what should the probability of heads be?")
def test_laplace_rule_values(student):
    """Laplace's rule (h+1)/(n+2), a float. Typical mistake: h/n, which gives 1 after one head and 0/0 before any
    toss."""
    got = float_scalar(student.laplace_rule(0, 0), what="laplace_rule(0, 0)")
    checks.close(got, 0.5, what="laplace_rule(0, 0)", hint="before any toss the predictive probability is 1/2")
    checks.close(student.laplace_rule(3, 10), 4 / 12, rtol=1e-12, what="laplace_rule(3, 10)")
    checks.close(student.laplace_rule(5, 5), 6 / 7, rtol=1e-12, what="laplace_rule(5, 5)")


@pytest.mark.points(1)
def test_laplace_rule_rejects_invalid(student):
    """Input validation: more heads than tosses, negative counts (heads or n)."""
    answers(student.laplace_rule(1, 1), 2 / 3, what="laplace_rule(1, 1)")
    value_error(student.laplace_rule, 4, 3, what="laplace_rule(4, 3)")
    value_error(student.laplace_rule, -1, 3, what="laplace_rule(-1, 3)")
    value_error(student.laplace_rule, 0, -1, what="laplace_rule(0, -1)")


@pytest.mark.points(1)
@pytest.mark.hint("The answer has m + 1 entries, one for each possible number of heads 0..m; m = 0 is allowed.")
def test_predictive_next_toss(student):
    """Textbook: after one head (uniform prior) the next toss is heads with probability 2/3. Returns clause: an
    np.ndarray of float64 of shape (m + 1,); with m = 0 future tosses, zero heads are certain. Boundary "heads >= 0":
    no heads so far is valid, two tails give [3/4, 1/4] (typical mistake: heads <= 0 rejected)."""
    got = float_array(student.posterior_predictive(1, 0), (2,), what="posterior_predictive(1, 0)")
    checks.close(got, [1 / 3, 2 / 3], rtol=1e-9, what="posterior_predictive(1, 0)",
                 hint="entry 0 is P(0 heads), entry 1 is P(1 head) in the next toss")
    checks.close(student.posterior_predictive(4, 2, m=0), [1.0], rtol=1e-12, what="posterior_predictive(4, 2, m=0)")
    checks.close(student.posterior_predictive(0, 2), [3 / 4, 1 / 4], rtol=1e-9, what="posterior_predictive(0, 2)",
                 hint="a count of 0 is valid: only negative counts are an error")


@pytest.mark.points(2)
def test_predictive_many_tosses(student):
    """Beta-binomial against scipy.stats: 3 heads and 1 tail, prior Beta(2, 2), next 10 tosses."""
    got = student.posterior_predictive(3, 1, 10, 2.0, 2.0)
    checks.close(got, stats("betabinom.pmf", np.arange(11), 10, 5.0, 3.0), rtol=1e-8,
                 what="posterior_predictive(3, 1, m=10, alpha=2, beta=2)",
                 hint="C(m, j) B(a + j, b + m - j) / B(a, b) with a = alpha + heads, b = beta + tails")


@pytest.mark.points(1)
def test_predictive_large_counts(student):
    """Numerical stability: 6000 heads, 4000 tails, the next 1000 tosses (B(a, b) underflows; betaln does not)."""
    got = student.posterior_predictive(6000, 4000, 1000)
    checks.finite(got, what="posterior_predictive(6000, 4000, m=1000)", hint="use special.betaln and special.gammaln")
    checks.close(got, stats("betabinom.pmf", np.arange(1001), 1000, 6001.0, 4001.0), rtol=1e-6, atol=1e-300,
                 what="posterior_predictive(6000, 4000, m=1000)")


@pytest.mark.points(1)
@pytest.mark.hint("The Raises section lists five things to check: the two counts, m, alpha and beta.")
def test_predictive_rejects_invalid(student):
    """Input validation: a negative count (heads or tails), a negative m, a non-positive alpha or beta (0 itself for
    each: typical mistake, beta >= 0)."""
    answers(student.posterior_predictive(1, 0), [1 / 3, 2 / 3], what="posterior_predictive(1, 0)")
    value_error(student.posterior_predictive, -1, 2, what="posterior_predictive(-1, 2)")
    value_error(student.posterior_predictive, 2, -1, what="posterior_predictive(2, -1)")
    value_error(student.posterior_predictive, 2, 1, -1, what="posterior_predictive(2, 1, m=-1)")
    value_error(student.posterior_predictive, 2, 1, 3, 0.0, 1.0,
                what="posterior_predictive(2, 1, m=3, alpha=0, beta=1)")
    value_error(student.posterior_predictive, 2, 1, 3, 1.0, -1.0,
                what="posterior_predictive(2, 1, m=3, alpha=1, beta=-1)")
    value_error(student.posterior_predictive, 2, 1, 3, 1.0, 0.0,
                what="posterior_predictive(2, 1, m=3, alpha=1, beta=0)")


# ---------------------------------------------------------------- intervals and the poll
@pytest.mark.points(2)
@pytest.mark.hint("An equal-tailed interval leaves the same probability outside it on each side; check which "
                  "quantiles you ask for.")
def test_credible_interval_values(student):
    """Posterior Beta(7, 6) (the corrected NKA example), 95 %, against scipy.stats quantiles; the central 50 % of the
    uniform distribution (the check cell)."""
    checks.close(student.credible_interval(7, 6), stats("beta.ppf", [0.025, 0.975], 7, 6), rtol=1e-8,
                 what="credible_interval(7, 6)",
                 hint="the 2.5 % and 97.5 % quantiles: special.betaincinv(alpha, beta, q)")
    checks.close(student.credible_interval(1, 1, level=0.5), [0.25, 0.75], rtol=1e-9,
                 what="credible_interval(1, 1, level=0.5)")


@pytest.mark.points(1)
def test_credible_interval_other_level(student):
    """The level argument: the central 80 % interval of Beta(31, 71). Returns clause: a tuple (low, high) of two
    floats (typical mistake: a list or an array)."""
    got = float_pair(student.credible_interval(31, 71, level=0.8), what="credible_interval(31, 71, level=0.8)")
    checks.close(got, stats("beta.ppf", [0.1, 0.9], 31, 71), rtol=1e-8,
                 what="credible_interval(31, 71, level=0.8)", hint="the tails have (1 - level) / 2 each")


@pytest.mark.points(1)
def test_credible_interval_rejects_invalid(student):
    """Input validation: level outside the open interval (0, 1) (0 and 1 included), non-positive alpha or beta (0
    itself for each: typical mistake, alpha >= 0)."""
    answers(student.credible_interval(1, 1, level=0.5), [0.25, 0.75], what="credible_interval(1, 1, level=0.5)")
    value_error(student.credible_interval, 7, 6, 1.5, what="credible_interval(7, 6, level=1.5)")
    value_error(student.credible_interval, 7, 6, 0.0, what="credible_interval(7, 6, level=0)")
    value_error(student.credible_interval, 7, 6, 1.0, what="credible_interval(7, 6, level=1)")
    value_error(student.credible_interval, -7, 6, what="credible_interval(-7, 6)")
    value_error(student.credible_interval, 7, 0, what="credible_interval(7, 0)")
    value_error(student.credible_interval, 0, 6, what="credible_interval(0, 6)")


@pytest.mark.points(2)
def test_poll_values(student):
    """Sec3.3 poll: 530 and 520 'yes' out of 1000, uniform prior, P(share > 0.5); a tied poll gives 1/2."""
    checks.close(student.prob_share_above(530, 470), special.betaincc(531, 471, 0.5), rtol=1e-9,
                 what="prob_share_above(530, 470)", hint="1 minus the Beta CDF at 0.5: special.betainc")
    checks.close(student.prob_share_above(520, 480), special.betaincc(521, 481, 0.5), rtol=1e-9,
                 what="prob_share_above(520, 480)")
    checks.close(student.prob_share_above(500, 500), 0.5, rtol=1e-9, what="prob_share_above(500, 500)")


@pytest.mark.points(1)
@pytest.mark.hint("threshold may be any share in [0, 1], the ends included.")
def test_poll_other_threshold_and_prior(student):
    """The threshold and prior arguments: 40 of 100, prior Beta(2, 2), P(share > 0.45). Boundary convention "threshold
    in [0, 1]": 0 and 1 are valid (P = 1 and P = 0; typical mistake: 0 < threshold < 1). Returns clause: a float."""
    got = float_scalar(student.prob_share_above(40, 60, 0.45, 2.0, 2.0),
                       what="prob_share_above(40, 60, threshold=0.45, alpha=2, beta=2)")
    checks.close(got, special.betaincc(42, 62, 0.45), rtol=1e-9,
                 what="prob_share_above(40, 60, threshold=0.45, alpha=2, beta=2)")
    checks.close(student.prob_share_above(40, 60, 0.0), 1.0, rtol=1e-12, what="prob_share_above(40, 60, threshold=0)")
    checks.close(student.prob_share_above(40, 60, 1.0), 0.0, what="prob_share_above(40, 60, threshold=1)")


@pytest.mark.points(1)
def test_poll_tiny_tail(student):
    """Numerical stability: 4000 of 10000, P(share > 0.5) is about 7e-90; 1 - betainc(...) rounds it to 0."""
    checks.close(student.prob_share_above(4000, 6000), special.betaincc(4001, 6001, 0.5), rtol=1e-6, atol=0.0,
                 what="prob_share_above(4000, 6000)",
                 hint="use the symmetry 1 - I_x(a, b) = I_{1-x}(b, a) instead of subtracting from 1")


@pytest.mark.points(1)
@pytest.mark.hint("The Raises section lists three conditions: check both counts, both prior parameters and the "
                  "threshold on both sides.")
def test_poll_rejects_invalid(student):
    """Input validation: negative votes (for or against), a non-positive alpha or beta (beta = 0 too: typical mistake,
    beta >= 0), threshold outside [0, 1] on either side. The count boundary both ways: no votes for, or none against,
    is a valid poll (Beta(1, 11) and Beta(11, 1); typical mistake: a count of 0 rejected), -5 and -10 are not."""
    answers(student.prob_share_above(500, 500), 0.5, what="prob_share_above(500, 500)")
    answers(student.prob_share_above(0, 10), 0.5**11, what="prob_share_above(0, 10) (no votes for)")
    answers(student.prob_share_above(10, 0), 1 - 0.5**11, what="prob_share_above(10, 0) (no votes against)")
    value_error(student.prob_share_above, -5, 10, what="prob_share_above(-5, 10)")
    value_error(student.prob_share_above, 5, -10, what="prob_share_above(5, -10)")
    value_error(student.prob_share_above, 5, 10, 1.2, what="prob_share_above(5, 10, threshold=1.2)")
    value_error(student.prob_share_above, 5, 10, -0.1, what="prob_share_above(5, 10, threshold=-0.1)")
    value_error(student.prob_share_above, 5, 10, 0.5, 0.0, 1.0, what="prob_share_above(5, 10, 0.5, alpha=0, beta=1)")
    value_error(student.prob_share_above, 5, 10, 0.5, 1.0, -1.0, what="prob_share_above(5, 10, 0.5, alpha=1, beta=-1)")
    value_error(student.prob_share_above, 5, 10, 0.5, 1.0, 0.0, what="prob_share_above(5, 10, 0.5, alpha=1, beta=0)")

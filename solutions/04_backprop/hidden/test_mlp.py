"""Hidden tests, Part B: the MLP container, parameter counting and the collapse of linear networks.

The model lives in the student's worker; the grader reads `model.params` and `model.grads` (plain dicts of
arrays) and recomputes scores, loss and numerical gradients with its own reference forward pass.
"""
import numpy as np
import pytest

from autograder import checks
from autograder.checks import numerical_gradient as num_grad

ACT = {
    "relu": lambda v: np.maximum(v, 0.0),
    "sigmoid": lambda v: np.exp(-np.logaddexp(0.0, -v)),
    "tanh": np.tanh,
    "identity": lambda v: v,
}


def ref_scores(params, X, activation):
    n_layers = len(params) // 2
    h = X
    for l in range(1, n_layers + 1):
        h = h @ params[f"W{l}"] + params[f"b{l}"]
        if l < n_layers:
            h = ACT[activation](h)
    return h


def ref_loss(params, X, y, activation):
    z = ref_scores(params, X, activation)
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def param_names(sizes):
    return sorted(f"{kind}{l}" for l in range(1, len(sizes)) for kind in "Wb")


def read_params(model, sizes, label):
    """model.params as a dict of float arrays, after checking its keys and shapes."""
    params = model.params
    checks.true(isinstance(params, dict), f"{label}: model.params should be a dict, got {checks.summary(params)}.")
    checks.equal(sorted(params), param_names(sizes), what=f"{label}: the keys of model.params")
    out = {}
    for l in range(1, len(sizes)):
        out[f"W{l}"] = checks.shape(params[f"W{l}"], (sizes[l - 1], sizes[l]), what=f'{label}: params["W{l}"]')
        out[f"b{l}"] = checks.shape(params[f"b{l}"], (sizes[l],), what=f'{label}: params["b{l}"]')
    return out


def check_grads_after_loss(student, sizes, activation, X, y, seed, label, hint):
    model = student.MLP(sizes, activation, seed=seed)
    params = read_params(model, sizes, label)
    loss = model.loss(X, y)
    checks.close(loss, ref_loss(params, X, y, activation), rtol=1e-8, what=f"{label}: model.loss(X, y)")
    grads = model.grads
    checks.equal(sorted(grads), param_names(sizes), what=f"{label}: the keys of model.grads")
    for k in sorted(params):
        def f(v, k=k):
            return ref_loss({**params, k: v}, X, y, activation)
        checks.close(grads[k], num_grad(f, params[k]), rtol=1e-5, atol=1e-8,
                     what=f"{label}: grads[{k!r}]", hint=hint)
    return model, params


def parts_of(result, what):
    """collapse_linear's result as the pair (W, b), or a failure that says what came back instead."""
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"{what}: should return a pair (W, b), got {checks.summary(result)}.")
    return result


def data(seed, n, d, c):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, c, size=n)


@pytest.mark.points(1)
def test_count_params_other_sizes(student):
    """Textbook value: 784 -> 256 -> 128 -> 10 has 235,146 parameters; [3, 1] has 4. The docstring's "Returns: int"
    (a Python or a numpy integer, not a float)."""
    count = student.count_params([784, 256, 128, 10])
    checks.true(isinstance(count, (int, np.integer)) and not isinstance(count, bool),
                f"count_params([784, 256, 128, 10]) should return an int, got {checks.summary(count)}.",
                hint="a number of parameters is a whole number: keep to integer arithmetic")
    checks.equal(int(count), 235146, what="count_params([784, 256, 128, 10])")
    checks.equal(int(student.count_params([3, 1])), 4, what="count_params([3, 1])")


@pytest.mark.points(1)
@pytest.mark.hint("Print sorted(model.params) and every shape for a network with three layers: the names follow the "
                  "layer numbers and grads has the same keys.")
def test_mlp_parameter_names_and_shapes(student):
    """Parameter access by name: W1, b1, ..., W3, b3 with shapes (n_(l-1), n_l) and (n_l,), grads alike."""
    sizes = [7, 5, 4, 3]
    model = student.MLP(sizes, "tanh", seed=3)
    read_params(model, sizes, "MLP([7, 5, 4, 3])")
    X, y = data(30, 4, 7, 3)
    model.loss(X, y)
    grads = model.grads
    checks.equal(sorted(grads), param_names(sizes), what="the keys of model.grads")
    for l in range(1, 4):
        checks.shape(grads[f"W{l}"], (sizes[l - 1], sizes[l]), what=f'grads["W{l}"]')
        checks.shape(grads[f"b{l}"], (sizes[l],), what=f'grads["b{l}"]')


@pytest.mark.points(1)
def test_mlp_initialisation(student):
    """Textbook values: He normal (std 0.0505) for ReLU, Xavier uniform (bound 0.0824) otherwise; zero biases."""
    relu = read_params(student.MLP([784, 256, 10], "relu", seed=5), [784, 256, 10], "MLP([784, 256, 10], 'relu')")
    checks.close(relu["W1"].std(), np.sqrt(2.0 / 784.0), rtol=0.01, what="std of W1 in a ReLU network",
                 hint="ReLU networks start from he_normal")
    tanh = read_params(student.MLP([784, 100, 10], "tanh", seed=5), [784, 100, 10], "MLP([784, 100, 10], 'tanh')")
    r = np.sqrt(6.0 / 884.0)
    checks.true(0.99 * r < np.abs(tanh["W1"]).max() <= r,
                f"largest |W1| in a tanh network is {np.abs(tanh['W1']).max():.5f}; expected Xavier uniform "
                "weights, bounded by sqrt(6 / (n_in + n_out)) and coming close to the bound.")
    for name, params in (("relu", relu), ("tanh", tanh)):
        checks.close(np.concatenate([params["b1"], params["b2"]]), np.zeros(266 if name == "relu" else 110),
                     what=f"the initial biases of the {name} network", hint="biases start at 0")


@pytest.mark.points(1)
def test_mlp_forward_and_predict(student):
    """The forward pass chains affine and activation layers, also with a single layer (the docstring's L >= 1:
    sizes [6, 3], no activation at all); predict is the arg max of the scores, as an (N,) int array."""
    X, _ = data(31, 9, 6, 3)
    for sizes, activation in (([6, 5, 4, 3], "relu"), ([6, 5, 4, 3], "sigmoid"), ([6, 3], "tanh")):
        model = student.MLP(sizes, activation, seed=4)
        params = read_params(model, sizes, f"MLP({sizes}, {activation!r})")
        want = ref_scores(params, X, activation)
        checks.close(model.forward(X), want, what=f"MLP({sizes}, {activation!r}).forward(X)",
                     hint="affine -> activation after every layer except the last")
        predicted = model.predict(X)
        checks.true(isinstance(predicted, np.ndarray) and predicted.dtype.kind in "iu",
                    f"MLP({sizes}, {activation!r}).predict(X) should be an int array, got {checks.summary(predicted)}.",
                    hint="np.argmax returns integers: return its result as it is")
        checks.equal(np.asarray(predicted).astype(np.int64), want.argmax(axis=1),
                     what=f"MLP({sizes}, {activation!r}).predict(X)")


@pytest.mark.points(1)
@pytest.mark.hint("Replace model.params by another dict of the same shapes and call forward(): it must use the new "
                  "weights. Read self.params inside forward() instead of keeping your own copy of the weights.")
def test_mlp_forward_uses_current_params(student):
    """The docstring: forward() reads the current self.params, also after the dict was replaced (the notebook's
    accuracy() and the grader set model.params = trained parameters). Typical mistake: the weights copied into
    other attributes in __init__ and read from there."""
    sizes = [5, 4, 3]
    model = student.MLP(sizes, "tanh", seed=2)
    read_params(model, sizes, "MLP([5, 4, 3], 'tanh')")
    rng = np.random.default_rng(40)
    new = {f"{kind}{l}": rng.normal(size=(sizes[l - 1], sizes[l]) if kind == "W" else sizes[l])
           for l in (1, 2) for kind in "Wb"}
    model.params = new
    X, y = data(41, 6, 5, 3)
    checks.close(model.forward(X), ref_scores(new, X, "tanh"),
                 what="forward(X) after model.params was replaced by other weights",
                 hint="forward() must read self.params each time it runs")
    checks.close(model.loss(X, y), ref_loss(new, X, y, "tanh"), rtol=1e-8,
                 what="loss(X, y) after model.params was replaced by other weights")


@pytest.mark.points(1)
@pytest.mark.hint("Create one generator, rng = np.random.default_rng(seed), and pass that same rng to the initialiser "
                  "of every layer, first layer first.")
def test_mlp_initialisation_uses_one_generator(student):
    """The docstring's "Initialise with ONE generator rng = np.random.default_rng(seed), layer by layer: W =
    he_normal(..., rng) for "relu", xavier_uniform(..., rng) otherwise": the weights equal those of your own
    initialisers drawing from one generator in layer order, for every activation. Typical mistakes: a seed per
    layer (seed + l), the same seed for every layer, a generator per layer, He weights for an activation other
    than ReLU."""
    sizes = [6, 5, 4, 3]
    random_in_worker = student.np.value.random
    for activation, init in (("relu", "he_normal"), ("tanh", "xavier_uniform"), ("sigmoid", "xavier_uniform"),
                             ("identity", "xavier_uniform")):
        label = f"MLP({sizes}, {activation!r}, seed=21)"
        params = read_params(student.MLP(sizes, activation, seed=21), sizes, label)
        generator = random_in_worker.default_rng(21)
        for l in range(1, len(sizes)):
            want = getattr(student, init)(sizes[l - 1], sizes[l], generator)
            checks.close(params[f"W{l}"], want, rtol=1e-12, atol=0,
                         what=f'{label}: params["W{l}"] against {init} drawing layer {l} from one generator',
                         hint=f"draw every layer from the same rng = np.random.default_rng(seed), in order, with {init}")


@pytest.mark.points(2)
@pytest.mark.hint("Test each layer's backward alone with a numerical gradient first; then check that backward visits "
                  "the layers in reverse order with their own caches.")
def test_mlp_backward_relu_numerical(student):
    """The MLP's full backward pass against numerical gradients: ReLU, three layers, batch of 5."""
    X, y = data(32, 5, 6, 3)
    check_grads_after_loss(student, [6, 8, 5, 3], "relu", X, y, 7, "MLP([6, 8, 5, 3], 'relu')",
                           hint="walk the caches in reverse: affine_backward, then the activation's backward, ...")


@pytest.mark.points(2)
@pytest.mark.hint("Check a small tanh, sigmoid and identity network: is the backward of the right activation used in "
                  "every layer, and does 'identity' (a key of ACTIVATIONS) work like the others?")
def test_mlp_backward_other_activations_numerical(student):
    """The MLP's full backward pass against numerical gradients: tanh, sigmoid and identity networks (every key of
    ACTIVATIONS, as the notebook's check does; typical mistake: an own table of activations without "identity")."""
    X, y = data(33, 6, 4, 5)
    for activation in ("tanh", "sigmoid", "identity"):
        check_grads_after_loss(student, [4, 6, 5], activation, X, y, 8, f"MLP([4, 6, 5], {activation!r})",
                               hint="use the backward of the network's own activation")


@pytest.mark.points(1)
@pytest.mark.hint("Run loss() on a single example and print the shape of every gradient: each must have the shape of "
                  "its parameter.")
def test_mlp_backward_batch_of_one(student):
    """Edge case: the whole backward pass with a batch of one example."""
    X, y = data(34, 1, 5, 4)
    check_grads_after_loss(student, [5, 6, 4], "relu", X, y, 9, "MLP([5, 6, 4], 'relu'), batch of one",
                           hint="bias gradients keep the shape (n_l,) also when N = 1")


@pytest.mark.points(1)
def test_mlp_backward_returns_dx(student):
    """backward(dscores) returns dL/dX and fills grads, for an arbitrary upstream gradient."""
    sizes = [5, 7, 3]
    X, _ = data(35, 4, 5, 3)
    dscores = np.random.default_rng(36).normal(size=(4, 3))
    model = student.MLP(sizes, "tanh", seed=10)
    params = read_params(model, sizes, "MLP([5, 7, 3], 'tanh')")
    model.forward(X)
    dX = model.backward(dscores)
    checks.close(dX, num_grad(lambda v: np.sum(ref_scores(params, v, "tanh") * dscores), X), rtol=1e-5,
                 atol=1e-8, what="model.backward(dscores), the gradient with respect to X",
                 hint="return the dx of the first affine layer")
    grads = model.grads
    checks.close(grads["W1"], num_grad(lambda v: np.sum(ref_scores({**params, "W1": v}, X, "tanh") * dscores),
                                       params["W1"]), rtol=1e-5, atol=1e-8, what='grads["W1"] after backward(dscores)')


@pytest.mark.points(1)
@pytest.mark.hint("Call loss() on one batch, then on another: the gradients must be those of the second batch alone.")
def test_mlp_grads_are_not_carried_over(student):
    """Edge case: grads hold the gradients of the current batch only (the docstring's "backward() overwrites every
    entry"): a second loss() call on the same batch gives the same grads, and one on another batch (of another
    size) gives that batch's grads, from the caches of the last forward() only."""
    X, y = data(37, 5, 4, 3)
    model, params = check_grads_after_loss(student, [4, 6, 3], "relu", X, y, 11, "first call",
                                           hint="the first call already disagrees with numerical gradients")
    hint = "backward() must overwrite self.grads, not add to the gradients of the previous batch"
    model.loss(X, y)
    grads = model.grads
    want = num_grad(lambda v: ref_loss({**params, "W2": v}, X, y, "relu"), params["W2"])
    checks.close(grads["W2"], want, rtol=1e-5, atol=1e-8, what='grads["W2"] after a second loss() call', hint=hint)
    X2, y2 = data(39, 3, 4, 3)
    model.loss(X2, y2)
    grads = model.grads
    for k in sorted(params):
        want = num_grad(lambda v, k=k: ref_loss({**params, k: v}, X2, y2, "relu"), params[k])
        checks.close(grads[k], want, rtol=1e-5, atol=1e-8, what=f"grads[{k!r}] after loss() on another batch of 3",
                     hint=hint + "; use the caches of the LAST forward() only")


@pytest.mark.points(1)
def test_collapse_linear(student):
    """Aggarwal's theorem: identity layers collapse to x @ (W1 W2 W3) + ((b1 W2 + b2) W3 + b3); also L = 1, and
    L = 11 (typical mistake: layers taken in sorted() order of their names, where "W10" comes before "W2")."""
    rng = np.random.default_rng(38)
    sizes = [5, 4, 6, 3]
    params = {}
    for l in range(1, 4):
        params[f"W{l}"] = rng.normal(size=(sizes[l - 1], sizes[l]))
        params[f"b{l}"] = rng.normal(size=sizes[l])
    X = rng.normal(size=(7, 5))
    result = student.collapse_linear(params)
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"collapse_linear should return a pair (W, b), got {checks.summary(result)}.")
    W, b = result
    W = checks.shape(W, (5, 3), what="W of collapse_linear (3 layers, 5 -> 3)")
    b = checks.shape(b, (3,), what="b of collapse_linear (3 layers, 5 -> 3)")
    checks.close(X @ W + b, ref_scores(params, X, "identity"), what="x @ W + b for the collapsed network",
                 hint="the biases pass through the later layers too: b = (b1 W2 + b2) W3 + b3")
    one = {"W1": params["W1"], "b1": params["b1"]}
    W, b = student.collapse_linear(one)
    checks.close(W, one["W1"], what="W of collapse_linear for a single layer")
    checks.close(b, one["b1"], what="b of collapse_linear for a single layer")
    # Eleven layers: "W10" and "W11" sort before "W2" as strings, so the layers must be taken by number.
    sizes = [3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2]
    deep = {}
    for l in range(1, len(sizes)):
        deep[f"W{l}"] = rng.normal(scale=0.8, size=(sizes[l - 1], sizes[l]))
        deep[f"b{l}"] = rng.normal(size=sizes[l])
    W, b = parts_of(student.collapse_linear(deep), "collapse_linear (11 layers, 3 -> 2)")
    W = checks.shape(W, (3, 2), what="W of collapse_linear (11 layers, 3 -> 2)")
    b = checks.shape(b, (2,), what="b of collapse_linear (11 layers, 3 -> 2)")
    X = rng.normal(size=(4, 3))
    checks.close(X @ W + b, ref_scores(deep, X, "identity"), what="x @ W + b for a collapsed network of 11 layers",
                 hint="take the layers in the order of their numbers 1, 2, ..., L; sorted() puts 'W10' before 'W2'")


@pytest.mark.points(1)
@pytest.mark.hint("Build an identity MLP and compare its forward() with x @ W + b from collapse_linear(model.params); "
                  "then do the same with a ReLU network, which must NOT collapse.")
def test_collapse_linear_matches_identity_mlp(student):
    """The notebook's check, with your own MLP: an identity-activation MLP equals x @ W + b with (W, b) =
    collapse_linear(its params), and a ReLU network does not. (The biases of a new MLP are 0; test_collapse_linear
    checks them with other parameters.)"""
    sizes = [6, 5, 4, 3]
    rng = np.random.default_rng(42)
    X = rng.normal(size=(8, 6))
    linear = student.MLP(sizes, "identity", seed=13)
    params = read_params(linear, sizes, "MLP([6, 5, 4, 3], 'identity')")
    W, b = parts_of(student.collapse_linear(params), "collapse_linear of an identity MLP's params")
    W = checks.shape(W, (6, 3), what="W of collapse_linear for MLP([6, 5, 4, 3], 'identity')")
    b = checks.shape(b, (3,), what="b of collapse_linear for MLP([6, 5, 4, 3], 'identity')")
    checks.close(linear.forward(X), X @ W + b, what="MLP([6, 5, 4, 3], 'identity').forward(X) against x @ W + b",
                 hint="with the identity activation every layer is affine, and so is the whole network")
    relu_net = student.MLP(sizes, "relu", seed=13)
    W, b = parts_of(student.collapse_linear(read_params(relu_net, sizes, "MLP([6, 5, 4, 3], 'relu')")),
                    "collapse_linear of a ReLU MLP's params")
    scores = checks.shape(relu_net.forward(X), (8, 3), what="MLP([6, 5, 4, 3], 'relu').forward(X)")
    checks.true(not np.allclose(scores, X @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)),
                "MLP([6, 5, 4, 3], 'relu').forward(X) equals x @ W + b of collapse_linear: a ReLU network should NOT "
                "collapse to one affine map.", hint="apply the network's activation after every layer but the last")

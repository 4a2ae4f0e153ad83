# A correct alternative: Adam's "efficient" form (Kingma & Ba, Keras), with ε scaled so it equals the notebook's rule.
class Adam(Optimizer):
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps

    def init_state(self, theta):
        return {"m": np.zeros_like(theta), "v": np.zeros_like(theta)}

    def update(self, theta, g, state):
        state["m"] = self.beta1 * state["m"] + (1 - self.beta1) * g
        state["v"] = self.beta2 * state["v"] + (1 - self.beta2) * g ** 2
        c2 = np.sqrt(1 - self.beta2 ** self.t)
        step = self.lr * c2 / (1 - self.beta1 ** self.t)
        return theta - step * state["m"] / (np.sqrt(state["v"]) + self.eps * c2)

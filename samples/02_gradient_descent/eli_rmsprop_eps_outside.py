class RMSProp(Optimizer):
    """RMSProp with a running average of squared gradients."""

    def __init__(self, lr=0.001, rho=0.9, eps=1e-8):
        super().__init__(lr)
        self.rho = rho
        self.eps = eps

    def init_state(self, theta):
        return {"G": np.zeros_like(theta)}

    def update(self, theta, g, state):
        state["G"] = self.rho * state["G"] + (1 - self.rho) * g ** 2
        return theta - self.lr * g / (np.sqrt(state["G"]) + self.eps)

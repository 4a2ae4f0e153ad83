class Momentum(Optimizer):
    """Momentum: u collects the past steps, the parameter moves by lr times u."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def init_state(self, theta):
        return {"u": np.zeros_like(theta)}

    def update(self, theta, g, state):
        state["u"] = self.momentum * state["u"] + self.lr * g
        return theta - self.lr * state["u"]

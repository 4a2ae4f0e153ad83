# A correct alternative: a scalar 0 as the starting accumulator, and a power −½ instead of a division by √.
class AdaGrad(Optimizer):
    def __init__(self, lr=0.01, eps=1e-8):
        super().__init__(lr)
        self.eps = eps

    def init_state(self, theta):
        return {"G": 0.0}

    def update(self, theta, g, state):
        state["G"] = state["G"] + g * g
        return theta - self.lr * g * (state["G"] + self.eps) ** -0.5

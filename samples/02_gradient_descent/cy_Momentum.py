# A correct alternative: Keras' form, v = −u: v ← γv − lr·g, θ ← θ + v, with a scalar 0 as the start.
class Momentum(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def init_state(self, theta):
        return {"velocity": 0.0}

    def update(self, theta, g, state):
        state["velocity"] = self.momentum * state["velocity"] - self.lr * g
        return theta + state["velocity"]

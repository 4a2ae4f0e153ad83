# A correct alternative: the update in place on theta (step hands update a copy).
class SGD(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__(lr)

    def update(self, theta, g, state):
        theta -= self.lr * g
        return theta

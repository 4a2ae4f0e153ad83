# I wanted to watch the simulation converge and forgot to stop it.
while True:
    pass

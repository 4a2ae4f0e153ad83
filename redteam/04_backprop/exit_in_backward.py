# Red team: backward() leaves the worker, or tries to: sys.exit, KeyboardInterrupt, GeneratorExit in turn.
import sys

_EXITS = [lambda: sys.exit("All tests passed"), lambda: (_ for _ in ()).throw(KeyboardInterrupt),
          lambda: (_ for _ in ()).throw(GeneratorExit)]
_CALLS = []


def _leave(self):
    _CALLS.append(1)
    _EXITS[len(_CALLS) % 3]()


Value.backward = _leave

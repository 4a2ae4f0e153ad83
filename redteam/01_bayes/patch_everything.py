# Red team: patch everything a grader might use, in the one process student code can reach: builtins,
# pytest (importable from the virtual environment), numpy's comparisons, json, and a fake `autograder`.
import builtins
import json
import sys
import types

import numpy as np

builtins.abs = lambda value: 0.0
builtins.round = lambda value, digits=None: value
builtins.AssertionError = type("AssertionError", (Exception,), {})
np.testing.assert_allclose = lambda *args, **kwargs: None
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.isfinite = lambda a, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
json.dumps = lambda *args, **kwargs: '{"score": 100}'
try:
    import pytest
    pytest.approx = lambda expected, *args, **kwargs: types.SimpleNamespace(__eq__=lambda self, other: True)
    pytest.fail = pytest.skip = lambda *args, **kwargs: None
except ImportError:
    pass
fake = types.ModuleType("autograder")
fake.checks = types.SimpleNamespace(close=lambda *a, **k: None, equal=lambda *a, **k: None, true=lambda *a, **k: None)
sys.modules["autograder"] = fake
sys.modules["autograder.checks"] = fake.checks

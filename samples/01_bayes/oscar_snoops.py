# Hostile sample: look for the hidden tests, the reference solution and other students' work,
# print whatever can be read, and define the functions from any solution found.
import glob
import json
import os

paths = [
    "/work/main/solutions/01_bayes/hidden/test_discrete.py",
    "/work/main/solutions/01_bayes/hidden/test_coin.py",
    "/work/main/solutions/01_bayes/hidden/test_gaussian.py",
    "/work/main/solutions/01_bayes/bayes.ipynb",
]
patterns = [
    "../../solutions/*/hidden/*.py", "../../../solutions/*/hidden/*.py",
    "../../solutions/*/*.ipynb", "../../../solutions/*/*.ipynb",
    "../*/*.ipynb", "../*/*/*.ipynb", "../../*/*/*.ipynb",          # other students' submissions
    "/work/*/solutions/01_bayes/hidden/*.py", "/work/*/solutions/01_bayes/*.ipynb",
    "/tmp/*/*.ipynb", "/tmp/*/*/*.ipynb", os.path.expanduser("~/*/*.ipynb"),
]
for pattern in patterns:
    try:
        paths += glob.glob(pattern)
    except OSError:
        pass

stolen = 0
for path in dict.fromkeys(paths):
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError:
        continue
    print(f"===== read {path} =====")
    print(text[:3000])
    if not path.endswith(".ipynb") or os.path.abspath(path) == os.path.abspath("bayes.ipynb"):
        continue
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        continue
    for cell in cells:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "NotImplementedError()" in source:
            continue
        try:
            exec(source, globals())
            stolen += 1
        except Exception:
            pass
print(f"defined {stolen} functions taken from other notebooks")

# Red team: the submission folder holds a symbolic link to the kit's solutions/ (reference notebooks and hidden
# suites); if the sandbox follows it, define every function from the reference notebook and score full marks.
import json
import os

stolen = []
for path in ["answers/01_bayes/bayes.ipynb", "answers/01_bayes/hidden/test_coin.py"]:
    try:
        with open(path) as stream:
            text = stream.read()
    except OSError:
        continue
    stolen.append(path)
    if path.endswith(".ipynb"):
        for cell in json.loads(text)["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                exec("\n".join(line for line in source.splitlines() if "### " not in line), globals())
print("LOOT:" + json.dumps(stolen))

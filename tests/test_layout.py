"""The engine's layout (docs/architecture.md): imports go down the list of packages, never up; no cycles; no
private name taken from another module; the code inside the sandbox needs nothing of the kit."""
import ast
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "autograder"
LAYERS = ("autograder.sandbox.inside", "autograder.sandbox", "autograder.course", "autograder.checks", "autograder.references",
          "autograder.grading", "autograder.reports", "autograder.notebook", "autograder.pipeline",
          "autograder.integrations",
          "autograder.authoring", "autograder.cli", "autograder.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    return max(i for i, prefix in enumerate(LAYERS) if module == prefix or module.startswith(prefix + "."))


def imports(path: Path, top_level_only: bool = False) -> list[tuple[str, list[str]]]:
    """(module, names) for each `import` and `from ... import` in the file (top-level statements only, if asked)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def kit_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def resolve(module: str, names: list[str], known: dict[str, Path]) -> list[str]:
    """The kit's modules an import statement loads (``from autograder.grading import plan`` loads the module)."""
    found = [f"{module}.{name}" for name in names if f"{module}.{name}" in known]
    return found or ([module] if module in known else [])


def test_imports_never_go_up_the_layers():
    known, upward = kit_modules(), []
    for name, path in known.items():
        for module, names in imports(path):
            for target in resolve(module, names, known):
                if layer(target) > layer(name):
                    upward.append(f"{name} imports {target}")
    assert upward == []


def test_no_import_cycles_between_modules():
    known = kit_modules()
    graph = {name: {t for module, names in imports(path, top_level_only=True)
                    for t in resolve(module, names, known) if t != name}
             for name, path in known.items()}
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for target in graph[node]:
            if state.get(target) == "open":
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    known = kit_modules()
    private = [f"{name} imports {module}.{n}" for name, path in known.items() for module, names in imports(path)
               if module.startswith("autograder") for n in names if n.startswith("_")]
    assert private == []


def test_the_code_inside_the_sandbox_needs_only_the_standard_library_numpy_and_itself():
    inside = PACKAGE / "sandbox" / "inside"
    own = {path.stem for path in inside.glob("*.py")}
    for path in inside.glob("*.py"):
        needed = {module.split(".")[0] for module, _ in imports(path)}
        assert needed - set(sys.stdlib_module_names) - own - {"__future__", "numpy"} == set(), path.name


def test_nothing_private_lives_in_the_engine_package():
    """Hidden suites, reference notebooks and sample classes live outside autograder/, which ships to students."""
    assert not list(PACKAGE.rglob("*.ipynb")) and not list(PACKAGE.rglob("cells.yml"))
    tests = [path for path in PACKAGE.rglob("test_*.py")]
    assert tests == [], tests

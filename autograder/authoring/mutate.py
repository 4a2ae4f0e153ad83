"""Mutants of a reference solution: each one the solution with one small slip of the kind students make.

A hidden suite is as good as the mistakes it catches. A mutant changes one spot between the
``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers of one solution cell, by one operator:

==========  =====================================================================================================
boundary    ``<`` <-> ``<=``, ``>`` <-> ``>=``
comparison  a comparison negated: ``<`` -> ``>=``, ``==`` <-> ``!=``, ``is`` <-> ``is not``, ``in`` <-> ``not in``
arithmetic  ``+`` <-> ``-``, ``*`` <-> ``/``, ``//`` -> ``/``, ``%`` -> ``//``, ``**`` -> ``*``, ``@`` -> ``*``,
            ``&`` <-> ``|`` (also in ``+=`` and the like); ``-x`` -> ``x``
logic       ``and`` <-> ``or``; ``not x`` -> ``x``
constant    a number: 0 -> 1, 1 -> 0 and 2, k -> k + 1; ``True`` <-> ``False``
axis        ``axis=k`` -> another axis (0 -> 1, k -> 0), or no ``axis`` at all (a reduction over everything)
range       ``range(.., n)`` -> ``range(.., n - 1)``; ``range(a, ..)`` -> ``range(a + 1, ..)``
swap        two neighbouring positional arguments of a call swapped, unless the function is symmetric in them
            (``max``, ``np.maximum``, ``np.logaddexp``, ``np.isclose``, ...: see ``_SYMMETRIC``)
return      ``return x`` -> ``return <the function's first argument>``
assign      ``x += y`` -> ``x = y``; ``x = y`` -> ``x += y`` where x already holds a value (an argument, an
            attribute, an element, or a name bound on an earlier line)
drop        a statement replaced by ``pass`` (never a ``def``, ``class``, ``import``, ``return`` or ``print``)
==========  =====================================================================================================

Strings are never changed (messages, docstrings), nor anything inside a ``raise`` (its message), an f-string or a
``print``. A mutant that does not compile, or is the reference again, or another mutant again, is *not viable*.

Why a small ``ast`` module and not mutmut or cosmic-ray: both mutate the files of an installed package and run one
test command per mutant on the mutated tree (mutmut 3 compiles every mutant of a module into trampolines selected
by an environment variable in the test process, which a sandbox with an empty environment never sees; cosmic-ray
writes each mutant over the module and runs a command). A notebook cell graded by a batch in the sandbox is
neither, and their operators lack the ones numerical code needs (``axis``, ``range`` bounds, return an input).

Ids: ``<grade_id>.<operator>.<hash>``, the hash of the enclosing function's name and the changed lines before and
after (whitespace aside), with ``.<n>`` for the n-th identical one in a cell. An id outlives edits anywhere else,
so ``equivalent.yml`` keeps matching; the line number is reported beside it, never part of it.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from typing import Callable, Iterator

from autograder.authoring.release import MARKERS

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

_BOUNDARY = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_NEGATED = {ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.GtE: ast.Lt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
               ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult, ast.BitAnd: ast.BitOr,
               ast.BitOr: ast.BitAnd}
_SYMMETRIC = {"max", "min", "maximum", "minimum", "fmax", "fmin", "logaddexp", "logaddexp2", "hypot", "add",
              "multiply", "beta", "betaln", "isclose", "allclose", "array_equal"}  # by the called name alone
_DROPPABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While, ast.With, ast.Try,
              ast.Raise, ast.Assert, ast.Delete, ast.Continue, ast.Break)

Change = Callable[[ast.AST], ast.AST]  # applied to a copy of the node; returns what takes its place


class MutationError(Exception):
    """A solution cell cannot be mutated (it does not parse, or its markers do not pair up)."""


@dataclass(frozen=True)
class Mutant:
    id: str
    cell: str  # the grade_id of the solution cell
    operator: str
    line: int  # the first changed line, counted in the source notebook's cell (markers included)
    before: str  # the changed lines as the reference has them
    after: str  # and as the mutant has them
    source: str  # the mutant's cell, solution markers removed: what its submission carries

    @property
    def diff(self) -> str:
        return "\n".join([f"-{line}" for line in self.before.splitlines()]
                         + [f"+{line}" for line in self.after.splitlines()])


@dataclass(frozen=True)
class CellMutants:
    cell: str
    mutants: tuple[Mutant, ...]  # every viable mutant, in the cell's order
    not_viable: int  # did not compile, or were the reference or an earlier mutant again


@dataclass(frozen=True)
class _Scope:
    qualname: str
    params: tuple[str, ...]  # positional parameters, ``self`` and ``cls`` left out
    bound: dict  # name -> the first line that binds it (parameters: 0)


def solution_cells(notebook: dict) -> dict[str, str]:
    """grade_id -> source, markers included, of each code cell nbgrader marks as a solution."""
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            source = cell.get("source", "")
            cells[meta["grade_id"]] = "".join(source) if isinstance(source, list) else source
    return cells


def notebook_mutants(notebook: dict, cells: list[str] | None = None) -> list[CellMutants]:
    """The mutants of every solution cell of a source notebook (or of those with the grade ids ``cells``)."""
    return [cell_mutants(grade_id, source) for grade_id, source in solution_cells(notebook).items()
            if not cells or grade_id in cells]


def cell_mutants(grade_id: str, source: str) -> CellMutants:
    """Every viable mutant of the code between the solution markers of one cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise MutationError(f"solution cell {grade_id!r} is not Python: {exc}") from None
    regions = solution_regions(grade_id, source)
    index = {id(node): i for i, node in enumerate(ast.walk(tree))}
    mutants, seen, not_viable = [], {ast.dump(tree)}, 0
    for node, scope, operator, change in _sites(tree, regions):
        written = _write(source, tree, index[id(node)], change)
        if written is None or written[3] in seen:
            not_viable += 1
            continue
        mutated, before, after, dump = written
        seen.add(dump)
        digest = hashlib.sha256("\n".join([scope.qualname, operator, _squash(before), _squash(after)]).encode())
        name = f"{grade_id}.{operator}.{digest.hexdigest()[:8]}"
        same = sum(m.id == name or m.id.startswith(name + ".") for m in mutants)
        mutants.append(Mutant(f"{name}.{same + 1}" if same else name, grade_id, operator, node.lineno, before, after,
                              mutated))
    return CellMutants(grade_id, tuple(mutants), not_viable)


def sample(mutants: tuple[Mutant, ...], limit: int) -> tuple[Mutant, ...]:
    """At most ``limit`` of a cell's mutants: those whose ids hash lowest, so the choice is the same every run and a
    mutant stays chosen when others come and go."""
    if len(mutants) <= limit:
        return mutants
    chosen = set(sorted((m.id for m in mutants), key=lambda i: hashlib.sha256(i.encode()).digest())[:limit])
    return tuple(m for m in mutants if m.id in chosen)


def solution_regions(grade_id: str, source: str) -> list[tuple[int, int]]:
    """(begin, end): the line numbers of each pair of solution markers."""
    regions, begin = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN and begin is None:
            begin = number
        elif line.strip() == END and begin is not None:
            regions.append((begin, number))
            begin = None
        elif line.strip() in (BEGIN, END):
            raise MutationError(f"solution cell {grade_id!r}: line {number}: {line.strip()!r} out of turn")
    if begin is not None:
        raise MutationError(f"solution cell {grade_id!r}: line {begin}: {BEGIN!r} has no {END!r}")
    return regions


# ---------------------------------------------------------------- where, and which changes
def _sites(tree: ast.Module, regions: list[tuple[int, int]]) -> Iterator[tuple[ast.AST, _Scope, str, Change]]:
    """(node, scope, operator, change) for every change of a node that lies between one pair of markers."""
    for node, scope, quiet in _visit(tree, _Scope("", (), _bound(tree, ())), False):
        inside = hasattr(node, "end_lineno") and any(begin < node.lineno and node.end_lineno < end
                                                     for begin, end in regions)
        if not inside:
            continue
        if not quiet:
            for operator, change in _changes(node, scope):
                yield node, scope, operator, change
        if _droppable(node):
            yield node, scope, "drop", lambda n: ast.Pass()


def _visit(node: ast.AST, scope: _Scope, quiet: bool) -> Iterator[tuple[ast.AST, _Scope, bool]]:
    yield node, scope, quiet
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        params = () if isinstance(node, ast.ClassDef) else tuple(
            a.arg for a in [*node.args.posonlyargs, *node.args.args])
        params = params[1:] if params[:1] in (("self",), ("cls",)) else params
        scope = _Scope(f"{scope.qualname}.{node.name}".lstrip("."), params, _bound(node, params))
    quiet = quiet or isinstance(node, (ast.Raise, ast.JoinedStr)) or _is_print(node) or (
        isinstance(node, ast.keyword) and node.arg == "axis")  # the axis operator changes those
    for child in ast.iter_child_nodes(node):
        yield from _visit(child, scope, quiet)


def _changes(node: ast.AST, scope: _Scope) -> Iterator[tuple[str, Change]]:
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _BOUNDARY:
                yield "boundary", _set_op(i, _BOUNDARY[type(op)])
            yield "comparison", _set_op(i, _NEGATED[type(op)])
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITHMETIC:
        yield "arithmetic", _set("op", _ARITHMETIC[type(node.op)]())
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield "arithmetic" if isinstance(node.op, ast.USub) else "logic", lambda n: n.operand
    elif isinstance(node, ast.BoolOp):
        yield "logic", _set("op", ast.Or() if isinstance(node.op, ast.And) else ast.And())
    elif isinstance(node, ast.Constant) and type(node.value) in (bool, int, float):
        for value in _other_constants(node.value):
            yield "constant", _set("value", value)
    elif isinstance(node, ast.Call):
        yield from _call_changes(node)
    elif isinstance(node, ast.Return) and node.value is not None and scope.params and not (
            isinstance(node.value, ast.Name) and node.value.id == scope.params[0]):
        yield "return", _set("value", ast.Name(scope.params[0], ast.Load()))
    if isinstance(node, ast.AugAssign):
        yield "assign", lambda n: ast.copy_location(ast.Assign([n.target], n.value), n)
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and _holds_a_value(node.targets[0], node, scope):
        yield "assign", lambda n: ast.copy_location(ast.AugAssign(n.targets[0], ast.Add(), n.value), n)


def _call_changes(call: ast.Call) -> Iterator[tuple[str, Change]]:
    for i, keyword in enumerate(call.keywords):
        axis = _int_literal(keyword.value) if keyword.arg == "axis" else None
        if axis is not None:
            yield "axis", _set_keyword(i, 1 if axis == 0 else 0)
            yield "axis", _drop_keyword(i)
    args = call.args
    if any(isinstance(a, ast.Starred) for a in args):
        return
    if isinstance(call.func, ast.Name) and call.func.id == "range" and 1 <= len(args) <= 3:
        yield "range", _shift_arg(0 if len(args) == 1 else 1, ast.Sub())
        if len(args) > 1:
            yield "range", _shift_arg(0, ast.Add())
    callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
    for i in range(len(args) - 1 if callee not in _SYMMETRIC else 0):
        if ast.dump(args[i]) != ast.dump(args[i + 1]):
            yield "swap", _swap_args(i)


def _other_constants(value):
    if isinstance(value, bool):
        return [not value]
    if value == 0:
        return [type(value)(1)]
    if value == 1:
        return [type(value)(0), type(value)(2)]
    return [value + 1]


def _holds_a_value(target: ast.AST, node: ast.Assign, scope: _Scope) -> bool:
    if isinstance(target, (ast.Attribute, ast.Subscript)):
        return True
    return isinstance(target, ast.Name) and scope.bound.get(target.id, node.lineno) < node.lineno


def _bound(node: ast.AST, params: tuple[str, ...]) -> dict:
    bound = dict.fromkeys(params, 0)
    for name in ast.walk(node):
        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
            bound[name.id] = min(bound.get(name.id, name.lineno), name.lineno)
    return bound


def _droppable(node: ast.AST) -> bool:
    docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    return isinstance(node, _DROPPABLE) and not docstring and not _is_print(node)


def _is_print(node: ast.AST) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "print")


def _int_literal(node: ast.AST) -> int | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_literal(node.operand)
        return None if inner is None else -inner
    return node.value if isinstance(node, ast.Constant) and type(node.value) is int else None


def _set(field: str, value) -> Change:
    def change(node):
        setattr(node, field, value)
        return node
    return change


def _set_op(i: int, op: type) -> Change:
    def change(node):
        node.ops[i] = op()
        return node
    return change


def _set_keyword(i: int, value: int) -> Change:
    def change(node):
        node.keywords[i].value = ast.Constant(value)
        return node
    return change


def _drop_keyword(i: int) -> Change:
    def change(node):
        del node.keywords[i]
        return node
    return change


def _shift_arg(i: int, op: ast.operator) -> Change:
    def change(node):
        node.args[i] = ast.BinOp(node.args[i], op, ast.Constant(1))
        return node
    return change


def _swap_args(i: int) -> Change:
    def change(node):
        node.args[i], node.args[i + 1] = node.args[i + 1], node.args[i]
        return node
    return change


# ---------------------------------------------------------------- writing a mutant
def _write(source: str, tree: ast.Module, index: int, change: Change) -> tuple[str, str, str, str] | None:
    """(mutated cell, lines before, lines after, its tree dumped): the change applied to a copy of the tree, and the
    text of the one node it touched written in its place, so the rest of the cell keeps its exact text. None when
    it will not compile."""
    mutated_tree = ast.parse(source)  # a fresh copy, faster than copy.deepcopy; ast.walk orders it the same
    nodes = list(ast.walk(mutated_tree))
    target = nodes[index]
    parent = next(p for p in nodes if any(c is target for c in ast.iter_child_nodes(p)))
    new = change(target)
    if new is not target:
        _replace(parent, target, new)
    expected = ast.dump(mutated_tree)
    text = ast.unparse(new)
    for written in (text, f"({text})"):  # parentheses only where the context needs them
        mutated = _splice(source, target, written)
        try:
            same = ast.dump(ast.parse(mutated)) == expected
            compile(_without_markers(mutated), "<mutant>", "exec")
        except SyntaxError:
            continue
        if same:
            lines, new_lines = source.splitlines(), mutated.splitlines()
            grown = len(new_lines) - len(lines)
            before = "\n".join(lines[target.lineno - 1:target.end_lineno])
            after = "\n".join(new_lines[target.lineno - 1:target.end_lineno + grown])
            return _without_markers(mutated), before, after, expected
    return None


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
        elif isinstance(value, list):
            value[:] = [new if item is old else item for item in value]


def _splice(source: str, node: ast.AST, text: str) -> str:
    lines = source.splitlines(keepends=True)
    return (source[:_offset(lines, node.lineno, node.col_offset)] + text
            + source[_offset(lines, node.end_lineno, node.end_col_offset):])


def _offset(lines: list[str], lineno: int, col: int) -> int:
    """The character offset of ``ast``'s (line, UTF-8 byte column) in the source."""
    return sum(map(len, lines[:lineno - 1])) + len(lines[lineno - 1].encode()[:col].decode())


def _without_markers(source: str) -> str:
    return "".join(line for line in source.splitlines(keepends=True) if line.strip() not in MARKERS)


def _squash(text: str) -> str:
    return " ".join(text.split())

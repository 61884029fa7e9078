"""The formula language: one SQL aggregate expression over the columns of one dataset.

    count_if(mark >= 3) / count(*)
    sum(mean_score * participants) / sum(CASE WHEN mean_score IS NOT NULL THEN participants END)
    avg(test_score)

A formula is parsed with SQLGlot and checked against an allow-list of node types (aggregates, arithmetic,
comparisons, CASE, a few scalar functions) and of the dataset's columns. Anything else — another
function, a subquery, a table reference, a statement — is an error with its line and column in the
formula. A checked formula is split into an additive numerator and an optional additive denominator
(`avg(x)` becomes `sum(x) / count(x)`), so a value at any level is the ratio of summed parts and shares are
never averaged. Compilation renders the parts for a SQLGlot dialect: DuckDB today, Spark by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError

READ_DIALECT = "duckdb"
# One dialect object for every parse: SQLGlot otherwise looks the dialect up (and, the first time, imports
# its module) per call. The package is installed with its compiled extra (`sqlglot[c]`: SQLGlot's own
# modules built as C extensions, same version), which parses the catalog's 137 formulas ≈2.5× faster.
_DIALECT = DuckDB()

ADDITIVE_AGGREGATES: tuple[type[exp.Expression], ...] = (exp.Sum, exp.Count, exp.CountIf)
ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    *ADDITIVE_AGGREGATES, exp.Avg,
    exp.Column, exp.Identifier, exp.Literal, exp.Star, exp.Paren, exp.Null, exp.Boolean,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.Between,
    exp.Case, exp.If, exp.Coalesce, exp.Abs, exp.Round, exp.Greatest, exp.Least,
)
STATEMENTS: tuple[type[exp.Expression], ...] = (
    exp.Query, exp.DDL, exp.DML, exp.Command, exp.Use, exp.Set, exp.Pragma, exp.Drop, exp.Create, exp.Alter,
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Copy, exp.Describe, exp.Transaction, exp.Commit,
)
ALLOWED_FUNCTIONS_RU = "sum, count, count_if, avg, coalesce, abs, round, greatest, least, CASE"
# Bounds on one formula, far above any real one (the shipped catalog's largest: 123 characters, 19 nodes,
# depth 8): a formula beyond them is refused at `catalog check`, before the recursive parser, the additive
# check or DuckDB's planner could run out of stack on it at compute time.
MAX_FORMULA_LENGTH = 2000  # characters
MAX_FORMULA_NODES = 300  # expression-tree nodes
MAX_FORMULA_DEPTH = 100  # nesting of the tree: operators, functions (a sum of n terms is n deep)
MAX_BRACKET_DEPTH = 30  # nesting of brackets (checked on the text: the parser recurses per bracket)


@dataclass(frozen=True)
class FormulaError:
    message: str
    line: int | None = None
    col: int | None = None

    def where(self) -> str:
        return f"строка {self.line}, позиция {self.col}" if self.line is not None else "позиция неизвестна"


@dataclass(frozen=True)
class Formula:
    """A checked formula: additive numerator, optional additive denominator."""

    text: str
    numerator: exp.Expression
    denominator: exp.Expression | None

    def columns(self) -> set[str]:
        parts = [self.numerator] + ([self.denominator] if self.denominator is not None else [])
        return {col.name for part in parts for col in part.find_all(exp.Column)}


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _position(node: exp.Expression, text: str) -> tuple[int | None, int | None]:
    if isinstance(node, exp.Subquery | exp.Select | exp.Query):
        for token in sqlglot.tokenize(text, read=READ_DIALECT):
            if token.text.upper() == "SELECT":
                return _line_col(text, token.start)
    starts = [n.meta["start"] for n in node.walk() if "start" in n.meta]
    if isinstance(node, exp.Func) and "start" not in node.meta:
        name = node.sql_name().lower() if not isinstance(node, exp.Anonymous) else str(node.this).lower()
        for token in sqlglot.tokenize(text, read=READ_DIALECT):
            if token.text.lower() == name:
                return _line_col(text, token.start)
    return _line_col(text, min(starts)) if starts else (None, None)


def _error(message: str, node: exp.Expression, text: str) -> FormulaError:
    line, col = _position(node, text)
    return FormulaError(message, line, col)


def _node_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.key.upper()


def _strip(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _is_constant(node: exp.Expression) -> bool:
    return not any(isinstance(n, exp.Column | exp.AggFunc | exp.Star) for n in node.walk())


def _additive(node: exp.Expression) -> bool:
    node = _strip(node)
    if isinstance(node, ADDITIVE_AGGREGATES):
        return True
    if isinstance(node, exp.Add | exp.Sub):
        return _additive(node.this) and _additive(node.expression)
    if isinstance(node, exp.Neg):
        return _additive(node.this)
    if isinstance(node, exp.Mul):
        return (_is_constant(node.this) and _additive(node.expression)) or (
            _is_constant(node.expression) and _additive(node.this))
    if isinstance(node, exp.Div):
        return _additive(node.this) and _is_constant(node.expression)
    return False


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[exp.Expression, ...]:
    """SQLGlot's trees for `text`, parsed once per process (validation and computation both ask); the trees
    are only read — every part handed out is a copy."""
    return tuple(s for s in _DIALECT.parse(text) if s is not None)


def _bracket_depth(text: str) -> tuple[int, int]:
    """The deepest bracket nesting of `text` and the offset where it is first reached."""
    depth = best = where = 0
    for offset, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > best:
                best, where = depth, offset
        elif char == ")":
            depth -= 1
    return best, where


def _tree_size(tree: exp.Expression) -> tuple[int, int]:
    """Node count and depth, without recursion."""
    nodes = depth = 0
    stack = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        nodes += 1
        depth = max(depth, level)
        if nodes > MAX_FORMULA_NODES:
            break
        stack.extend((child, level + 1) for child in node.iter_expressions())
    return nodes, depth


def _too_large(text: str) -> FormulaError | None:
    if len(text) > MAX_FORMULA_LENGTH:
        return FormulaError(f"формула слишком длинная: {len(text)} символов, допускается не более "
                            f"{MAX_FORMULA_LENGTH}; разбейте её на несколько показателей", 1, 1)
    depth, offset = _bracket_depth(text)
    if depth > MAX_BRACKET_DEPTH:
        line, col = _line_col(text, offset)
        return FormulaError(f"слишком глубокая вложенность скобок: {depth}, допускается не более "
                            f"{MAX_BRACKET_DEPTH}", line, col)
    return None


def parse_formula(text: str, columns: Mapping[str, object], *, needs_denominator: bool | None = None,
                  ) -> tuple[Formula | None, list[FormulaError]]:
    """Parse and check `text`; `needs_denominator` True/False demands or forbids a top-level division."""
    if not text or not text.strip():
        return None, [FormulaError("формула пуста")]
    if (error := _too_large(text)) is not None:
        return None, [error]
    try:
        statements = list(_parse(text))
    except RecursionError:
        return None, [FormulaError(f"формула слишком сложна для разбора: допускается вложенность скобок не "
                                   f"более {MAX_BRACKET_DEPTH}", 1, 1)]
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or [{}]
        first = errors[0]
        return None, [FormulaError(f"формула не разбирается: {first.get('description') or exc}",
                                   first.get("line"), first.get("col"))]
    if len(statements) != 1:
        return None, [FormulaError("формула должна быть одним выражением, а не несколькими операторами")]
    tree = statements[0]
    if isinstance(tree, STATEMENTS):
        return None, [FormulaError(f"ожидается выражение, а не оператор SQL ({tree.key.upper()})", 1, 1)]
    nodes, depth = _tree_size(tree)
    if nodes > MAX_FORMULA_NODES:
        return None, [FormulaError(f"формула слишком велика: более {MAX_FORMULA_NODES} элементов выражения; "
                                   "разбейте её на несколько показателей", 1, 1)]
    if depth > MAX_FORMULA_DEPTH:
        return None, [FormulaError(f"формула слишком глубоко вложена: {depth} уровней, допускается не более "
                                   f"{MAX_FORMULA_DEPTH}", 1, 1)]

    errors: list[FormulaError] = []
    for node in tree.walk():
        if isinstance(node, exp.Subquery | exp.Select | exp.Query):
            errors.append(_error("подзапросы запрещены", node, text))
            break
        if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
            errors.append(_error("«*» допускается только в count(*)", node, text))
        elif isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct):
            errors.append(_error("count(DISTINCT …) не складывается по уровням и запрещён", node, text))
        elif not isinstance(node, ALLOWED_NODES) and not isinstance(node, exp.Distinct):
            if isinstance(node, exp.Func):
                errors.append(_error(f"функция «{_node_name(node)}» не разрешена; "
                                     f"разрешены: {ALLOWED_FUNCTIONS_RU}", node, text))
            else:
                errors.append(_error(f"конструкция «{_node_name(node)}» не разрешена в формуле", node, text))
        elif isinstance(node, exp.Column):
            if node.table:
                errors.append(_error(f"ссылка на таблицу «{node.table}» запрещена: "
                                     "формула видит только столбцы своего набора данных", node, text))
            elif node.name not in columns:
                errors.append(_error(f"неизвестный столбец «{node.name}»; в наборе есть: "
                                     f"{', '.join(sorted(columns))}", node, text))
            elif node.find_ancestor(exp.AggFunc) is None:
                errors.append(_error(f"столбец «{node.name}» должен стоять внутри агрегатной функции",
                                     node, text))
        if isinstance(node, exp.AggFunc):
            nested = [n for n in node.walk() if n is not node and isinstance(n, exp.AggFunc)]
            if nested:
                errors.append(_error("вложенные агрегатные функции запрещены", nested[0], text))
    if errors:
        return None, errors

    top = _strip(tree)
    if isinstance(top, exp.Avg):
        argument = top.this
        numerator, denominator = exp.Sum(this=argument.copy()), exp.Count(this=argument.copy())
    elif isinstance(top, exp.Div):
        numerator, denominator = top.this, top.expression
    else:
        numerator, denominator = top, None
    for part, label in ((numerator, "числитель"), (denominator, "знаменатель")):
        if part is not None and not _additive(part):
            return None, [_error(f"{label} должен быть суммой агрегатов sum/count/count_if "
                                 "(avg — только как вся формула), иначе значения нельзя сложить по уровням",
                                 part, text)]
    if needs_denominator is True and denominator is None:
        return None, [_error("для этого вида показателя формула должна быть дробью: числитель / знаменатель",
                             tree, text)]
    if needs_denominator is False and denominator is not None:
        return None, [_error("для показателя-количества формула не должна быть дробью", tree, text)]
    return Formula(text=text, numerator=numerator.copy(), denominator=denominator.copy() if denominator else None), []


def compile_part(part: exp.Expression, *, where: exp.Expression | None = None,
                 dialect: str = "duckdb") -> str:
    """Render one additive part; each aggregate gets `FILTER (WHERE where)` for the indicator's filters."""
    def quote(node: exp.Expression) -> exp.Expression:
        return exp.column(node.name, quoted=True) if isinstance(node, exp.Column) else node

    def rewrite(node: exp.Expression) -> exp.Expression:
        if where is not None and isinstance(node, ADDITIVE_AGGREGATES) and not isinstance(node.parent, exp.Filter):
            return exp.Filter(this=node.copy(), expression=exp.Where(this=where.copy()))
        return node

    tree = part.copy().transform(quote)
    if dialect != "duckdb":  # DuckDB's own count_if already means what explicit_count_if writes out
        tree = tree.transform(explicit_count_if)
    return tree.transform(rewrite).sql(dialect=dialect)


def explicit_count_if(node: exp.Expression) -> exp.Expression:
    """`count_if(c)` written out as `sum(CASE WHEN c THEN 1 WHEN NOT c THEN 0 END)`: 0 when every row's
    condition is false, NULL when no row has a known condition (or there are no rows) — what DuckDB's
    count_if gives, while Spark's counts 0 there. One meaning in every engine; DuckDB keeps its native
    count_if (the same values, checked by tests/spark/test_differential.py)."""
    if not isinstance(node, exp.CountIf):
        return node
    condition = node.this
    case = exp.Case(ifs=[exp.If(this=exp.paren(condition.copy()), true=exp.Literal.number(1)),
                         exp.If(this=exp.not_(exp.paren(condition.copy())), true=exp.Literal.number(0))])
    return exp.Sum(this=case)


def literal(value) -> exp.Expression:
    return exp.convert(value)


def filter_condition(filters: Mapping[str, tuple], column_of: Mapping[str, str]) -> exp.Expression | None:
    """Build `col IN (...) AND ...` from filter values; values become literals, never raw SQL."""
    conditions = []
    for key, values in filters.items():
        if values:
            conditions.append(exp.column(column_of.get(key, key), quoted=True).isin(*[literal(v) for v in values]))
    return exp.and_(*conditions) if conditions else None

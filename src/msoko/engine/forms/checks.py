"""Form checks and roster counts in the catalog's formula language, evaluated by a small interpreter.

    olymp_winners <= olymp_participants
    abs(students - prev(students)) <= 0.3 * prev(students)
    count_if(stage IN ('regional', 'final'))          -- a roster fill, over the roster's rows

A rule is parsed by SQLGlot exactly as indicator formulas are (`engine.formula`'s cached parser and
allow-list); a check may not aggregate, and may call `prev(field)`. Evaluation walks the SQLGlot tree in
Python rather than asking DuckDB: a form of 300 fields is re-checked on every autosave and a campaign of
1,000 organisations row by row, where a query per check would cost more than the whole check
(decision 0011-collection). SQL's three-valued logic is kept: a rule whose inputs are missing is
unknown, and an unknown rule is not violated (as an SQL CHECK constraint).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from msoko.engine.formula import ADDITIVE_AGGREGATES, ALLOWED_NODES, _parse

PREV = "prev"
_SCALAR_NODES = tuple(n for n in ALLOWED_NODES if n not in (*ADDITIVE_AGGREGATES, exp.Avg, exp.Star))


@dataclass(frozen=True)
class Rule:
    text: str
    tree: exp.Expression

    def fields(self) -> set[str]:
        """Field codes the rule reads (now or in `prev`)."""
        return {c.name for c in self.tree.find_all(exp.Column)}


def _is_prev(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and str(node.this).lower() == PREV


@lru_cache(maxsize=4096)
def parse_rule(text: str, columns: frozenset[str], *, aggregate: bool = False) -> tuple[Rule | None, list[str]]:
    """Parse and check a rule; returns (rule, Russian errors). `aggregate`: a roster fill (count/sum)."""
    if not text or not str(text).strip():
        return None, ["правило пусто"]
    try:
        statements = list(_parse(str(text)))
    except (ParseError, TokenError) as exc:
        return None, [f"правило не разбирается: {exc}"]
    if len(statements) != 1:
        return None, ["правило должно быть одним выражением"]
    tree = statements[0]
    allowed = ALLOWED_NODES if aggregate else _SCALAR_NODES
    errors = []
    for node in tree.walk():
        if _is_prev(node):
            if aggregate:
                errors.append("prev() недоступна в подсчёте по списку")
            elif len(node.expressions) != 1 or not isinstance(node.expressions[0], exp.Column):
                errors.append("prev() принимает одно поле формы: prev(students)")
            continue
        if isinstance(node, exp.Column):
            if node.table or node.name not in columns:
                errors.append(f"неизвестное поле «{node.sql()}»; в форме есть: {', '.join(sorted(columns))}")
            continue
        if isinstance(node, exp.Star) and aggregate and isinstance(node.parent, exp.Count):
            continue
        if not isinstance(node, allowed):
            name = str(node.this) if isinstance(node, exp.Anonymous) else node.key
            errors.append(f"конструкция «{name}» не разрешена в правиле")
    if aggregate and not isinstance(tree, ADDITIVE_AGGREGATES):
        errors.append("подсчёт по списку — одна функция count(*), count_if(условие) или sum(столбец)")
    return (None, errors) if errors else (Rule(str(text), tree), [])


Value = float | str | None


def _num(value):
    if isinstance(value, bool):
        return int(value)
    return value


def evaluate(node: exp.Expression, row: Mapping[str, Value], prev: Mapping[str, Value] | None = None,
             rows: Sequence[Mapping[str, Value]] = ()) -> object:
    """The value of `node` for one set of field values (`rows`: the roster rows, for aggregates)."""
    ev: Callable = lambda n: evaluate(n, row, prev, rows)  # noqa: E731
    if isinstance(node, exp.Paren):
        return ev(node.this)
    if isinstance(node, exp.Column):
        return _num(row.get(node.name))
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        number = float(node.this)
        return int(number) if number.is_integer() else number
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if _is_prev(node):
        return _num((prev or {}).get(node.expressions[0].name))
    if isinstance(node, exp.Neg):
        value = ev(node.this)
        return None if value is None else -value
    if isinstance(node, exp.Binary) and isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div):
        left, right = ev(node.this), ev(node.expression)
        if left is None or right is None:
            return None
        if isinstance(node, exp.Add):
            return left + right
        if isinstance(node, exp.Sub):
            return left - right
        if isinstance(node, exp.Mul):
            return left * right
        return None if right == 0 else left / right  # NULLIF semantics: no division by zero
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        left, right = ev(node.this), ev(node.expression)
        if left is None or right is None:
            return None
        try:
            return {exp.EQ: left == right, exp.NEQ: left != right}.get(type(node)) if isinstance(
                node, exp.EQ | exp.NEQ) else _compare(node, left, right)
        except TypeError:
            return None
    if isinstance(node, exp.And):
        left, right = ev(node.this), ev(node.expression)
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if isinstance(node, exp.Or):
        left, right = ev(node.this), ev(node.expression)
        if left is True or right is True:
            return True
        return None if left is None or right is None else False
    if isinstance(node, exp.Not):
        value = ev(node.this)
        return None if value is None else not value
    if isinstance(node, exp.Is):
        return ev(node.this) is None if isinstance(node.expression, exp.Null) else ev(node.this) == ev(node.expression)
    if isinstance(node, exp.In):
        value = ev(node.this)
        return None if value is None else value in [ev(e) for e in node.expressions]
    if isinstance(node, exp.Between):
        value, low, high = ev(node.this), ev(node.args["low"]), ev(node.args["high"])
        return None if None in (value, low, high) else low <= value <= high
    if isinstance(node, exp.Case):
        for branch in node.args.get("ifs") or []:
            if ev(branch.this) is True:
                return ev(branch.args["true"])
        default = node.args.get("default")
        return ev(default) if default is not None else None
    if isinstance(node, exp.If):
        if ev(node.this) is True:
            return ev(node.args["true"])
        false = node.args.get("false")
        return ev(false) if false is not None else None
    if isinstance(node, exp.Coalesce):
        for part in [node.this, *node.expressions]:
            value = ev(part)
            if value is not None:
                return value
        return None
    if isinstance(node, exp.Abs):
        value = ev(node.this)
        return None if value is None else abs(value)
    if isinstance(node, exp.Round):
        value = ev(node.this)
        digits = ev(node.args["decimals"]) if node.args.get("decimals") is not None else 0
        return None if value is None else round(value, int(digits or 0))
    if isinstance(node, exp.Greatest | exp.Least):
        values = [v for v in (ev(p) for p in [node.this, *node.expressions]) if v is not None]
        if not values:
            return None
        return max(values) if isinstance(node, exp.Greatest) else min(values)
    if isinstance(node, exp.Count):
        if isinstance(node.this, exp.Star):
            return len(rows)
        return sum(1 for r in rows if evaluate(node.this, r) is not None)
    if isinstance(node, exp.CountIf):
        return sum(1 for r in rows if evaluate(node.this, r) is True)
    if isinstance(node, exp.Sum):
        values = [v for v in (evaluate(node.this, r) for r in rows) if v is not None]
        return sum(values) if values else 0
    raise ValueError(f"unsupported node {node.key}")  # parse_rule's allow-list keeps us from here


def _compare(node: exp.Expression, left, right) -> bool:
    if isinstance(node, exp.GT):
        return left > right
    if isinstance(node, exp.GTE):
        return left >= right
    if isinstance(node, exp.LT):
        return left < right
    return left <= right


def holds(rule: Rule, values: Mapping[str, Value], prev: Mapping[str, Value] | None = None) -> bool:
    """False only when the rule is definitely violated (unknown counts as holding)."""
    return evaluate(rule.tree, values, prev) is not False


def fill(rule: Rule, rows: Sequence[Mapping[str, Value]]) -> Value:
    return evaluate(rule.tree, {}, None, rows)

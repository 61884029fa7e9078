"""Checking what a respondent typed: each value by its field's rules, then the form's checks.

`check_values(form, raw, prev=…, justifications=…, rosters=…)` never raises; it returns a `Checked` with
the typed values, Russian messages per field, the hard checks that fail (submission is blocked, the
fields they name are marked) and the soft checks that fail without a justification.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from msoko.engine.forms.checks import fill, holds, parse_rule
from msoko.engine.forms.model import CheckKind, FieldType, Form, FormField, RosterColumn

Value = float | int | str | None
_INT = re.compile(r"^[+-]?\d+$")
_YES = {"1", "да", "yes", "true", "истина", "+"}
_NO = {"0", "нет", "no", "false", "ложь", "-"}
# a roster row's code: Latin letters, digits, -/_/. with at least one digit — a pseudonym such as T-017,
# never a name («Иванов И.», «Ivanov»)
ROSTER_CODE = re.compile(r"^(?=.*[0-9])[A-Za-z0-9_\-.]{1,32}$")


def _number_text(text: str) -> str:
    return text.replace("\u00a0", "").replace(" ", "").replace(",", ".")


def parse_value(f: FormField | RosterColumn, raw: object) -> tuple[Value, str | None]:
    """(typed value, Russian error or None). Empty → None."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None, None
    if isinstance(raw, bool):
        raw = int(raw)
    text = str(raw).strip()
    if text == "":
        return None, None
    kind = f.type or FieldType.NUMBER
    value: Value
    if kind is FieldType.FLAG:
        low = text.casefold()
        if low in _YES:
            value = 1
        elif low in _NO:
            value = 0
        else:
            return None, f"ожидается «да» или «нет» (1 или 0), указано «{text}»"
    elif kind is FieldType.INT:
        number = _number_text(text)
        if number.endswith(".0"):
            number = number[:-2]
        if not _INT.match(number):
            return None, f"ожидается целое число, указано «{text}»"
        value = int(number)
    elif kind is FieldType.NUMBER:
        try:
            value = float(_number_text(text))
        except ValueError:
            return None, f"ожидается число, указано «{text}»"
        if not math.isfinite(value):
            return None, f"ожидается число, указано «{text}»"
    else:
        value = text
    if f.choices and value not in f.choices and str(value) not in {str(c) for c in f.choices}:
        return None, f"значение «{text}» не из списка: {', '.join(str(c) for c in f.choices)}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if f.min is not None and value < f.min:
            return None, f"значение {text} меньше допустимого ({_fmt(f.min)})"
        if f.max is not None and value > f.max:
            return None, f"значение {text} больше допустимого ({_fmt(f.max)})"
    return value, None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@dataclass
class Failed:
    code: str
    message: str
    fields: tuple[str, ...]
    kind: CheckKind


@dataclass
class Checked:
    values: dict[str, Value] = field(default_factory=dict)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    hard: list[Failed] = field(default_factory=list)
    soft: list[Failed] = field(default_factory=list)  # every failing soft check (justified or not)
    unjustified: list[Failed] = field(default_factory=list)
    roster_errors: list[str] = field(default_factory=list)
    filled: int = 0
    total: int = 0

    @property
    def can_submit(self) -> bool:
        return not (self.field_errors or self.hard or self.unjustified or self.roster_errors)

    def messages(self) -> dict[str, list[str]]:
        """Field code → every message to show beside it (errors, failing checks)."""
        out: dict[str, list[str]] = {k: list(v) for k, v in self.field_errors.items()}
        for failed in self.hard + self.soft:
            for code in failed.fields:
                out.setdefault(code, []).append(failed.message)
        return out

    def blocking(self) -> list[str]:
        """Russian lines naming each reason submission is refused, with the field's code."""
        lines = [f"поле «{code}»: {m}" for code, ms in self.field_errors.items() for m in ms]
        lines += [f"проверка «{f.code}» ({', '.join(f.fields)}): {f.message}" for f in self.hard]
        lines += [f"проверка «{f.code}» ({', '.join(f.fields)}): {f.message} — нужно обоснование"
                  for f in self.unjustified]
        return lines + self.roster_errors


def roster_values(form: Form, rosters: Mapping[str, list[dict]] | None) -> tuple[dict[str, Value], list[str]]:
    """The dataset columns rosters fill, and Russian errors in roster rows (a code that looks like a name)."""
    out: dict[str, Value] = {}
    errors: list[str] = []
    for roster in form.rosters:
        typed_rows = []
        for number, row in enumerate((rosters or {}).get(roster.code, []), start=1):
            code = str(row.get("code", "")).strip()
            if not ROSTER_CODE.match(code):
                errors.append(f"список «{roster.title}», строка {number}: код «{code}» — нужен псевдоним без "
                              "пробелов (например, T-017), не ФИО")
            typed = {"code": code}
            for column in roster.columns:
                value, error = parse_value(column, row.get(column.code))
                if error:
                    errors.append(f"список «{roster.title}», строка {number}, «{column.label}»: {error}")
                typed[column.code] = value
            typed_rows.append(typed)
        if roster.code not in (rosters or {}):
            continue  # a roster not listed: its totals are typed directly (Excel template, import)
        columns = frozenset(c.code for c in roster.columns) | {"code"}
        for column, text in roster.fills.items():
            rule, _ = parse_rule(text, columns, aggregate=True)
            if rule is not None:
                out[column] = fill(rule, typed_rows)
    return out, errors


def check_values(form: Form, raw: Mapping[str, object], *, prev: Mapping[str, Value] | None = None,
                 justifications: Mapping[str, str] | None = None,
                 rosters: Mapping[str, list[dict]] | None = None) -> Checked:
    result = Checked()
    for f in form.fields:
        value, error = parse_value(f, raw.get(f.code))
        result.total += 1
        if error:
            result.field_errors.setdefault(f.code, []).append(error)
            continue
        if value is None and f.required:
            result.field_errors.setdefault(f.code, []).append("обязательное поле не заполнено")
        if value is not None:
            result.filled += 1
        result.values[f.code] = value
    for roster in form.rosters:
        if roster.code in (rosters or {}):
            continue
        for column in roster.fills:
            total = FormField(code=column, type=FieldType.INT, min=0)
            value, error = parse_value(total, raw.get(column))
            if error:
                result.field_errors.setdefault(column, []).append(error)
            else:
                result.values[column] = value
    filled, roster_errors = roster_values(form, rosters)
    result.values.update(filled)
    result.roster_errors = roster_errors
    codes = frozenset(form.columns_filled())
    justified = {k for k, v in (justifications or {}).items() if v and str(v).strip()}
    for check in form.checks:
        rule, _ = parse_rule(check.rule, codes)
        if rule is None:
            continue
        if any(code in result.field_errors for code in rule.fields()):
            continue  # the field's own error is shown; the check waits for a valid value
        if holds(rule, result.values, prev):
            continue
        failed = Failed(check.code, check.message, tuple(sorted(rule.fields())), check.kind)
        if check.kind is CheckKind.HARD:
            result.hard.append(failed)
        else:
            result.soft.append(failed)
            if check.code not in justified:
                result.unjustified.append(failed)
    return result

"""Figures as Russian text and their judgement against a reference: a sign, a word and a colour class.

Colour is never the only carrier: every judged cell also gets an arrow (▲ ▼ =) and words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from msoko.engine import zones
from msoko.engine.catalog.model import Indicator

HIGHER, LOWER = "higher_is_better", "lower_is_better"


def _num(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    return text.replace("-", "−")


def is_share(indicator: Indicator | None) -> bool:
    return indicator is not None and str(indicator.kind) == "share"


def fmt(value, indicator: Indicator | None) -> str:
    """A value as shown: shares as percent (stored as a fraction 0–1), counts whole, the rest with 2 digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if is_share(indicator):
        return f"{_num(value * 100, 1)} %"
    if indicator is not None and str(indicator.kind) == "count":
        return _num(value, 0)
    return _num(value, 2)


def fmt_change(value, indicator: Indicator | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "+" if value > 0 else ""
    if is_share(indicator):
        return f"{sign}{_num(value * 100, 1)} п.п."
    return f"{sign}{_num(value, 2)}"


def direction(indicator: Indicator | None) -> str:
    return str(indicator.direction) if indicator is not None else "neutral"


def compare(value, reference, indicator: Indicator | None) -> int | None:
    """+1 better than the reference, −1 worse, 0 equal or no direction; None when either is missing."""
    if value is None or reference is None:
        return None
    if abs(value - reference) < 1e-9:
        return 0
    d = direction(indicator)
    if d == HIGHER:
        return 1 if value > reference else -1
    if d == LOWER:
        return 1 if value < reference else -1
    return 0


@dataclass(frozen=True)
class Mark:
    css: str  # good / bad / same / none
    sign: str  # ▲ ▼ =
    text: str  # words for screen readers and print


def against(value, reference, indicator: Indicator | None, what: str) -> Mark | None:
    """How a value stands against a reference named `what` («региона», «цели»…)."""
    verdict = compare(value, reference, indicator)
    if verdict is None:
        return None
    arrow = "=" if abs(value - reference) < 1e-9 else ("▲" if value > reference else "▼")
    if verdict > 0:
        return Mark("good", arrow, f"лучше {what}")
    if verdict < 0:
        return Mark("bad", arrow, f"хуже {what}")
    return Mark("same", arrow, f"на уровне {what}" if arrow == "=" else ("выше " if arrow == "▲" else "ниже ") + what)


def versus(row: dict | None, reference, indicator: Indicator | None, what: str) -> Mark | None:
    """How a stored value stands against a reference by the one problem-zone rule (`engine.zones`): «лучше» /
    «хуже» only when the reference lies outside the value's own interval and the group is large enough;
    a difference inside the interval reads «на уровне»; an unjudged value (no direction, a small group)
    gets the plain «выше»/«ниже» without colour."""
    if row is None or row.get("value") is None or reference is None:
        return None
    value = row["value"]
    verdict = zones.judge(row, indicator, reference)
    arrow = "=" if abs(value - reference) < 1e-9 else ("▲" if value > reference else "▼")
    if verdict is None:
        return Mark("same", arrow, f"на уровне {what}" if arrow == "=" else ("выше " if arrow == "▲" else "ниже ") + what)
    if verdict > 0:
        return Mark("good", arrow, f"лучше {what}")
    if verdict < 0:
        return Mark("bad", arrow, f"хуже {what}")
    return Mark("same", "=", f"на уровне {what}")


def trend_of(row: dict | None, indicator: Indicator | None) -> Mark | None:
    """The change since last year by the one rule: «ухудшение» / «улучшение» only when last year's value lies
    outside this year's interval; otherwise «без значимых изменений»."""
    if row is None:
        return None
    change = row.get("change")
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return None
    arrow = "=" if abs(change) < 1e-9 else ("▲" if change > 0 else "▼")
    verdict = zones.judge(row, indicator, zones.previous_value(row))
    if verdict is None:
        return Mark("same", arrow, "без изменений" if arrow == "=" else "изменение")
    if verdict == 0:
        return Mark("same", arrow, "без значимых изменений")
    return Mark("good" if verdict > 0 else "bad", arrow, "улучшение" if verdict > 0 else "ухудшение")


def target_mark(value, target, indicator: Indicator | None) -> Mark | None:
    if value is None or target is None:
        return None
    met = compare(value, target, indicator)
    if met is None:
        return None
    label = fmt(target, indicator)
    if met >= 0:
        return Mark("good", "✓", f"цель {label} достигнута")
    return Mark("bad", "✗", f"цель {label} не достигнута")


def trend_mark(change, indicator: Indicator | None) -> Mark | None:
    """The change since last year judged by the indicator's direction."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return None
    verdict = compare(change, 0.0, indicator)
    arrow = "=" if abs(change) < 1e-9 else ("▲" if change > 0 else "▼")
    if verdict is None or verdict == 0:
        return Mark("same", arrow, "без изменений" if arrow == "=" else "изменение")
    return Mark("good" if verdict > 0 else "bad", arrow, "улучшение" if verdict > 0 else "ухудшение")


KIND_RU = {"share": "доля", "mean": "среднее", "count": "количество", "ratio": "отношение",
           "form_value": "значение из формы"}
DIRECTION_RU = {HIGHER: "чем больше, тем лучше", LOWER: "чем меньше, тем лучше", "neutral": "без оценки направления"}

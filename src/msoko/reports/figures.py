"""One indicator value as report text: the figure, its table cell, and the sentences built from the numbers.

Judgements follow the one problem-zone rule of `msoko.engine.zones`: a difference from a reference (the
municipality, the region, last year) is called significant only when the reference lies outside the
value's 95 % interval; values on groups below the indicator's minimum size are never judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from msoko.engine import zones
from msoko.engine.catalog.model import Indicator
from msoko.reports import ru
from msoko.reports.model import Cell

HIGHER, LOWER = "higher_is_better", "lower_is_better"
EPS = 1e-9


def is_share(ind: Indicator | None) -> bool:
    return ind is not None and str(ind.kind) == "share"


def shown(value, ind: Indicator | None) -> str:
    """A stored value as the reports print it: shares in percent, counts whole, means with their unit."""
    if ru.missing(value):
        return "—"
    if is_share(ind):
        return ru.percent(value)
    kind = str(ind.kind) if ind else ""
    unit = ind.unit if ind else ""
    if unit == "да/нет":  # a unit's own flag; above a unit, the share of the units under it that have it
        if value in (0, 1):
            return "да" if value else "нет"
        return f"да у {ru.percent(value)}"
    if kind == "count":
        return ru.with_unit(value, unit, 0)
    return ru.with_unit(value, unit, _digits(ind))


def number_format(ind: Indicator | None) -> str:
    if is_share(ind):
        return "0.0%"
    return "0" if ind is not None and str(ind.kind) == "count" else "0.00"


def cell(value, ind: Indicator | None) -> Cell:
    if ru.missing(value):
        return Cell("—")
    return Cell(shown(value, ind), float(value), number_format(ind))


def change_cell(change, ind: Indicator | None) -> Cell:
    if ru.missing(change):
        return Cell("—")
    text = ru.points_short(change) if is_share(ind) else ru.number(change, _digits(ind), signed=True)
    return Cell(text, float(change), "+0.0%;-0.0%;0.0%" if is_share(ind) else "+0.00;-0.00;0.00")


def difference(delta: float, ind: Indicator | None) -> str:
    """The size of a difference: «2,1 процентного пункта» for shares, «3,4 балла» for means."""
    if is_share(ind):
        return ru.points(delta)
    return ru.with_unit(abs(delta), ind.unit if ind else "", _digits(ind))


def _rounds_to_zero(delta: float, ind: Indicator | None) -> bool:
    """A difference that prints as zero («0,0 процентного пункта») is called no difference."""
    return not any(ch in "123456789" for ch in difference(delta, ind).split(" ")[0])


def _digits(ind: Indicator | None) -> int:
    if ind is not None and str(ind.kind) == "count":
        return 0  # people and units change by whole numbers: «на 7 человек», not «на 7,00 человека»
    return 1 if ind is not None and ind.unit == "балл" else 2


def verdict(value: float, reference: float, ind: Indicator | None) -> int:
    """+1 better than the reference, −1 worse, 0 equal or the indicator has no direction."""
    if abs(value - reference) < EPS:
        return 0
    direction = str(ind.direction) if ind else "neutral"
    if direction == HIGHER:
        return 1 if value > reference else -1
    if direction == LOWER:
        return 1 if value < reference else -1
    return 0


def quoted(name: str) -> str:
    """«…» around a name, its own «» turned into the inner „…“."""
    return "«" + name.replace("«", "„").replace("»", "“") + "»"


def outside_interval(row: dict, reference: float, ind: Indicator | None = None) -> bool | None:
    """The reference outside the value's own 95 % interval (None when it has none) — `engine.zones`."""
    if zones.interval(row, ind) is None:
        return None
    return zones.outside(row, ind, reference)


def target_of(row: dict, ind: Indicator | None, level: str) -> float | None:
    if not ru.missing(row.get("target")):
        return row["target"]
    return ind.target_for(row["year"], level) if ind else None


@dataclass(frozen=True)
class Reference:
    label: str  # «по муниципалитету», «по региону»
    row: dict | None


def _comparison(row: dict, ref: Reference, ind: Indicator | None) -> tuple[str, bool] | None:
    """«выше, чем по региону (78,0 %), на 7,3 процентного пункта», and whether it is a significant lag."""
    if ref.row is None or ru.missing(ref.row.get("value")):
        return None
    value, other = row["value"], ref.row["value"]
    if abs(value - other) < EPS or _rounds_to_zero(value - other, ind):
        return f"на уровне значения {ref.label} ({shown(other, ind)})", False
    word = "выше" if value > other else "ниже"
    text = f"{word}, чем {ref.label} ({shown(other, ind)}), на {difference(value - other, ind)}"
    beyond = outside_interval(row, other, ind)
    if beyond is not None and not row.get("under_min_group"):
        text += (" — за пределами доверительного интервала, различие значимо" if beyond
                 else " — в пределах доверительного интервала, различие может быть случайным")
    lag = zones.judge(row, ind, other) == -1
    return text, lag


def sentences(row: dict, ind: Indicator | None, level: str, refs: list[Reference],
              previous_year: int | None = None) -> str:
    """The paragraph about one value: figure, change, comparisons, target, interval, place."""
    name = ind.name if ind else row["indicator"]
    year = row["year"]
    parts = [f"Значение показателя {quoted(name)} в {ru.year_ru(year)} — {shown(row['value'], ind)}"]
    if not ru.missing(row.get("numerator")) and not ru.missing(row.get("denominator")) and is_share(ind):
        parts[0] += f" ({ru.number(row['numerator'], 0)} из {ru.number(row['denominator'], 0)})"
    if not parts[0].endswith("."):  # «2 ед.» already ends the sentence
        parts[0] += "."
    change = row.get("change")
    if not ru.missing(change):
        since = f"По сравнению с {ru.year_ru(previous_year or year - 1)}"
        if abs(change) < EPS or _rounds_to_zero(change, ind):
            parts.append(f"{since} значение не изменилось (в пределах точности округления).")
        else:
            word = "выросло" if change > 0 else "снизилось"
            judged = zones.judge(row, ind, zones.previous_value(row))
            tail = {1: " — это значимое улучшение", -1: " — это значимое ухудшение",
                    0: " — в пределах доверительного интервала", None: ""}[judged]
            parts.append(f"{since} значение {word} на {difference(change, ind)}{tail}.")
    compared = [c for c in (_comparison(row, ref, ind) for ref in refs) if c]
    if compared:
        parts.append("Это " + "; ".join(text for text, _ in compared) + ".")
    # a municipality's or the region's справка shows the interval and the place in the table right after the
    # text; saying them again in every paragraph made it twice as long
    brief = level != "organisation"
    if not brief and not ru.missing(row.get("ci_low")) and not ru.missing(row.get("ci_high")):
        parts.append(f"95-процентный доверительный интервал: {shown(row['ci_low'], ind)} – "
                     f"{shown(row['ci_high'], ind)}.")
    target = target_of(row, ind, level)
    if target is not None:
        met = verdict(row["value"], target, ind) >= 0
        if met:
            parts.append(f"Целевое значение {shown(target, ind)} достигнуто.")
        else:
            parts.append(f"Целевое значение {shown(target, ind)} не достигнуто: разница — "
                         f"{difference(row['value'] - target, ind)}.")
    if not brief and row.get("rank") and (row.get("peers") or 0) > 1:
        parts.append(f"Место {row['rank']} из {row['peers']} {LEVEL_PLACE.get(level, '')}.".replace(" .", "."))
    if row.get("under_min_group"):
        parts.append(f"Результатов меньше минимального числа ({ind.min_group_size if ind else '—'}): "
                     "вывод предварительный, значение не сравнивается.")
    return ru.one_full_stop(" ".join(parts))


LEVEL_PLACE = {"organisation": "среди организаций", "municipality": "среди муниципалитетов", "region": "среди регионов"}


@dataclass(frozen=True)
class Problem:
    indicator: str
    name: str
    dataset: str
    reasons: tuple[str, ...]
    value: str
    reference: str
    gap: float = 0.0  # the largest difference behind it (a missed target weighs most): orders the zones


def problem(row: dict, ind: Indicator | None, level: str, reference: Reference | None,
            previous: dict | None = None, org_kind: str | None = None) -> Problem | None:
    """A problem zone by the one rule (`msoko.engine.zones`), against the region (`reference`) and last year."""
    if ind is None or not zones.applies(ind, level, org_kind):
        return None
    other = reference.row["value"] if reference is not None and reference.row is not None else None
    found = zones.findings(row, ind, level, region=None if ru.missing(other) else other)
    if not found:
        return None
    gap = max((1.0 if f.comparison == "target" else 0.0) + abs(row["value"] - f.reference) /
              (1.0 if is_share(ind) else max(abs(f.reference), 1e-9)) for f in found)
    return Problem(ind.code, ind.name, ind.dataset, tuple(f.reason for f in found), shown(row["value"], ind),
                   "—" if ru.missing(other) else shown(other, ind), gap)

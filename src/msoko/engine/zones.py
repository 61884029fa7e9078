"""The one rule of a problem zone, shared by the pages, the drafted recommendations, the справки and
`msoko export problems`.

A stored value is judged only when the indicator has a direction, the value exists and its group meets the
indicator's minimum size (`min_group_size`; `under_min_group` as stored). Then:

- a difference from the region, the municipality or the previous year counts only when that reference lies
  outside the unit's own 95 % interval (`ci_low`–`ci_high` as stored: Wilson for shares; for a share
  stored without one, Wilson from its numerator and denominator). A value without an interval (a mean
  the engine has no interval for, a count) is not judged against a reference: never a problem by it;
- a target counts whenever it is missed (a target is a norm, not an estimate);
- an indicator that does not apply to a unit is never shown for it (`applies`): a share of organisations
  («доля школ ШНОР») on one organisation's page, an indicator restricted to other kinds of organisation,
  school results (ВПР, ОГЭ, ЕГЭ…) for a kindergarten or an УДО.

`judge` returns the verdict of one value against one reference (+1 significantly better, −1 significantly
worse, 0 no significant difference, None not judged); `findings` lists what makes a value a problem zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from msoko.engine.catalog.model import Indicator

HIGHER, LOWER = "higher_is_better", "lower_is_better"
COMPARISONS = ("region", "municipality", "target", "previous_year")
Z = 1.959963984540054  # the 95 % quantile the engine's intervals use
EPS = 1e-9

# What a comparison is called in a sentence («хуже региона»), per comparison code.
GENITIVE = {"region": "региона", "municipality": "муниципалитета", "previous_year": "прошлого года"}

# Datasets of pupils' results and school-only forms: they say nothing about a kindergarten or an УДО.
SCHOOL_DATASETS = frozenset({"vpr", "oge", "ege", "results_by_org", "primary_results", "graduates", "func_literacy",
                             "risk_lists", "form_shnor", "context"})
# Datasets with one row per organisation: a share over them counted with count(*) is a share *of
# organisations* and means nothing for one organisation.
ORGANISATION_ROWS = frozenset({"risk_lists", "form_shnor", "form_preschool", "form_upbringing", "form_talents",
                               "form_careers", "context"})
MUNICIPALITY_DATASETS = frozenset({"form_municipality", "mm_federal"})


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_share(ind: Indicator | None) -> bool:
    return ind is not None and str(ind.kind) == "share"


def direction(ind: Indicator | None) -> str:
    return str(ind.direction) if ind is not None else "neutral"


def applies(ind: Indicator | None, level: str, org_kind: str | None = None) -> bool:
    """Whether the indicator means something for a unit of `level` (of kind `org_kind`, for an organisation)."""
    if ind is None or level != "organisation":
        return True
    if ind.dataset in MUNICIPALITY_DATASETS:
        return False
    if ind.filters.org_kind and org_kind and org_kind not in ind.filters.org_kind:
        return False
    if org_kind not in (None, "school") and ind.dataset in SCHOOL_DATASETS:
        return False
    formula = " ".join(ind.formula.lower().split())
    return not (ind.dataset in ORGANISATION_ROWS and is_share(ind) and formula.endswith("/ count(*)"))


def judged(row: dict | None, ind: Indicator | None) -> bool:
    """A value the rule may judge: a direction, a value, a group of at least the minimum size."""
    if row is None or ind is None or direction(ind) not in (HIGHER, LOWER) or _missing(row.get("value")):
        return False
    if row.get("under_min_group"):
        return False
    size = row.get("group_size")
    return _missing(size) or ind.min_group_size <= 0 or size >= ind.min_group_size


def interval(row: dict, ind: Indicator | None) -> tuple[float, float] | None:
    """The unit's own 95 % interval: the stored one, else Wilson from a share's numerator and denominator."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if not _missing(low) and not _missing(high):
        return float(low), float(high)
    n, x = row.get("denominator"), row.get("numerator")
    if not is_share(ind) or _missing(n) or _missing(x) or n <= 0:
        return None
    p = x / n
    centre = p + Z * Z / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - spread) / (1 + Z * Z / n), (centre + spread) / (1 + Z * Z / n)


def better(value: float, reference: float, ind: Indicator | None) -> int:
    """+1 better than the reference by the indicator's direction, −1 worse, 0 equal or no direction."""
    if abs(value - reference) < EPS:
        return 0
    d = direction(ind)
    if d == HIGHER:
        return 1 if value > reference else -1
    if d == LOWER:
        return 1 if value < reference else -1
    return 0


def outside(row: dict, ind: Indicator | None, reference: float) -> bool:
    """The reference lies outside the unit's own interval (False when there is no interval)."""
    found = interval(row, ind)
    return found is not None and (reference < found[0] - EPS or reference > found[1] + EPS)


def judge(row: dict | None, ind: Indicator | None, reference) -> int | None:
    """+1 significantly better than `reference`, −1 significantly worse, 0 no significant difference,
    None when the value is not judged (no direction, a small group, no reference, no interval)."""
    if not judged(row, ind) or _missing(reference) or interval(row, ind) is None:
        return None
    if not outside(row, ind, float(reference)):
        return 0
    return better(row["value"], float(reference), ind)


def previous_value(row: dict) -> float | None:
    change = row.get("change")
    if _missing(change) or _missing(row.get("value")):
        return None
    return row["value"] - change


def target_of(row: dict, ind: Indicator | None, level: str, target: float | None = None) -> float | None:
    """The target that applies: one given by the caller (a cycle's), the stored one, the catalog's."""
    if target is not None:
        return target
    if not _missing(row.get("target")):
        return row["target"]
    return ind.target_for(row["year"], level) if ind is not None else None


def missed(row: dict | None, ind: Indicator | None, target: float | None) -> bool:
    """A target counts whenever it is missed (small groups and values without direction are not judged)."""
    return target is not None and judged(row, ind) and better(row["value"], target, ind) < 0


def shown(value, ind: Indicator | None) -> str:
    """A value in Russian: shares in percent with a decimal comma, the rest with two decimals and the unit."""
    if _missing(value):
        return "—"
    if is_share(ind):
        return f"{value * 100:.1f}".replace(".", ",").replace("-", "−") + " %"
    digits = 0 if ind is not None and str(ind.kind) == "count" else (1 if ind is not None and ind.unit == "балл" else 2)
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace("-", "−")
    unit = ind.unit if ind is not None and ind.unit and ind.unit not in ("%", "доля") else ""
    return f"{text} {unit}".strip()


@dataclass(frozen=True)
class Finding:
    """One reason a value is a problem zone."""

    comparison: str  # region | municipality | target | previous_year
    reference: float
    reason: str  # a Russian phrase: «значимо хуже региона (88,4 %)»


def findings(row: dict | None, ind: Indicator | None, level: str, *, region: float | None = None,
             municipality: float | None = None, target: float | None = None,
             use_previous: bool = True) -> list[Finding]:
    """What makes the value a problem zone, target first; [] when it is none (or is not judged)."""
    if not judged(row, ind):
        return []
    out = []
    goal = target_of(row, ind, level, target)
    if missed(row, ind, goal):
        word = "ниже цели" if direction(ind) == HIGHER else "выше допустимого значения"
        out.append(Finding("target", goal, f"{word} {shown(goal, ind)}"))
    for comparison, reference in (("region", region), ("municipality", municipality)):
        if judge(row, ind, reference) == -1:
            out.append(Finding(comparison, float(reference),
                               f"значимо хуже {GENITIVE[comparison]} ({shown(reference, ind)})"))
    before = previous_value(row) if use_previous else None
    if before is not None and judge(row, ind, before) == -1:
        out.append(Finding("previous_year", before,
                           f"значимое ухудшение за год ({shown(before, ind)} → {shown(row['value'], ind)})"))
    return out


@dataclass(frozen=True)
class Zone:
    """A problem zone: one value of one unit with its findings (the rows of `msoko export problems`)."""

    level: str
    id: str
    year: int
    indicator: str
    subject: str | None
    grade: int | None
    value: float
    findings: tuple[Finding, ...]


def zones(rows, catalog_indicators: dict[str, Indicator], *, kinds: dict[str, str] | None = None,
          parents: dict[str, str] | None = None, regions: dict[str, str] | None = None) -> list[Zone]:
    """Problem zones over stored rows (dicts with the result columns; extra columns are ignored).

    `kinds`: organisation id → kind; `parents`: organisation id → municipality id; `regions`: municipality
    (and organisation) id → region id. References are looked up among the same rows (same year, subject,
    grade and indicator)."""
    rows = list(rows)
    kinds, parents, regions = kinds or {}, parents or {}, regions or {}
    index = {(r["level"], r["id"], r["year"], r["indicator"], r.get("subject"), r.get("grade")): r for r in rows}

    def value_of(level: str, code: str | None, row: dict) -> float | None:
        if code is None:
            return None
        found = index.get((level, code, row["year"], row["indicator"], row.get("subject"), row.get("grade")))
        return None if found is None else found.get("value")

    out = []
    for row in rows:
        ind = catalog_indicators.get(row["indicator"])
        level = row["level"]
        if level not in ("organisation", "municipality", "region"):
            continue
        if not applies(ind, level, kinds.get(row["id"])):
            continue
        muni = parents.get(row["id"]) if level == "organisation" else None
        region = None if level == "region" else regions.get(row["id"]) or regions.get(muni or "")
        found = findings(row, ind, level, region=value_of("region", region, row),
                         municipality=value_of("municipality", muni, row))
        if found:
            out.append(Zone(level, row["id"], int(row["year"]), row["indicator"], row.get("subject"),
                            row.get("grade"), float(row["value"]), tuple(found)))
    return out

"""Targeted recommendations drafted from the data, and the effectiveness conclusions drafted from the verdicts.

Rules (written out for users in docs/cycle.ru.md), applied to the organisations the cycle may address, for
the latest year of the current result run:

- `shnor` (systems 1.1 and 1.2): the school is on the ШНОР list of that year → an anti-risk programme, a
  diagnosis of the teachers' professional deficits and a mentor school; the detection's explanation quoted.
- `shnsu` (system 1.2): the school is on the ШНСУ list → compensating measures for its social context.
- `objectivity` (system 1.1): signs of non-objective ВПР results that year → independent observers, a
  re-check of the papers and a review of the school's internal assessment; the explanations quoted.
- `problems` (every system): the school's problem zones among the cycle's indicators (or, when the cycle
  has none chosen yet, the system's computed indicators), by the one rule of `msoko.engine.zones`: the
  cycle's (or the catalog's) target missed, or significantly worse than the region, or a significant
  worsening over the year (the reference outside the school's own 95 % interval); under-sized groups and
  indicators that do not apply to the school are skipped.

A draft is never duplicated: the same rule for the same organisation, cycle and year is skipped. Drafts are
editable and reach the school only when issued.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from msoko.engine import zones
from msoko.engine.effectiveness import VERDICT_RU
from msoko.reports import labels
from msoko.web.cycle.effects import measure_effect
from msoko.web.cycle.models import Cycle, CycleIndicator, EffectivenessReview, Recommendation
from msoko.web.cycle.services import organisations_of
from msoko.web.dashboards import marks
from msoko.web.dashboards.data import Snapshot, snapshot
from msoko.web.registry.lookup import region_of

RULES = {
    "shnor": "школа в списке ШНОР",
    "shnsu": "школа в списке ШНСУ",
    "objectivity": "признаки необъективности результатов",
    "problems": "проблемные зоны по показателям цикла",
}
RULES_BY_SYSTEM = {"1.1": ("objectivity", "shnor", "problems"), "1.2": ("shnor", "shnsu", "problems")}


def risk_rows(snap: Snapshot, year: int, codes: set[str]) -> dict[str, dict]:
    """The stored ШНОР/ШНСУ rows of `year` for the organisations `codes`, by organisation code."""
    if snap.risk.is_empty():
        return {}
    df = snap.risk.filter((pl.col("year") == year) & pl.col("org_id").is_in(list(codes)))
    return {row["org_id"]: row for row in df.iter_rows(named=True)}


def _objectivity(snap: Snapshot, year: int, codes: set[str]) -> dict[str, list[str]]:
    if snap.objectivity.is_empty():
        return {}
    df = snap.objectivity.filter((pl.col("year") == year) & pl.col("flagged") & pl.col("org_id").is_in(list(codes)))
    out: dict[str, list[str]] = {}
    for row in df.sort(["org_id", "subject", "grade"]).iter_rows(named=True):
        said = " ".join(labels.sentences(row.get("signs"), labels.SIGN_SENTENCE)) or "признаки необъективности."
        out.setdefault(row["org_id"], []).append(f"{row['subject']}, {row['grade']} класс — {said.rstrip('.')}")
    return out


def _indicator_codes(cycle: Cycle, snap: Snapshot) -> list[str]:
    chosen = list(dict.fromkeys(CycleIndicator.objects.filter(cycle=cycle).values_list("indicator", flat=True)))
    if chosen:
        return chosen
    return [c for c in snap.computed if (ind := snap.indicators.get(c)) and ind.system == cycle.system
            and (not cycle.track or ind.track == cycle.track)]


def _problems(cycle: Cycle, snap: Snapshot, year: int, codes: set[str], region_code: str,
              kinds: dict[str, str]) -> dict[str, list[str]]:
    """The problem zones of each organisation by the one rule (`engine.zones`), with the cycle's targets."""
    indicators = [c for c in _indicator_codes(cycle, snap) if zones.direction(snap.indicators.get(c)) != "neutral"]
    if not indicators:
        return {}
    targets = {(t.indicator): t.target for t in CycleIndicator.objects.filter(cycle=cycle, year=year)}
    own = snap.slice(level="organisation", year=year, indicators=indicators, ids=list(codes))
    region = {r["indicator"]: r["value"] for r in
              snap.slice(level="region", year=year, indicators=indicators, ids=[region_code]).iter_rows(named=True)}
    out: dict[str, list[str]] = {}
    for row in own.sort(["id", "indicator"]).iter_rows(named=True):
        ind = snap.indicators.get(row["indicator"])
        if not zones.applies(ind, "organisation", kinds.get(row["id"])):
            continue
        found = zones.findings(row, ind, "organisation", region=region.get(row["indicator"]),
                               target=targets.get(row["indicator"]))
        if not found:
            continue
        name = ind.name if ind else row["indicator"]
        out.setdefault(row["id"], []).append(
            f"{name} — {marks.fmt(row['value'], ind)} ({'; '.join(f.reason for f in found)})")
    return out


def _text(rule: str, year: int, detail) -> str:
    next_year = f"{year}/{str(year + 1)[-2:]}"
    if rule == "shnor":
        why = f" {detail}" if detail else ""
        return (f"По итогам {year} года школа относится к школам с низкими результатами обучения (ШНОР).{why} "
                f"Рекомендуется: разработать и утвердить программу повышения качества образования (антирисковую "
                f"программу) на {next_year} учебный год; провести диагностику профессиональных дефицитов учителей "
                f"русского языка и математики и направить их на адресное повышение квалификации; закрепить за школой "
                f"школу-наставника с более высокими результатами из числа школ в сопоставимых условиях.")
    if rule == "shnsu":
        index = f" (индекс социального благополучия {detail:.0f} из 100)" if detail is not None else ""
        return (f"По итогам {year} года школа функционирует в неблагоприятных социальных условиях (ШНСУ){index}. "
                f"Рекомендуется: предусмотреть компенсирующие меры — индивидуальные образовательные маршруты и "
                f"дополнительные занятия для обучающихся с трудностями в обучении, работу с семьями, привлечение "
                f"социального педагога и психолога, участие в программах поддержки ШНСУ.")
    if rule == "objectivity":
        return (f"В результатах ВПР {year} года выявлены признаки необъективности: {'; '.join(detail)}. "
                f"Рекомендуется: обеспечить независимое общественное наблюдение при проведении ВПР, организовать "
                f"перепроверку работ предметной комиссией, проанализировать систему внутришкольного оценивания "
                f"(соответствие текущих отметок результатам ВПР) и принять меры по её объективности.")
    return (f"Проблемные зоны по итогам {year} года: {'; '.join(detail)}. Рекомендуется: рассмотреть причины на "
            f"педагогическом совете и методических объединениях, включить эти показатели с целевыми значениями в "
            f"план внутренней системы оценки качества образования на {next_year} учебный год и отчитаться о "
            f"принятых мерах.")


def draft_recommendations(cycle: Cycle, snap: Snapshot | None = None) -> list[Recommendation]:
    """Create draft recommendations by the rules above; returns the new drafts (existing ones are kept)."""
    snap = snap or snapshot()
    if not snap.years:
        return []
    year = snap.years[-1]
    organisations = {o.code: o for o in organisations_of(cycle.entity)}
    codes = set(organisations)
    rules = RULES_BY_SYSTEM.get(cycle.system, ("problems",))
    found: list[tuple[str, str, object]] = []
    risk = risk_rows(snap, year, codes) if {"shnor", "shnsu"} & set(rules) else {}
    for code, row in sorted(risk.items()):
        if "shnor" in rules and row.get("shnor"):
            found.append(("shnor", code, " ".join(labels.sentences(row.get("reasons"), labels.REASON_SENTENCE))))
        if "shnsu" in rules and row.get("shnsu"):
            found.append(("shnsu", code, row.get("social_index")))
    if "objectivity" in rules:
        found += [("objectivity", code, lines) for code, lines in sorted(_objectivity(snap, year, codes).items())]
    if "problems" in rules:
        region = region_of(cycle.entity)
        kinds = {code: org.kind for code, org in organisations.items()}
        found += [("problems", code, lines) for code, lines in
                  sorted(_problems(cycle, snap, year, codes, region.code, kinds).items())]
    existing = set(Recommendation.objects.filter(cycle=cycle, year=year).values_list("rule", "organisation__code"))
    created = []
    for rule, code, detail in found:
        if (rule, code) in existing:
            continue
        created.append(Recommendation.objects.create(cycle=cycle, organisation=organisations[code], rule=rule,
                                                     year=year, text=_text(rule, year, detail)))
    return created


def draft_review(cycle: Cycle, snap: Snapshot | None = None) -> EffectivenessReview | None:
    """An effectiveness conclusion drafted from the computed verdict of each measure (editable afterwards)."""
    measures = list(cycle.measures.prefetch_related("organisations"))
    if not measures:
        return None
    snap = snap or snapshot()
    lines, counts = [], {}
    for m in measures:
        result = measure_effect(m, snap)
        label = VERDICT_RU.get(result.verdict, "нет вывода") if result.verdict else "нет вывода"
        counts[label] = counts.get(label, 0) + 1
        lines.append(f"«{m.title}» ({m.get_status_display()}): {result.text}")
    summary = "; ".join(f"{k} — {v}" for k, v in sorted(counts.items()))
    text = (f"Оценка эффективности мер по данным ({date.today():%d.%m.%Y}): мероприятий {len(measures)}, из них {summary}.\n"
            + "\n".join(lines))
    return EffectivenessReview.objects.create(cycle=cycle, conclusions=text)

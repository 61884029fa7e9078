"""The cycle's part of a report: `digest_for(level, code)` → plain, JSON-able data (no scope checks here —
the caller decides who gets which report).

- region / municipality: completeness of that entity's cycles per system, its measures (with the
  effect computed from the data), its recommendations and decisions;
- organisation: only what targets that organisation — issued recommendations addressed to it and the
  measures aimed at it (from any cycle), with their effect; its own ВСОКО cycles' completeness and decisions.
"""

from __future__ import annotations

from django.db.models import Q

from msoko.web.cycle.effects import measure_effect
from msoko.web.cycle.models import STAGES, Decision, Measure, Recommendation, RecommendationStatus
from msoko.web.cycle.services import cycles_of, matrix
from msoko.web.dashboards.data import snapshot
from msoko.web.registry.lookup import LEVEL_MODELS


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _measure(m: Measure, snap) -> dict:
    result = measure_effect(m, snap)
    return {
        "title": m.title, "system": m.cycle.system, "deadline": _iso(m.deadline), "status": m.get_status_display(),
        "responsible": m.responsible, "organisations": sorted(o.code for o in m.organisations.all()),
        "indicators": list(m.indicators or []), "verdict": result.verdict, "effect": result.effect,
        "interval": list(result.interval) if result.interval else None, "verdict_text": result.text,
    }


def report_section(level: str, code: str) -> dict | None:
    """What the справка's «Управленческий цикл» section draws for an object: its digest, or None for an
    object the registry does not know (the report says so itself). An empty digest draws no section."""
    try:
        return digest_for(level, code)
    except LEVEL_MODELS[level].DoesNotExist:
        return None


def digest_for(level: str, code: str) -> dict:
    if level not in LEVEL_MODELS:
        raise ValueError(f"level must be one of {', '.join(LEVEL_MODELS)}")
    entity = LEVEL_MODELS[level].objects.get(code=code)
    snap = snapshot()
    completeness = []
    # a region's or municipality's every system of the framework, as the cycle page counts them (one
    # source: «1 из 8» on both); a school's own ВСОКО cycles only. Stages by their Russian names.
    for system in matrix(entity, snap.catalog):
        if level == "organisation" and not any(r.cycle for r in system.rows):
            continue
        filled = system.filled
        completeness.append({
            "system": system.code, "system_name": system.name,
            "stages_filled": [name for code, name in STAGES if code in filled],
            "stages_missing": [name for code, name in STAGES if code not in filled],
            "complete": system.complete,
        })
    cycles = cycles_of(entity)
    if level == "organisation":
        measures = Measure.objects.filter(Q(organisations=entity) | Q(cycle__in=cycles)).distinct()
        recommendations = Recommendation.objects.filter(organisation=entity).exclude(status=RecommendationStatus.DRAFT)
    else:
        measures = Measure.objects.filter(cycle__in=cycles)
        recommendations = Recommendation.objects.filter(cycle__in=cycles)
    measures = measures.select_related("cycle").prefetch_related("organisations").order_by("deadline", "pk")
    recommendations = recommendations.select_related("organisation").order_by("organisation__name", "pk")
    decisions = Decision.objects.filter(cycle__in=cycles).order_by("date", "pk")
    return {
        "completeness": completeness,
        "measures": [_measure(m, snap) for m in measures],
        "recommendations": [{"organisation": r.organisation.code, "organisation_name": r.organisation.name,
                             "text": r.text, "status": r.get_status_display()} for r in recommendations],
        "decisions": [{"number": d.number, "date": d.date.isoformat(), "content": d.content,
                       "responsible": d.responsible, "deadline": _iso(d.deadline)} for d in decisions],
    }

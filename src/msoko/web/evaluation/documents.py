"""The evaluation's documents filled from the database: the conclusion (from the same DossierResult the export
and the pages use, so their figures are equal), the statistical and the analytical справка."""

from __future__ import annotations

from django.utils import timezone

from msoko.engine.evaluation.scoring import RULE
from msoko.reports.evaluation.conclusion import build_conclusion
from msoko.reports.evaluation.data import CampaignData, ConclusionData, PositionLine, TotalLine
from msoko.reports.evaluation.render import to_bytes
from msoko.reports.evaluation.summary import build_analytical, build_statistical
from msoko.web.accounts.roles import Role
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Campaign, Dossier
from msoko.web.evaluation.services import DossierResult


def _evidence_lines(evidence: dict) -> tuple[str, ...]:
    out = []
    for stage, records in (evidence.get("stages") or {}).items():
        out.extend(f"{stage}: {r[:160]}" for r in records[:2])
    for d in evidence.get("documents") or []:
        out.append(f"документ «{d['title']}»" + (f" (нет: {', '.join(d['missing'])})" if d["missing"] else ""))
    return tuple(out)


def _total_lines(result: DossierResult) -> list[TotalLine]:
    rubric = result.dossier.campaign.rubric
    names = {s.code: s.name for s in rubric.systems} | {"total": "Итого"}
    return [TotalLine(t.key, names[t.key], t.score, t.max_score, t.percent, t.level.name if t.level else "")
            for t in result.totals]


def conclusion_data(result: DossierResult) -> ConclusionData:
    dossier = result.dossier
    campaign = dossier.campaign
    rubric = campaign.rubric
    assignments = list(dossier.assignments.select_related("expert").prefetch_related("positions"))
    by_expert = {a.pk: {p.position: p for p in a.positions.all()} for a in assignments if a.submitted}
    lines = []
    decisions = []
    for row in result.positions:
        p = row.position
        system = rubric.system(p.system)
        track = next(t for t in system.tracks if t.code == p.track)
        entries = [scores[p.code] for scores in by_expert.values() if p.code in scores]
        comments = tuple(e.comment for e in entries if e.comment)
        missed = tuple(q.name for q in p.parameters
                       if entries and (q.min < 0 and any(e.parameters.get(q.code, 0) < 0 for e in entries)
                                       or q.max > 0 and any(e.parameters.get(q.code, 0) < q.max for e in entries)))
        reason = ""
        for o in row.outcomes:
            decision = getattr(o, "decision", None)
            if decision:
                decisions.append((p.code, decision.reason, o.round))
                reason = decision.reason
        lines.append(PositionLine(p.system, system.name, track.name, p.code, p.name, p.max_score, row.score,
                                  row.status, comments, _evidence_lines(dossier.evidence.get("positions", {})
                                                                        .get(p.code, {})), missed, reason))
    chairs = {d.chair.get_full_name() or d.chair.username
              for o in dossier.outcomes.select_related("decision__chair") if getattr(o, "decision", None)
              for d in [o.decision] if d.chair}
    return ConclusionData(
        region=campaign.region.name, municipality=dossier.municipality.name,
        municipality_code=dossier.municipality.code, year=campaign.year, rubric_version=campaign.rubric_version,
        rubric_digest=campaign.rubric_digest, rule=RULE, levels_source=rubric.levels_source, positions=lines,
        totals=_total_lines(result),
        experts=[a.expert.get_full_name() or a.expert.username for a in assignments],
        chair=", ".join(sorted(chairs)) or (campaign.opened_by.username if campaign.opened_by else ""),
        decisions=decisions, appeals=[(a.round, a.text) for a in dossier.appeals.all()],
        dated=timezone.localdate().strftime("%d.%m.%Y"))


def conclusion_bytes(dossier: Dossier, fmt: str) -> bytes:
    result = services.dossier_result(dossier)
    return to_bytes(build_conclusion(conclusion_data(result)), fmt)


def _outcome_index(campaign: Campaign, codes: list[str]) -> tuple[dict[str, dict[str, float]], str]:
    """Per system, each municipality's outcome index: the mean percentile rank of its values of the system's
    indicators in the latest year computed (direction respected: higher is always better)."""
    try:
        from msoko.web.dashboards.data import snapshot

        snap = snapshot()
    except Exception:  # noqa: BLE001 — no computed results: the section says so
        return {}, "Показатели результатов ещё не рассчитаны (msoko compute)."
    if snap.catalog is None or snap.values.is_empty():
        return {}, "Показатели результатов ещё не рассчитаны (msoko compute)."
    out: dict[str, dict[str, float]] = {}
    year = None
    for system in campaign.rubric.systems:
        indicators = [i for i in snap.catalog.indicators if i.system == system.code and i.direction != "neutral"]
        if not indicators:
            continue
        df = snap.slice(level="municipality", indicators=[i.code for i in indicators], ids=codes)
        if df.is_empty():
            continue
        years = sorted(set(df["year"].to_list()))
        year = max([y for y in years if y <= campaign.year] or years)  # the campaign's year when computed
        df = df.filter(df["year"] == year)
        sums: dict[str, list[float]] = {}
        for ind in indicators:
            part = [(r["id"], r["value"]) for r in df.filter(df["indicator"] == ind.code).iter_rows(named=True)
                    if r["value"] is not None]
            if len(part) < 2:
                continue
            sign = 1 if ind.direction == "higher_is_better" else -1
            ordered = sorted(part, key=lambda kv: sign * kv[1])
            for pos, (muni, _) in enumerate(ordered):
                sums.setdefault(muni, []).append(pos / (len(ordered) - 1))
        if sums:
            out[system.code] = {m: sum(v) / len(v) for m, v in sums.items()}
    note = ("Индекс результатов системы — средний процентильный ранг муниципалитета по показателям системы "
            f"каталога за {year} год (направление «лучше» учтено); связь с баллом системы — ранговая корреляция "
            "Спирмена с 95 % интервалом (z-преобразование Фишера). Корреляция не доказывает причинность."
            if out else "Для систем рубрики нет рассчитанных показателей муниципалитетов.")
    return out, note


def campaign_data(campaign: Campaign, *, with_outcomes: bool = True) -> CampaignData:
    results = services.campaign_results(campaign)
    ranks = services.ranks(results)
    municipalities = [conclusion_data(r) for r in results]
    previous = services.previous_campaign(campaign)
    prev_lines = None
    if previous is not None:
        prev_lines = {r.dossier.municipality.code: _total_lines(r)[-1] for r in services.campaign_results(previous)}
    outcomes, note = _outcome_index(campaign, [m.municipality_code for m in municipalities]) if with_outcomes \
        else ({}, "")
    report = services.agreement(campaign)
    return CampaignData(
        region=campaign.region.name, year=campaign.year, rubric_version=campaign.rubric_version,
        systems=[(s.code, s.name, s.max_score) for s in campaign.rubric.systems], municipalities=municipalities,
        ranks={r.dossier.municipality.code: ranks[r.dossier.pk] for r in results}, previous=prev_lines,
        previous_year=previous.year if previous else None, outcomes=outcomes, outcome_note=note,
        agreement=[(k, a.items, a.experts, a.alpha) for k, a in report.by_system.items()],
        dated=timezone.localdate().strftime("%d.%m.%Y"))


def statistical_xlsx(campaign: Campaign) -> bytes:
    return to_bytes(build_statistical(campaign_data(campaign, with_outcomes=False)), "xlsx")


def analytical_bytes(campaign: Campaign, fmt: str) -> bytes:
    return to_bytes(build_analytical(campaign_data(campaign)), fmt)


def chair_users(campaign: Campaign):
    from msoko.web.accounts.models import User

    return User.objects.filter(role=Role.REGION_ADMIN, region=campaign.region)

"""The work of a campaign, shared by the pages and the command line: open, assemble and submit the primary
form, assign experts, record scores, reconcile, decide, appeal, and read the results.

Every function raises EvaluationError (a Russian message) for a request the rules refuse; nothing is
written then. The arithmetic is msoko.engine.evaluation's: here only raw parameter scores are stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from msoko.engine.evaluation.agreement import Agreement, interval_alpha, mean_deviation
from msoko.engine.evaluation.reconcile import reconcile_position
from msoko.engine.evaluation.rubric import Position, Rubric
from msoko.engine.evaluation.scoring import Total, check_parameter, competition_ranks, position_score, totals
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.cycle.models import STAGE_NAMES, Cycle, Document, Level
from msoko.web.evaluation.models import (
    Appeal,
    Assignment,
    Campaign,
    Decision,
    Dossier,
    DossierState,
    ExpertAffiliation,
    ExpertPosition,
    Outcome,
    OutcomeStatus,
)
from msoko.web.registry.models import Municipality, Region

MIN_EXPERTS = 2
STATEMENT_MAX = 2000


class EvaluationError(ValueError):
    pass


# ---- campaign ----------------------------------------------------------------------------------------

@transaction.atomic
def open_campaign(region: Region, year: int, rubric: Rubric, deadline: date, *, user=None, tolerance: int = 0,
                  appeal_days: int = 10) -> Campaign:
    """A campaign keeps the rubric text it was opened with; every municipality of the region gets a form."""
    if Campaign.objects.filter(region=region, year=year).exists():
        raise EvaluationError(f"Кампания оценки МУМ за {year} год в регионе «{region.name}» уже открыта.")
    campaign = Campaign.objects.create(region=region, year=year, rubric_version=rubric.version,
                                       rubric_digest=rubric.digest, rubric_text=rubric.text, deadline=deadline,
                                       tolerance=tolerance, appeal_days=appeal_days, opened_by=user)
    Dossier.objects.bulk_create(Dossier(campaign=campaign, municipality=m)
                                for m in Municipality.objects.filter(region=region))
    return campaign


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return (Campaign.objects.filter(region=campaign.region, year__lt=campaign.year).order_by("-year").first())


# ---- the primary data form ---------------------------------------------------------------------------

DOCUMENT_ATTRIBUTES = [("number", "номер"), ("date", "дата"), ("decisions", "принимаемые решения"),
                       ("deadlines", "сроки реализации"), ("responsible", "ответственные"),
                       ("participants", "участники")]


def _document_check(doc: Document) -> dict:
    """Seed 003's attribute checks of a document: which of the required attributes it states."""
    present = [label for attr, label in DOCUMENT_ATTRIBUTES if getattr(doc, attr)]
    missing = [label for attr, label in DOCUMENT_ATTRIBUTES if not getattr(doc, attr)]
    return {"id": doc.pk, "title": doc.title, "kind": doc.get_kind_display(), "stage": STAGE_NAMES.get(doc.stage, ""),
            "stage_code": doc.stage, "present": present, "missing": missing, "has_file": bool(doc.file)}


def _records(cycle: Cycle) -> dict[str, list[str]]:
    """The cycle's records per stage, as short texts an expert reads."""
    out: dict[str, list[str]] = defaultdict(list)
    for g in cycle.goals.all():
        out["goals"].append(f"{g.text} — обоснование: {g.justification}; реалистичность: {g.realism}")
    for i in cycle.indicators.all():
        out["indicators"].append(f"{i.indicator}: цель {i.target:g} на {i.year} год")
    for c in cycle.collection_methods.all():
        out["collection"].append(f"{c.dataset}: {c.method} ({c.periodicity}; {c.responsible})")
    for m in cycle.monitoring.all():
        out["monitoring"].append(f"{m.what} — {m.when:%d.%m.%Y}, {m.who}")
    for a in cycle.analyses.all():
        out["analysis"].append(f"{a.year}: {a.conclusions}")
    for r in cycle.recommendations.exclude(status="draft"):
        out["recommendations"].append(f"{r.organisation.name}: {r.text}")
    for m in cycle.measures.all():
        out["measures"].append(f"{m.title} — срок {m.deadline:%d.%m.%Y}, {m.responsible} ({m.get_status_display()})")
    for d in cycle.decisions.all():
        out["decisions"].append(f"№ {d.number} от {d.date:%d.%m.%Y}: {d.content}")
    for e in cycle.reviews.all():
        out["effectiveness"].append(f"{e.date:%d.%m.%Y}: {e.conclusions}")
    return out


def indicator_values(municipality: Municipality, rubric: Rubric, limit: int = 12) -> dict[str, list[str]]:
    """Per system of the rubric, the municipality's stored values of the system's catalog indicators in the
    latest year computed, as «name: value (регион: value), year» lines. Empty before the first compute."""
    try:
        from msoko.web.dashboards import marks
        from msoko.web.dashboards.data import snapshot

        snap = snapshot()
    except Exception:  # noqa: BLE001 — no results yet: the form simply has no values
        return {}
    if snap.catalog is None or snap.values.is_empty():
        return {}
    out: dict[str, list[str]] = {}
    region_code = municipality.region.code
    for system in rubric.systems:
        indicators = {i.code: i for i in snap.catalog.indicators if i.system == system.code}
        if not indicators:
            continue
        mine = snap.slice(level="municipality", indicators=list(indicators), ids=[municipality.code])
        if mine.is_empty():
            continue
        year = max(mine["year"].to_list())
        region = {r["indicator"]: r["value"] for r in snap.slice(level="region", year=year, indicators=list(
            indicators), ids=[region_code]).iter_rows(named=True)}
        lines = []
        for row in mine.filter(mine["year"] == year).iter_rows(named=True):
            ind = indicators[row["indicator"]]
            lines.append(f"{ind.name}: {marks.fmt(row['value'], ind)} (регион: "
                         f"{marks.fmt(region.get(row['indicator']), ind)}), {year}")
        out[system.code] = lines[:limit]
    return out


def assemble_evidence(municipality: Municipality, rubric: Rubric) -> dict:
    """What msoko holds about the municipality for each position: the cycle of its system and track (the
    stage's records when the position looks at one stage), the documents with their attribute checks, and the
    cycle's indicators with their targets."""
    cycles = list(Cycle.objects.filter(level=Level.MUNICIPALITY, municipality=municipality))
    by_key = {(c.system, c.track): c for c in cycles}
    records = {c.pk: _records(c) for c in cycles}
    documents = {c.pk: [_document_check(d) for d in c.documents.all()] for c in cycles}
    positions = {}
    for position in rubric.positions:
        cycle = by_key.get((position.system, position.track)) or by_key.get((position.system, ""))
        if cycle is None:
            positions[position.code] = {"cycle": None, "stages": {}, "documents": []}
            continue
        stages = records[cycle.pk]
        if position.stage:
            stages = {position.stage: stages.get(position.stage, [])}
        docs = [d for d in documents[cycle.pk] if not position.stage or d["stage_code"] == position.stage]
        positions[position.code] = {
            "cycle": cycle.pk, "cycle_label": str(cycle),
            "stages": {STAGE_NAMES[k]: v for k, v in stages.items()}, "documents": docs}
    return {"assembled_at": timezone.now().isoformat(timespec="seconds"), "positions": positions,
            "indicators": indicator_values(municipality, rubric)}


def save_statements(dossier: Dossier, statements: dict[str, str]) -> None:
    if dossier.submitted:
        raise EvaluationError("Форма уже представлена и закрыта для изменений.")
    codes = {p.code for p in dossier.campaign.rubric.positions}
    clean = {}
    for code, text in statements.items():
        if code not in codes:
            raise EvaluationError(f"В рубрике кампании нет позиции «{code}».")
        text = (text or "").strip()
        if len(text) > STATEMENT_MAX:
            raise EvaluationError(f"Позиция {code}: пояснение длиннее {STATEMENT_MAX} знаков.")
        if text:
            clean[code] = text
    dossier.statements = clean
    dossier.save(update_fields=["statements"])


@transaction.atomic
def submit_dossier(dossier: Dossier, user) -> None:
    """The coordinator submits the form: the evidence is assembled once and frozen for the experts."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.submitted:
        raise EvaluationError("Форма уже представлена.")
    dossier.evidence = assemble_evidence(dossier.municipality, dossier.campaign.rubric)
    dossier.state = DossierState.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = user
    dossier.save()


# ---- experts -----------------------------------------------------------------------------------------

def conflict_of_interest(expert: User, municipality: Municipality) -> str | None:
    affiliation = getattr(expert, "affiliation", None)
    if affiliation is not None and affiliation.home_municipality_id == municipality.pk:
        return (f"Эксперт {expert.username} работает в муниципалитете «{municipality.name}» или его организации "
                "и не может оценивать этот муниципалитет.")
    if expert.municipality_id == municipality.pk or (expert.organisation_id
                                                      and expert.organisation.municipality_id == municipality.pk):
        return f"Эксперт {expert.username} относится к муниципалитету «{municipality.name}»."
    return None


def assign(dossier: Dossier, expert: User) -> Assignment:
    if expert.role != Role.REGIONAL_EXPERT or not expert.is_active:
        raise EvaluationError(f"Пользователь {expert.username} не является действующим региональным экспертом.")
    if expert.region_id != dossier.campaign.region_id:
        raise EvaluationError(f"Эксперт {expert.username} не относится к региону кампании.")
    conflict = conflict_of_interest(expert, dossier.municipality)
    if conflict:
        raise EvaluationError(conflict)
    if Assignment.objects.filter(dossier=dossier, expert=expert).exists():
        raise EvaluationError(f"Эксперт {expert.username} уже назначен на «{dossier.municipality.name}».")
    return Assignment.objects.create(dossier=dossier, expert=expert)


def experts_of(region: Region):
    return User.objects.filter(role=Role.REGIONAL_EXPERT, region=region, is_active=True).order_by("username")


def set_affiliation(expert: User, municipality: Municipality | None, organisation=None) -> ExpertAffiliation | None:
    """Record where a regional expert works (a municipality, or an organisation — its municipality follows);
    both None clears it. Assignments already made are checked again by the next `assign`/`auto_assign`."""
    if expert.role != Role.REGIONAL_EXPERT:
        raise EvaluationError(f"Пользователь {expert.username} — не региональный эксперт.")
    if organisation is not None and municipality is not None and organisation.municipality_id != municipality.pk:
        raise EvaluationError(f"Организация «{organisation.name}» не из муниципалитета «{municipality.name}».")
    for place in (municipality, organisation and organisation.municipality):
        if place is not None and place.region_id != expert.region_id:
            raise EvaluationError(f"«{place.name}» — не из региона эксперта {expert.username}.")
    if municipality is None and organisation is None:
        ExpertAffiliation.objects.filter(expert=expert).delete()
        return None
    affiliation, _ = ExpertAffiliation.objects.update_or_create(
        expert=expert, defaults={"municipality": municipality if organisation is None else organisation.municipality,
                                 "organisation": organisation})
    return affiliation


@transaction.atomic
def auto_assign(campaign: Campaign, per_municipality: int = MIN_EXPERTS) -> int:
    """Fill every dossier up to `per_municipality` experts, each time the least-loaded expert without a
    conflict of interest (ties by username): the load stays balanced within one municipality."""
    experts = list(experts_of(campaign.region))
    load = dict(Assignment.objects.filter(dossier__campaign=campaign).values_list("expert")
                .annotate(n=Count("pk")).values_list("expert", "n"))
    made = 0
    for dossier in campaign.dossiers.select_related("municipality").order_by("municipality__code"):
        taken = set(dossier.assignments.values_list("expert_id", flat=True))
        while len(taken) < per_municipality:
            free = [e for e in experts if e.pk not in taken and conflict_of_interest(e, dossier.municipality) is None]
            if not free:
                raise EvaluationError(f"Для «{dossier.municipality.name}» не хватает экспертов без конфликта "
                                      f"интересов (нужно {per_municipality}).")
            expert = min(free, key=lambda e: (load.get(e.pk, 0), e.username))
            Assignment.objects.create(dossier=dossier, expert=expert)
            load[expert.pk] = load.get(expert.pk, 0) + 1
            taken.add(expert.pk)
            made += 1
    return made


# ---- scores ------------------------------------------------------------------------------------------

def comment_required(position: Position, parameters: dict[str, int]) -> bool:
    """A comment is required for every −1 and for a position scored below half of its maximum."""
    return any(v < 0 for v in parameters.values()) or position_score(position, parameters) * 2 < position.max_score


def check_scores(rubric: Rubric, scores: dict[str, tuple[dict[str, int], str]], *, complete: bool) -> list[str]:
    """Russian problems with `scores` (position → (parameter scores, comment)); empty when acceptable."""
    problems: list[str] = []
    for code, (parameters, comment) in scores.items():
        position = rubric.position(code)
        if position is None:
            problems.append(f"в рубрике кампании нет позиции «{code}»")
            continue
        bad = [m for m in (check_parameter(position, k, v) for k, v in parameters.items()) if m]
        problems.extend(bad)
        if bad:
            continue
        missing = [p.code for p in position.parameters if p.code not in parameters]
        if complete and missing:
            problems.append(f"позиция {code}: не оценены параметры {', '.join(missing)}")
        elif complete and comment_required(position, parameters) and not comment.strip():
            problems.append(f"позиция {code}: нужен комментарий (есть −1 или балл ниже половины максимума)")
    if complete:
        absent = [p.code for p in rubric.positions if p.code not in scores]
        if absent:
            problems.append(f"не оценены позиции: {', '.join(absent[:10])}{' …' if len(absent) > 10 else ''}")
    return problems


@transaction.atomic
def record_scores(assignment: Assignment, scores: dict[str, tuple[dict[str, int], str]], *, submit: bool) -> None:
    """Save a draft (any subset) or submit (every position, comments where required). A submitted
    assignment is never changed again: the initial scores stay as they were."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.submitted:
        raise EvaluationError("Оценка уже представлена; изменить её нельзя (исходные баллы сохраняются).")
    if not assignment.dossier.submitted:
        raise EvaluationError("Муниципалитет ещё не представил форму первичных данных.")
    rubric = assignment.dossier.campaign.rubric
    merged = {p.position: (p.parameters, p.comment) for p in assignment.positions.all()}
    merged.update(scores)
    problems = check_scores(rubric, merged if submit else scores, complete=submit)
    if problems:
        raise EvaluationError("; ".join(problems))
    for code, (parameters, comment) in scores.items():
        ExpertPosition.objects.update_or_create(assignment=assignment, position=code,
                                                defaults={"parameters": parameters, "comment": comment.strip()})
    if submit:
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at", "via_sheet"])


# ---- reconciliation, decisions, appeals --------------------------------------------------------------

@dataclass
class ReconcileSummary:
    dossiers: int = 0
    agreed: int = 0
    disputed: int = 0
    waiting: list[str] = field(default_factory=list)


@transaction.atomic
def reconcile(campaign: Campaign, tolerance: int | None = None) -> ReconcileSummary:
    """Round 1 outcomes for every dossier whose assigned experts (at least two) have all submitted. Existing
    outcomes are kept as they are: reconciling again only adds what was not reconciled yet."""
    tolerance = campaign.tolerance if tolerance is None else tolerance
    rubric = campaign.rubric
    summary = ReconcileSummary()
    for dossier in campaign.dossiers.select_related("municipality").prefetch_related("assignments__positions"):
        assignments = list(dossier.assignments.all())
        if len(assignments) < MIN_EXPERTS or not all(a.submitted for a in assignments):
            summary.waiting.append(dossier.municipality.code)
            continue
        done = set(dossier.outcomes.filter(round=1).values_list("position", flat=True))
        scores = {a.expert_id: {p.position: p.parameters for p in a.positions.all()} for a in assignments}
        summary.dossiers += 1
        for position in rubric.positions:
            if position.code in done:
                continue
            outcome = reconcile_position(position, {e: s.get(position.code, {}) for e, s in scores.items()}, tolerance)
            Outcome.objects.create(dossier=dossier, round=1, position=position.code, status=outcome.status,
                                   agreed_score=outcome.score, spread=outcome.spread, tolerance=tolerance)
            if outcome.status == OutcomeStatus.AGREED:
                summary.agreed += 1
            else:
                summary.disputed += 1
    return summary


def open_disputes(campaign: Campaign):
    return (Outcome.objects.filter(dossier__campaign=campaign, status=OutcomeStatus.DISPUTED, decision__isnull=True)
            .select_related("dossier__municipality").order_by("dossier__municipality__name", "round", "pk"))


@transaction.atomic
def decide(outcome: Outcome, score: float, reason: str, chair) -> Decision:
    position = outcome.dossier.campaign.rubric.position(outcome.position)
    if outcome.status != OutcomeStatus.DISPUTED:
        raise EvaluationError(f"Позиция {outcome.position} не спорная: решение председателя не требуется.")
    if Decision.objects.filter(outcome=outcome).exists():
        raise EvaluationError(f"По позиции {outcome.position} (раунд {outcome.round}) решение уже принято; "
                              "оно не перезаписывается — изменить итог можно только через апелляцию.")
    if not 0 <= score <= position.max_score:
        raise EvaluationError(f"Балл {score:g} вне диапазона позиции {outcome.position}: от 0 до {position.max_score}.")
    if not (reason or "").strip():
        raise EvaluationError("Нужно письменное обоснование решения.")
    return Decision.objects.create(outcome=outcome, score=score, reason=reason.strip(), chair=chair)


def find_outcome(campaign: Campaign, municipality_code: str, position: str) -> Outcome:
    """The open (undecided) disputed outcome of the latest round for a position."""
    outcome = (Outcome.objects.filter(dossier__campaign=campaign, dossier__municipality__code=municipality_code,
                                      position=position).order_by("-round").first())
    if outcome is None:
        raise EvaluationError(f"Для муниципалитета {municipality_code} нет результата сверки по позиции {position}.")
    return outcome


def appeal_open(dossier: Dossier, today: date | None = None) -> bool:
    until = dossier.campaign.appeal_until()
    return until is not None and (today or timezone.localdate()) <= until


@transaction.atomic
def file_appeal(dossier: Dossier, positions: list[str], text: str, user, *, today: date | None = None) -> Appeal:
    """An appeal opens the next numbered round: each appealed position gets a new disputed outcome for the
    chair; the earlier rounds stay as they were."""
    if not appeal_open(dossier, today):
        raise EvaluationError("Срок подачи апелляции истёк или итоги ещё не опубликованы.")
    codes = {p.code for p in dossier.campaign.rubric.positions}
    positions = [p for p in dict.fromkeys(positions) if p]
    unknown = [p for p in positions if p not in codes]
    if not positions or unknown:
        raise EvaluationError("Укажите обжалуемые позиции рубрики" + (f": нет позиций {', '.join(unknown)}" if unknown
                                                                     else "."))
    if not (text or "").strip():
        raise EvaluationError("Изложите доводы апелляции.")
    number = dossier.current_round + 1
    appeal = Appeal.objects.create(dossier=dossier, round=number, positions=positions, text=text.strip(), filed_by=user)
    for code in positions:
        Outcome.objects.create(dossier=dossier, round=number, position=code, status=OutcomeStatus.DISPUTED)
    return appeal


def publish(campaign: Campaign) -> None:
    campaign.published_at = timezone.now()
    campaign.save(update_fields=["published_at"])


# ---- results -----------------------------------------------------------------------------------------

@dataclass
class PositionResult:
    position: Position
    score: float | None
    status: str  # agreed / decided / disputed / pending
    round: int | None
    outcomes: list[Outcome]


@dataclass
class DossierResult:
    dossier: Dossier
    positions: list[PositionResult]
    totals: list[Total]

    @property
    def total(self) -> Total:
        return self.totals[-1]

    def system_total(self, code: str) -> Total:
        return next(t for t in self.totals if t.key == code)


def dossier_result(dossier: Dossier, outcomes: list[Outcome] | None = None) -> DossierResult:
    rubric = dossier.campaign.rubric
    if outcomes is None:
        outcomes = list(dossier.outcomes.select_related("decision"))
    by_position: dict[str, list[Outcome]] = defaultdict(list)
    for o in sorted(outcomes, key=lambda o: o.round):
        by_position[o.position].append(o)
    rows = []
    for position in rubric.positions:
        history = by_position.get(position.code, [])
        latest = history[-1] if history else None
        if latest is None:
            rows.append(PositionResult(position, None, "pending", None, []))
        else:
            rows.append(PositionResult(position, latest.final_score, latest.export_status, latest.round, history))
    finals = {r.position.code: r.score for r in rows}
    return DossierResult(dossier, rows, totals(rubric, finals))


def campaign_results(campaign: Campaign) -> list[DossierResult]:
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for o in Outcome.objects.filter(dossier__campaign=campaign).select_related("decision"):
        outcomes[o.dossier_id].append(o)
    return [dossier_result(d, outcomes.get(d.pk, []))
            for d in campaign.dossiers.select_related("municipality", "campaign").order_by("municipality__code")]


def ranks(results: list[DossierResult], key: str = "total") -> dict[int, int | None]:
    return competition_ranks({r.dossier.pk: next(t.score for t in r.totals if t.key == key) for r in results})


@dataclass
class AgreementReport:
    by_system: dict[str, Agreement]
    deviations: dict[str, float | None]  # expert username → mean |own position score − final|


def agreement(campaign: Campaign) -> AgreementReport:
    """Krippendorff's alpha over the raw parameter scores (unit = municipality × position × parameter), per
    system and overall, and each expert's mean deviation from the final position scores."""
    rubric = campaign.rubric
    system_of = {p.code: p.system for p in rubric.positions}
    units: dict[str, dict[tuple, dict[str, float]]] = {s.code: defaultdict(dict) for s in rubric.systems}
    expert_positions: dict[str, dict[tuple, float]] = defaultdict(dict)
    rows = (ExpertPosition.objects.filter(assignment__dossier__campaign=campaign, assignment__submitted_at__isnull=False)
            .select_related("assignment__expert", "assignment__dossier"))
    for row in rows:
        position = rubric.position(row.position)
        if position is None:
            continue
        who = row.assignment.expert.username
        for parameter in position.parameters:
            units[system_of[row.position]][(row.assignment.dossier_id, row.position, parameter.code)][who] = \
                row.parameters.get(parameter.code, 0)
        expert_positions[who][(row.assignment.dossier_id, row.position)] = position_score(position, row.parameters)
    by_system = {code: interval_alpha(u) for code, u in units.items()}
    everything = {k: v for u in units.values() for k, v in u.items()}
    by_system["total"] = interval_alpha(everything)
    finals = {}
    for result in campaign_results(campaign):
        for r in result.positions:
            finals[(result.dossier.pk, r.position.code)] = r.score
    deviations = {who: mean_deviation(scores, finals) for who, scores in sorted(expert_positions.items())}
    return AgreementReport(by_system, deviations)


def visible_scores(assignment: Assignment, viewer) -> bool:
    """Blind phase: an expert sees another expert's scores only after submitting their own."""
    if viewer.pk == assignment.expert_id:
        return True
    if viewer.role == Role.REGIONAL_EXPERT:
        own = Assignment.objects.filter(dossier=assignment.dossier, expert=viewer).first()
        return own is not None and own.submitted and assignment.submitted
    return assignment.submitted


def pending_for_expert(user) -> list[Assignment]:
    return list(Assignment.objects.filter(expert=user, submitted_at__isnull=True, dossier__state=DossierState.SUBMITTED)
                .select_related("dossier__municipality", "dossier__campaign"))


def decided_count(campaign: Campaign) -> int:
    return Decision.objects.filter(outcome__dossier__campaign=campaign).count()


def dossiers_waiting(campaign: Campaign):
    return campaign.dossiers.filter(Q(state=DossierState.DRAFT))

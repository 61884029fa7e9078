"""Work of the cycle that is not a request: who may edit what, completeness of the nine stages, the rows of
the completeness matrix, and the list of what is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from msoko.engine.catalog.model import Catalog
from msoko.web.access import can, restrict, scope_of
from msoko.web.accounts.roles import Action
from msoko.web.cycle.models import (
    OPEN_STATUSES,
    STAGES,
    Analysis,
    CollectionMethod,
    Cycle,
    CycleIndicator,
    Decision,
    EffectivenessReview,
    Goal,
    Level,
    Measure,
    MonitoringEvent,
    Recommendation,
    RecommendationStatus,
)
from msoko.web.registry.models import Municipality, Organisation, Region

WHOLE_SYSTEM = "вся система"


# ---- entities and rights -----------------------------------------------------------------------------

def cycles_of(entity):
    if isinstance(entity, Region):
        return Cycle.objects.filter(level=Level.REGION, region=entity)
    if isinstance(entity, Municipality):
        return Cycle.objects.filter(level=Level.MUNICIPALITY, municipality=entity)
    return Cycle.objects.filter(level=Level.ORGANISATION, organisation=entity)


def can_edit_entity(user, entity) -> bool:
    """Regional roles keep the region's cycles; a coordinator its municipality's and its schools' (ВСОКО);
    a school its own ВСОКО."""
    if not can(user, Action.EDIT_CYCLE):
        return False
    scope = scope_of(user)
    if scope.level == "all":
        return True
    if scope.level == "region":
        return isinstance(entity, Region) and entity.pk == scope.pk
    if scope.level == "municipality":
        if isinstance(entity, Municipality):
            return entity.pk == scope.pk
        return isinstance(entity, Organisation) and entity.municipality_id == scope.pk
    if scope.level == "organisation":
        return isinstance(entity, Organisation) and entity.pk == scope.pk
    return False


def can_edit(user, cycle: Cycle) -> bool:
    return can_edit_entity(user, cycle.entity)


def organisations_of(entity):
    """Organisations a cycle of `entity` may address (recommendations, measures)."""
    if isinstance(entity, Region):
        return Organisation.objects.filter(municipality__region=entity)
    if isinstance(entity, Municipality):
        return Organisation.objects.filter(municipality=entity)
    return Organisation.objects.filter(pk=entity.pk)


# ---- completeness ------------------------------------------------------------------------------------

def filled_stages(cycle_ids: list[int]) -> dict[int, set[str]]:
    """For each cycle, the stages that have at least one record (recommendations: issued ones)."""
    out: dict[int, set[str]] = {pk: set() for pk in cycle_ids}
    queries = {
        "goals": Goal.objects.all(),
        "indicators": CycleIndicator.objects.all(),
        "collection": CollectionMethod.objects.all(),
        "monitoring": MonitoringEvent.objects.all(),
        "analysis": Analysis.objects.all(),
        "recommendations": Recommendation.objects.exclude(status=RecommendationStatus.DRAFT),
        "measures": Measure.objects.all(),
        "decisions": Decision.objects.all(),
        "effectiveness": EffectivenessReview.objects.all(),
    }
    for stage, qs in queries.items():
        for pk in qs.filter(cycle_id__in=cycle_ids).values_list("cycle_id", flat=True).distinct():
            out[pk].add(stage)
    return out


@dataclass
class Row:
    system: str
    system_name: str
    track: str
    track_name: str
    cycle: Cycle | None
    filled: set[str]

    @property
    def cells(self) -> list[tuple[str, str, bool]]:
        return [(code, name, code in self.filled) for code, name in STAGES]

    @property
    def complete(self) -> bool:
        return self.cycle is not None and len(self.filled) == len(STAGES)

    @property
    def missing(self) -> list[str]:
        return [name for code, name in STAGES if code not in self.filled]


@dataclass
class SystemRow:
    code: str
    name: str
    rows: list[Row]

    @property
    def filled(self) -> set[str]:
        """A system's stage is filled when it is filled in any of its cycles (whole system or a track)."""
        return set().union(*(r.filled for r in self.rows)) if self.rows else set()

    @property
    def complete(self) -> bool:
        return len(self.filled) == len(STAGES)


def track_names(catalog: Catalog | None, system: str) -> dict[str, str]:
    found = catalog.system(system) if catalog else None
    return {t.code: t.name for t in found.tracks} if found else {}


def matrix(entity, catalog: Catalog | None) -> list[SystemRow]:
    """Systems × tracks × the nine stages for one entity: existing cycles, and one empty row per system
    without any (so what is missing shows)."""
    cycles = list(cycles_of(entity))
    filled = filled_stages([c.pk for c in cycles])
    out = []
    systems = [(s.code, s.name) for s in catalog.systems] if catalog else []
    known = {code for code, _ in systems}
    systems += [(code, code) for code in sorted({c.system for c in cycles} - known)]
    for code, name in systems:
        tracks = track_names(catalog, code)
        own = [c for c in cycles if c.system == code]
        rows = [Row(code, name, c.track, tracks.get(c.track, c.track) or WHOLE_SYSTEM, c, filled[c.pk]) for c in own]
        if not rows:
            rows = [Row(code, name, "", WHOLE_SYSTEM, None, set())]
        out.append(SystemRow(code, name, rows))
    return out


# ---- deadlines ---------------------------------------------------------------------------------------

@dataclass
class Due:
    kind: str
    title: str
    deadline: date
    overdue: bool
    responsible: str
    cycle: Cycle
    measure: Measure | None = None
    where: str = ""  # the cycle as the user may name it


def due_for(user, *, today: date | None = None, horizon_days: int = 60) -> list[Due]:
    """What is due for the user: open measures with a deadline within `horizon_days` or already passed
    (overdue) in the cycles the user keeps — for a school, the measures aimed at it — and the decisions'
    deadlines and monitoring dates coming within the horizon. Overdue first, then by date."""
    today = today or date.today()
    until = today + timedelta(days=horizon_days)
    scope = scope_of(user)
    out: list[Due] = []
    measures = restrict(Measure.objects.select_related("cycle__region", "cycle__municipality",
                                                       "cycle__organisation"), user).distinct()
    measures = measures.filter(status__in=OPEN_STATUSES, deadline__lte=until)
    for m in measures:
        if scope.level == "organisation" or can_edit(user, m.cycle):
            out.append(Due("мероприятие", m.title, m.deadline, m.deadline < today, m.responsible, m.cycle, m))
    editable = [c for c in restrict(Cycle.objects.select_related("region", "municipality", "organisation"), user)
                if can_edit(user, c)]
    ids = [c.pk for c in editable]
    for d in Decision.objects.filter(cycle_id__in=ids, deadline__isnull=False, deadline__lte=until,
                                     deadline__gte=today).select_related("cycle"):
        out.append(Due("решение", f"Приказ № {d.number}: {d.content[:120]}", d.deadline, False,
                       d.responsible, d.cycle))
    for e in MonitoringEvent.objects.filter(cycle_id__in=ids, when__gte=today, when__lte=until).select_related("cycle"):
        out.append(Due("мониторинг", e.what, e.when, False, e.who, e.cycle))
    for d in out:
        label = f"{d.cycle.system}{' / ' + d.cycle.track if d.cycle.track else ''}"
        # a school is not told the names of the municipality or region whose cycle aims a measure at it
        d.where = label if scope.level == "organisation" and d.cycle.level != "organisation" else f"{label} — {d.cycle.entity.name}"
    out.sort(key=lambda d: (not d.overdue, d.deadline, d.title))
    return out

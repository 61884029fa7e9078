"""Management-cycle records over the personas' small region (tests/web/personas.py), shared by the cycle's
view tests and its persona matrix (scoped_pages_cycle.py). Every text is unique, so a page that leaks one
is caught."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile

from msoko.web.cycle.models import (
    Cycle,
    Decision,
    Document,
    Goal,
    Level,
    Measure,
    Recommendation,
    RecommendationStatus,
)
from tests.web.personas import World

PDF = b"%PDF-1.4\n% test document\n"


@dataclass
class CycleWorld:
    world: World
    cycles: dict[str, Cycle]
    goals: dict[str, Goal]
    measures: dict[str, Measure]
    recommendations: dict[str, Recommendation]
    documents: dict[str, Document]
    decisions: dict[str, Decision]


def build(world: World) -> CycleWorld:
    r, a, b = world.region, world.municipalities["A"], world.municipalities["B"]
    a1, a2, b1 = world.organisations["a1"], world.organisations["a2"], world.organisations["b1"]
    cycles = {
        "R": Cycle.objects.create(level=Level.REGION, region=r, system="1.2"),
        "A": Cycle.objects.create(level=Level.MUNICIPALITY, region=r, municipality=a, system="1.2",
                                  track="identification"),
        "B": Cycle.objects.create(level=Level.MUNICIPALITY, region=r, municipality=b, system="1.2"),
        "a1": Cycle.objects.create(level=Level.ORGANISATION, region=r, municipality=a, organisation=a1, system="1.1"),
    }
    goals = {key: Goal.objects.create(cycle=c, text=f"Цель-секрет-{key}", justification="обоснование",
                                      realism="реалистично") for key, c in cycles.items()}
    measures = {}
    for key, cycle, orgs in (("A_a1", cycles["A"], [a1]), ("A_a2", cycles["A"], [a2]), ("R_b1", cycles["R"], [b1]),
                             ("B_b1", cycles["B"], [b1])):
        m = Measure.objects.create(cycle=cycle, title=f"Мероприятие-секрет-{key}", deadline=date(2026, 5, 31),
                                   start=date(2024, 9, 1), responsible=f"Ответственный-{key}",
                                   indicators=["vpr_base"])
        m.organisations.set(orgs)
        measures[key] = m
    recommendations = {
        "A_a1_draft": Recommendation.objects.create(cycle=cycles["A"], organisation=a1, text="Рекомендация-черновик-a1"),
        "A_a1_issued": Recommendation.objects.create(cycle=cycles["A"], organisation=a1, text="Рекомендация-направлена-a1",
                                                     status=RecommendationStatus.ISSUED),
        "A_a2_issued": Recommendation.objects.create(cycle=cycles["A"], organisation=a2, text="Рекомендация-направлена-a2",
                                                     status=RecommendationStatus.ISSUED),
        "B_b1_issued": Recommendation.objects.create(cycle=cycles["B"], organisation=b1, text="Рекомендация-направлена-b1",
                                                     status=RecommendationStatus.ISSUED),
    }
    documents = {}
    for key in ("A", "a1", "B"):
        doc = Document(cycle=cycles[key], stage="measures", kind="management", title=f"Документ-секрет-{key}",
                       original_name=f"приказ-{key}.pdf", size=len(PDF))
        doc.file.save("x.pdf", ContentFile(PDF), save=False)
        doc.save()
        documents[key] = doc
    decisions = {key: Decision.objects.create(cycle=cycles[key], number=f"{key}-1", date=date(2025, 9, 1),
                                              content=f"Решение-секрет-{key}", responsible="Иванова",
                                              deadline=date(2026, 6, 1)) for key in ("A", "B")}
    return CycleWorld(world, cycles, goals, measures, recommendations, documents, decisions)


def login(client, cw: CycleWorld, persona: str):
    """The test client, logged in as one of the personas of the cycle world."""
    client.force_login(cw.world.users[persona])
    return client


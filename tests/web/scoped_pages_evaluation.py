"""The МУМ evaluation's URLs in the persona matrix (tests/web/test_scope_gate.py).

The region roles read the whole campaign; the persona «expert» is assigned to municipality A only, so B's
form is 404 for them (the assignment hook of msoko.web.access); a draft score sheet is seen by its author only
(blind phase); the chair's actions are the region administrator's; a coordinator sees the own municipality's
form and conclusion only.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from tests.evaluation.world import build
from tests.web.personas import World
from tests.web.scope_cases import Case

READERS = {"region_admin", "analyst"}
IN_CAMPAIGN = READERS | {"expert", "coordinator_a", "coordinator_b"}


def campaign_cases(url_name: str, who: set[str], method: str = "get", **extra) -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        ew = build(world)
        return [Case(reverse(url_name, kwargs={"pk": ew.campaign.pk, **extra}), who, "Оценка МУМ 2025", method)]

    return cases


def dossier_cases(url_name: str, who: dict[str, set[str]], method: str = "get", **extra) -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        ew = build(world)
        return [Case(reverse(url_name, kwargs={"pk": ew.dossiers[k].pk, **extra}), allowed,
                     world.municipalities[k].name, method) for k, allowed in who.items()]

    return cases


def score_cases(world: World) -> list[Case]:
    ew = build(world)
    return [
        Case(reverse("evaluation-score", kwargs={"pk": ew.assignments["A:expert"].pk}), {"expert"},
             "Пояснение-секрет-A"),
        # another expert's draft: nobody but its author (not a persona) — the expert of the same municipality neither
        Case(reverse("evaluation-score", kwargs={"pk": ew.assignments["A:expert2"].pk}), set(),
             "Черновик-секрет-expert2"),
        Case(reverse("evaluation-score", kwargs={"pk": ew.assignments["B:expert3"].pk}), READERS, "Пояснение-секрет-B"),
    ]


def decide_cases(world: World) -> list[Case]:
    ew = build(world)
    return [Case(reverse("evaluation-decide", kwargs={"pk": ew.dispute.pk}), {"region_admin"},
                 world.municipalities["B"].name, "post")]


VIEW_FORM = {"A": READERS | {"expert", "coordinator_a"}, "B": READERS | {"coordinator_b"}}
COORDINATOR = {"A": {"coordinator_a"}, "B": {"coordinator_b"}}
CONCLUSION = {"A": READERS | {"coordinator_a"}, "B": READERS | {"coordinator_b"}}

SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "evaluation-campaign": campaign_cases("evaluation-campaign", IN_CAMPAIGN),
    "evaluation-campaign-action": campaign_cases("evaluation-campaign-action", {"region_admin"}, "post",
                                                 action="reconcile"),
    "evaluation-disputes": campaign_cases("evaluation-disputes", READERS),
    "evaluation-ranking": campaign_cases("evaluation-ranking", READERS),
    "evaluation-statistics": campaign_cases("evaluation-statistics", READERS),
    "evaluation-analysis": campaign_cases("evaluation-analysis", READERS, fmt="docx"),
    "evaluation-dossier": dossier_cases("evaluation-dossier", VIEW_FORM),
    "evaluation-submit": dossier_cases("evaluation-submit", COORDINATOR, "post"),
    "evaluation-conclusion": dossier_cases("evaluation-conclusion", CONCLUSION),
    "evaluation-conclusion-file": dossier_cases("evaluation-conclusion-file", CONCLUSION, fmt="pdf"),
    "evaluation-appeal": dossier_cases("evaluation-appeal", COORDINATOR, "post"),
    "evaluation-score": score_cases,
    "evaluation-decide": decide_cases,
}

"""Collection's URLs in the persona matrix (tests/web/test_scope_gate.py).

Two campaigns: the school form «form_talents» over A and B (schools a1, a2, b1), and the kindergarten form
«form_preschool» over A only (ka). Regional roles see both; a coordinator its municipality's respondents;
operator a1 only a1's. Filling: the operator (own school) and the coordinator (its schools); reviewing:
coordinators and region; accepting, locking, exceptions: region admin and analyst. Experts only look.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.urls import reverse

from tests.web.personas import World
from tests.web.scope_cases import Case

REGIONAL = {"region_admin", "analyst", "expert"}
REGION_ACCEPT = {"region_admin", "analyst"}
FILLERS = {"region_admin", "analyst", "coordinator_a", "coordinator_b", "operator_a1"}


def campaigns(world: World) -> dict:
    from msoko.web.collection.services import open_campaign

    talents = open_campaign("form_talents", 2024, date(2024, 10, 1))
    preschool = open_campaign("form_preschool", 2024, date(2024, 10, 1), municipalities=["mun-A"])
    resp = {r.organisation.code: r for r in talents.respondents.select_related("organisation")}
    resp.update({r.organisation.code: r for r in preschool.respondents.select_related("organisation")})
    return {"talents": talents, "preschool": preschool, "resp": resp}


def campaign_cases(url_name: str, talents: set[str], preschool: set[str], method: str = "get"
                   ) -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        c = campaigns(world)
        return [Case(reverse(url_name, kwargs={"pk": c["talents"].pk}), talents, "Выявление и поддержка", method),
                Case(reverse(url_name, kwargs={"pk": c["preschool"].pk}), preschool, "дошкольного", method)]

    return cases


VIEW_A1 = REGIONAL | {"coordinator_a", "operator_a1"}
VIEW_B1 = REGIONAL | {"coordinator_b"}
VIEW_KA = REGIONAL | {"coordinator_a"}


def respondent_cases(url_name: str, who: dict[str, set[str]], method: str = "get") -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        c = campaigns(world)
        out = []
        for key, allowed in who.items():
            org = world.organisations[key]
            out.append(Case(reverse(url_name, kwargs={"pk": c["resp"][org.code].pk}), allowed, org.name, method))
        return out

    return cases


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "collection-campaign": campaign_cases("collection-campaign", REGIONAL | {"coordinator_a", "coordinator_b",
                                                                             "operator_a1"}, VIEW_KA),
    "collection-completeness-xlsx": campaign_cases("collection-completeness-xlsx", REGIONAL | {
        "coordinator_a", "coordinator_b", "operator_a1"}, VIEW_KA),
    "collection-template": campaign_cases("collection-template", {"coordinator_a", "coordinator_b", "operator_a1"},
                                          {"coordinator_a"}),
    "collection-upload": campaign_cases("collection-upload", FILLERS, {"region_admin", "analyst", "coordinator_a"}),
    "collection-accept-all": campaign_cases("collection-accept-all", REGION_ACCEPT, REGION_ACCEPT, "post"),
    "collection-lock": campaign_cases("collection-lock", REGION_ACCEPT, REGION_ACCEPT, "post"),
    "collection-respondent": respondent_cases("collection-respondent", {"a1": VIEW_A1, "b1": VIEW_B1, "ka": VIEW_KA}),
    "collection-save": respondent_cases("collection-save", {"a1": {"coordinator_a", "operator_a1"},
                                                            "b1": {"coordinator_b"}}, "post"),
    "collection-submit": respondent_cases("collection-submit", {"a1": {"coordinator_a", "operator_a1"},
                                                                "b1": {"coordinator_b"}}, "post"),
    "collection-return": respondent_cases("collection-return", {"a1": REGION_ACCEPT | {"coordinator_a"},
                                                                "b1": REGION_ACCEPT | {"coordinator_b"}}, "post"),
    "collection-approve": respondent_cases("collection-approve", {"a1": REGION_ACCEPT | {"coordinator_a"},
                                                                  "b1": REGION_ACCEPT | {"coordinator_b"}}, "post"),
    "collection-accept": respondent_cases("collection-accept", {"a1": REGION_ACCEPT, "ka": REGION_ACCEPT}, "post"),
    "collection-exception": respondent_cases("collection-exception", {"a1": REGION_ACCEPT, "b1": REGION_ACCEPT},
                                             "post"),
}

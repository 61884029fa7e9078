"""`/api/v1/evaluation`: the МУМ evaluation's campaigns and results per persona with a token — the pages'
visibility (results for the region's roles, for a coordinator its own municipality after publication, never
for an expert or a school) and the figures of `services.campaign_results`.

The campaign of tests/evaluation/world.py: published; A's experts still drafting; B reconciled with one
dispute (1.1.1.1) the chair has not decided yet."""

from __future__ import annotations

import pytest
from django.test import Client

from msoko.web.evaluation import services
from tests.api.conftest import bearer
from tests.evaluation.world import build
from tests.web.personas import PERSONAS

READERS = {"region_admin", "analyst"}
# by hand: who sees the campaign, which municipalities' forms, and whose results (after the publication)
CAMPAIGN = READERS | {"expert", "coordinator_a", "coordinator_b"}
FORMS = {"region_admin": {"A", "B"}, "analyst": {"A", "B"}, "expert": {"A"}, "coordinator_a": {"A"},
         "coordinator_b": {"B"}, "operator_a1": set(), "no_role": set()}
RESULTS = {"region_admin": {"A", "B"}, "analyst": {"A", "B"}, "expert": set(), "coordinator_a": {"A"},
           "coordinator_b": {"B"}, "operator_a1": set(), "no_role": set()}


def get(client, url, user, **params):
    return client.get(url, params, **bearer(user))


@pytest.fixture
def ew(world):
    return build(world)


def test_anonymous_gets_401_and_no_scope_403(ew):
    client = Client()
    pk = ew.campaign.pk
    for url in ("/api/v1/evaluation", f"/api/v1/evaluation/{pk}", f"/api/v1/evaluation/{pk}/results",
                f"/api/v1/evaluation/{pk}/results/mun-A"):
        assert client.get(url).status_code == 401, url
        assert get(client, url, ew.world.users["no_role"]).status_code == 403, url


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "no_role"])
def test_a_persona_sees_what_the_pages_show_it(ew, persona):
    client = Client()
    world = ew.world
    user = world.users[persona]
    pk = ew.campaign.pk
    listed = [row["id"] for row in get(client, "/api/v1/evaluation", user).json()]
    assert listed == ([pk] if persona in CAMPAIGN else [])
    detail = get(client, f"/api/v1/evaluation/{pk}", user)
    assert detail.status_code == (200 if persona in CAMPAIGN else 404)
    if detail.status_code == 200:
        assert {m["municipality_id"] for m in detail.json()["municipalities"]} == {
            world.municipalities[k].code for k in FORMS[persona]}
        assert {m["municipality_id"] for m in detail.json()["municipalities"] if m["results_visible"]} == {
            world.municipalities[k].code for k in RESULTS[persona]}
    results = get(client, f"/api/v1/evaluation/{pk}/results", user)
    if RESULTS[persona]:
        assert {r["municipality_id"] for r in results.json()} == {world.municipalities[k].code
                                                                 for k in RESULTS[persona]}
    else:
        assert results.status_code == (403 if persona in CAMPAIGN else 404)
        for k in ("A", "B"):
            assert world.municipalities[k].name not in results.content.decode()
    for k in ("A", "B"):
        muni = world.municipalities[k]
        one = get(client, f"/api/v1/evaluation/{pk}/results/{muni.code}", user)
        expected = 200 if k in RESULTS[persona] else 403 if k in FORMS[persona] else 404
        assert one.status_code == expected, (persona, k)
        if expected != 200:
            assert muni.name not in one.content.decode()


def test_results_are_the_services_figures_and_ranks_for_the_region_only(ew):
    client = Client()
    world = ew.world
    services.decide(ew.dispute, 2, "Обоснование председателя", world.users["region_admin"])
    stored = {r.dossier.municipality.code: r for r in services.campaign_results(ew.campaign)}
    ranks = services.ranks(list(stored.values()))
    b = world.municipalities["B"].code
    assert stored[b].total.score is not None  # the dispute decided: B has a total now
    body = {r["municipality_id"]: r for r in get(client, f"/api/v1/evaluation/{ew.campaign.pk}/results",
                                                 world.users["analyst"]).json()}
    for code, result in stored.items():
        assert [(t["key"], t["score"], t["max_score"], t["percent"], t["level"]) for t in body[code]["totals"]] == [
            (t.key, t.score, t.max_score, t.percent, t.level.code if t.level else None) for t in result.totals]
        assert [(p["code"], p["score"], p["status"], p["round"]) for p in body[code]["positions"]] == [
            (p.position.code, p.score, p.status, p.round) for p in result.positions]
        assert body[code]["rank"] == ranks[result.dossier.pk]
    assert body[b]["rank"] == 1
    own = get(client, f"/api/v1/evaluation/{ew.campaign.pk}/results/{b}", world.users["coordinator_b"]).json()
    assert own["totals"] == body[b]["totals"] and own["rank"] is None  # the ranking page is the region's
    assert world.municipalities["A"].name not in str(own)


def test_before_the_publication_a_coordinator_sees_no_results(ew):
    client = Client()
    ew.campaign.published_at = None
    ew.campaign.save(update_fields=["published_at"])
    pk = ew.campaign.pk
    coordinator = ew.world.users["coordinator_b"]
    assert get(client, f"/api/v1/evaluation/{pk}/results", coordinator).status_code == 403
    assert get(client, f"/api/v1/evaluation/{pk}/results/mun-B", coordinator).status_code == 403
    detail = get(client, f"/api/v1/evaluation/{pk}", coordinator).json()
    assert detail["published"] is False and not any(m["results_visible"] for m in detail["municipalities"])
    assert get(client, f"/api/v1/evaluation/{pk}/results", ew.world.users["region_admin"]).status_code == 200


def test_bad_identifiers_are_422_or_404(ew):
    client = Client()
    user = ew.world.users["region_admin"]
    assert get(client, "/api/v1/evaluation/0", user).status_code == 422
    assert get(client, "/api/v1/evaluation/abc", user).status_code == 422
    assert get(client, f"/api/v1/evaluation/{ew.campaign.pk + 1000}", user).status_code == 404
    assert get(client, f"/api/v1/evaluation/{ew.campaign.pk}/results/nowhere", user).status_code == 404


def test_the_openapi_document_declares_the_answers_fields(ew):
    """Ninja names a component by its class: two resources' schemas of one name would silently replace each
    other in the document (schemathesis found CampaignOut of /forms declared for /evaluation)."""
    client = Client()
    user = ew.world.users["region_admin"]
    document = client.get("/api/v1/openapi.json").json()

    def declared(path: str) -> set[str]:
        schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        schema = schema.get("items", schema)
        return set(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]["properties"])

    from tests.web.scoped_pages_collection import campaigns

    forms = campaigns(ew.world)
    pk = ew.campaign.pk
    answers = {"/api/v1/evaluation": get(client, "/api/v1/evaluation", user).json()[0],
               "/api/v1/evaluation/{campaign_id}": get(client, f"/api/v1/evaluation/{pk}", user).json(),
               "/api/v1/evaluation/{campaign_id}/results": get(client, f"/api/v1/evaluation/{pk}/results", user).json()[0],
               "/api/v1/forms": get(client, "/api/v1/forms", user).json()[0],
               "/api/v1/forms/{campaign_id}": get(client, f"/api/v1/forms/{forms['talents'].pk}", user).json()}
    for path, answer in answers.items():
        assert declared(path) == set(answer), path
    for path in ("/api/v1/forms/{campaign_id}/submissions", "/api/v1/forms/{campaign_id}/completeness",
                 "/api/v1/forms/{campaign_id}/submissions/{submission_id}",
                 "/api/v1/evaluation/{campaign_id}/results/{municipality}"):
        assert path in document["paths"], path
        operation = document["paths"][path]["get"]
        assert operation["summary"] and any("а" <= ch <= "я" for ch in operation["summary"].lower()), path

"""`/api/v1/forms`: the collection campaigns, their forms, submissions and completeness, per persona with a
token — the same scope as the collection pages, the same figures as the collection services.

Two campaigns (tests/web/scoped_pages_collection.py): «form_talents» over A and B (schools a1, a2, b1) and
«form_preschool» over A only (kindergarten ka)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from msoko.web.access import restrict
from msoko.web.collection import services
from tests.api.conftest import bearer
from tests.web.personas import PERSONAS, VISIBLE
from tests.web.scoped_pages_collection import campaigns

SCOPED = [p for p in PERSONAS if p != "no_role"]
RESPONDENTS = {"talents": ("a1", "a2", "b1"), "preschool": ("ka",)}
# who sees a campaign: by hand, from the personas' scopes (a campaign is visible through its respondents)
SEES = {"talents": {"region_admin", "analyst", "expert", "coordinator_a", "coordinator_b", "operator_a1"},
        "preschool": {"region_admin", "analyst", "expert", "coordinator_a"}}


def get(client, url, user, **params):
    return client.get(url, params, **bearer(user))


@pytest.fixture
def opened(world):
    return campaigns(world)


def test_anonymous_gets_401_and_no_scope_403(world, opened):
    client = Client()
    pk = opened["talents"].pk
    for url in ("/api/v1/forms", f"/api/v1/forms/{pk}", f"/api/v1/forms/{pk}/submissions",
                f"/api/v1/forms/{pk}/completeness"):
        assert client.get(url).status_code == 401, url
        assert get(client, url, world.users["no_role"]).status_code == 403, url


@pytest.mark.parametrize("persona", SCOPED)
def test_a_persona_sees_the_campaigns_and_submissions_of_its_scope(world, opened, persona):
    client = Client()
    user = world.users[persona]
    listed = {row["code"] for row in get(client, "/api/v1/forms", user).json()}
    assert listed == {opened[key].form.code for key in SEES if persona in SEES[key]}
    for key, orgs in RESPONDENTS.items():
        pk = opened[key].pk
        detail = get(client, f"/api/v1/forms/{pk}", user)
        submissions = get(client, f"/api/v1/forms/{pk}/submissions", user)
        if persona not in SEES[key]:
            assert detail.status_code == submissions.status_code == 404
            assert opened[key].form.title not in detail.content.decode()
            continue
        assert detail.status_code == 200 and detail.json()["title"] == opened[key].form.title
        expected = {world.organisations[k].code for k in orgs if k in VISIBLE[persona]}
        assert {row["org_id"] for row in submissions.json()} == expected
        for k in orgs:  # one submission: 200 inside the scope, 404 outside, never the name
            one = get(client, f"/api/v1/forms/{pk}/submissions/{opened['resp'][world.organisations[k].code].pk}",
                      user)
            assert one.status_code == (200 if k in VISIBLE[persona] else 404), (persona, k)
            if one.status_code == 404:
                assert world.organisations[k].name not in one.content.decode()


def test_the_form_detail_is_the_published_definition(world, opened):
    client = Client()
    campaign = opened["talents"]
    body = get(client, f"/api/v1/forms/{campaign.pk}", world.users["coordinator_a"]).json()
    form = campaign.form.form()
    assert [s["title"] for s in body["sections"]] == [s.title for s in form.sections]
    assert [f["code"] for s in body["sections"] for f in s["fields"]] == [f.code for f in form.fields]
    assert [f["label"] for s in body["sections"] for f in s["fields"]] == [f.label for f in form.fields]
    assert [c["code"] for c in body["checks"]] == [c.code for c in form.checks]
    assert body["deadline"] == campaign.deadline.isoformat() and body["year"] == campaign.year


def test_submitted_values_are_those_stored_and_only_inside_the_scope(world, opened):
    client = Client()
    respondent = opened["resp"][world.organisations["a1"].code]
    operator = world.users["operator_a1"]
    services.save_draft(respondent, operator, {"students": "412", "olymp_participants": "37"})
    respondent.refresh_from_db()
    assert respondent.values  # the draft was stored
    url = f"/api/v1/forms/{opened['talents'].pk}/submissions/{respondent.pk}"
    for persona in ("operator_a1", "coordinator_a", "region_admin", "expert"):
        body = get(client, url, world.users[persona]).json()
        assert body["values"] == respondent.values and body["state"] == "draft", persona
        assert body["org_id"] == world.organisations["a1"].code and body["submitted_at"] is None
    response = get(client, url, world.users["coordinator_b"])
    assert response.status_code == 404 and "412" not in response.content.decode()
    listed = get(client, f"/api/v1/forms/{opened['talents'].pk}/submissions", world.users["coordinator_a"],
                 state="draft").json()
    assert [row["id"] for row in listed] == [respondent.pk]
    assert get(client, f"/api/v1/forms/{opened['talents'].pk}/submissions", world.users["coordinator_a"],
               state="planet").status_code == 422


@pytest.mark.parametrize("persona", ["region_admin", "coordinator_a", "coordinator_b", "operator_a1"])
def test_completeness_is_the_campaign_pages_count(world, opened, persona):
    client = Client()
    campaign = opened["talents"]
    operator = world.users["operator_a1"]
    a1 = opened["resp"][world.organisations["a1"].code]
    services.save_draft(a1, operator, {"students": "400"})
    b1 = opened["resp"][world.organisations["b1"].code]  # b1 sent its form (the state as a submission leaves it)
    type(b1).objects.filter(pk=b1.pk).update(state="submitted", submitted_at=timezone.now(),
                                             first_submitted_at=timezone.now())
    user = world.users[persona]
    body = get(client, f"/api/v1/forms/{campaign.pk}/completeness", user).json()
    expected = services.completeness(campaign, restrict(campaign.respondents.all(), user))
    assert [(r["municipality_id"], r["total"], r["submitted"], r["on_time"], r["approved"], r["accepted"],
             r["late"]) for r in body] == [
        (e.municipality.code if e.municipality else None, e.total, e.submitted, e.on_time, e.approved, e.accepted,
         len(e.late)) for e in expected]
    total = body[-1]
    assert total["municipality_id"] is None
    assert total["total"] == sum(1 for k in RESPONDENTS["talents"] if k in VISIBLE[persona])
    assert total["submitted"] == (1 if "b1" in VISIBLE[persona] else 0)
    # a municipality's row counts only the respondents in the scope (an operator: its own school)
    assert {r["municipality_id"] for r in body[:-1]} == {world.organisations[k].municipality.code
                                                         for k in RESPONDENTS["talents"] if k in VISIBLE[persona]}

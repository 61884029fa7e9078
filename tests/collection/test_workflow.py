"""Campaign states, publishing only accepted data, locks — through the services the views and the CLI call.

Each test uses its own data year: the warehouse is the session's workspace, shared by the tests.
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest
from auditlog.models import LogEntry
from django.conf import settings

from msoko.engine.warehouse import Warehouse
from msoko.web.collection import services
from msoko.web.collection.models import Respondent, State


def _warehouse_rows(dataset: str, year: int) -> dict[str, dict]:
    version = Warehouse(settings.WORKSPACE.warehouse).active_versions(dataset).get(str(year))
    if version is None:
        return {}
    folder = Warehouse(settings.WORKSPACE.warehouse).version_dir(dataset, version)
    rows = [r for f in folder.glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    return {r.get("org_id") or r["municipality_id"]: r for r in rows}


def _resp(campaign, code) -> Respondent:
    return campaign.respondents.select_related("campaign", "form", "organisation", "municipality").get(
        organisation__code=code)


def test_fill_return_correct_approve_accept_and_only_accepted_reach_the_warehouse(world):
    users = world.users
    campaign = services.open_campaign("form_talents", 2031, date.today() + timedelta(days=10))
    assert {r.organisation.code for r in campaign.respondents.all()} == {"edu100001", "edu100002", "edu200001"}
    a1, a2 = _resp(campaign, "edu100001"), _resp(campaign, "edu100002")

    services.save_draft(a1, users["operator_a1"], {"students": "300", "olymp_participants": "40",
                                                   "olymp_winners": "55"})
    assert a1.state == State.DRAFT and a1.values["students"] == 300
    with pytest.raises(services.Refused) as refused:
        services.submit(a1, users["operator_a1"])
    assert any("olymp_winners" in reason for reason in refused.value.reasons)
    assert Respondent.objects.get(pk=a1.pk).state == State.DRAFT

    services.submit(a1, users["operator_a1"], {"olymp_winners": "12"})
    services.submit(a2, users["coordinator_a"], {"students": "500", "olymp_participants": "80",
                                                 "olymp_winners": "8"})
    with pytest.raises(services.Refused):
        services.approve(a1, users["operator_a1"])  # an operator does not approve
    services.return_for_work(a1, users["coordinator_a"], {"olymp_participants": "Участников больше: проверьте"})
    assert a1.state == State.RETURNED and a1.comments == {"olymp_participants": "Участников больше: проверьте"}
    services.submit(a1, users["operator_a1"], {"olymp_participants": "45"})
    services.approve(a1, users["coordinator_a"])
    assert a1.approved_by == users["coordinator_a"] and a1.approved_at is not None
    assert _warehouse_rows("form_talents", 2031) == {}  # approved is not yet accepted

    with pytest.raises(services.Refused):
        services.accept(a1, users["coordinator_a"])  # the region accepts
    services.accept(a1, users["region_admin"])
    rows = _warehouse_rows("form_talents", 2031)
    assert set(rows) == {"edu100001"}  # a2 is submitted, not accepted
    assert (rows["edu100001"]["students"], rows["edu100001"]["olymp_participants"],
            rows["edu100001"]["olymp_winners"], rows["edu100001"]["gifted"]) == (300, 45, 12, None)
    states = list(a1.revisions.values_list("state", flat=True))
    assert states == ["draft", "submitted", "returned", "submitted", "approved", "accepted"]
    assert LogEntry.objects.get_for_object(a1).count() >= 6
    a1.refresh_from_db()
    assert a1.accepted_by == users["region_admin"]
    with pytest.raises(services.Refused):
        services.submit(a1, users["operator_a1"], {"students": "1"})  # accepted data no longer change


def test_an_approved_submission_edited_goes_back_to_submitted_and_shows_what_changed(world):
    users = world.users
    campaign = services.open_campaign("form_talents", 2032, date.today() + timedelta(days=10))
    a1 = _resp(campaign, "edu100001")
    services.submit(a1, users["operator_a1"], {"students": "300", "gifted": "10"})
    services.approve(a1, users["coordinator_a"])
    services.submit(a1, users["operator_a1"], {"gifted": "14"})
    a1.refresh_from_db()
    assert a1.state == State.SUBMITTED
    assert a1.changed_after_approval == {"gifted": [10, 14]}
    assert a1.revisions.last().diff == {"gifted": [10, 14]}


def test_a_soft_check_against_last_years_accepted_value_needs_a_justification(world):
    users = world.users
    last = services.open_campaign("form_talents", 2033, date.today() + timedelta(days=10))
    services.submit(_resp(last, "edu100001"), users["operator_a1"], {"students": "100"})
    services.accept_many([_resp(last, "edu100001")], users["analyst"])
    now = services.open_campaign("form_talents", 2034, date.today() + timedelta(days=10))
    a1 = _resp(now, "edu100001")
    assert services.previous_values(a1)["students"] == 100
    with pytest.raises(services.Refused) as refused:
        services.submit(a1, users["operator_a1"], {"students": "180"})
    assert any("students_change" in r and "обоснование" in r for r in refused.value.reasons)
    services.submit(a1, users["operator_a1"], {"students": "180"},
                    justifications={"students_change": "Присоединён филиал, приказ № 12"})
    assert a1.state == State.SUBMITTED and a1.justifications["students_change"].startswith("Присоединён")


def test_entry_locks_after_the_deadline_and_an_exception_reopens_it(world):
    users = world.users
    campaign = services.open_campaign("form_talents", 2035, date.today() - timedelta(days=3))
    a1 = _resp(campaign, "edu100001")
    services.save_draft(a1, users["operator_a1"], {"students": "10"})  # not locked yet: late but open
    campaign.locked = True
    campaign.save()
    a1 = _resp(campaign, "edu100001")
    with pytest.raises(services.Refused):
        services.save_draft(a1, users["operator_a1"], {"students": "11"})
    with pytest.raises(services.Refused):
        services.grant_exception(a1, users["coordinator_a"], date.today() + timedelta(days=2), "болезнь")
    services.grant_exception(a1, users["region_admin"], date.today() + timedelta(days=2), "болезнь оператора")
    services.submit(a1, users["operator_a1"], {"students": "11"})
    rows = services.completeness(campaign, campaign.respondents.all())
    total = rows[-1]
    assert (total.total, total.submitted, total.on_time) == (3, 1, 0)
    assert {r.organisation.code for r in total.late} == {"edu100001", "edu100002", "edu200001"}


def test_a_municipality_form_is_filled_by_its_coordinator_and_accepted_by_the_region(world):
    users = world.users
    campaign = services.open_campaign("form_municipality", 2036, date.today() + timedelta(days=5))
    a = campaign.respondents.select_related("campaign", "form", "municipality").get(municipality__code="mun-A")
    assert not services.may_fill(users["coordinator_b"], a) and not services.may_fill(users["operator_a1"], a)
    services.submit(a, users["coordinator_a"], {"method_associations": "да", "shnor_events": "4"})
    services.accept(a, users["analyst"])
    assert _warehouse_rows("form_municipality", 2036)["mun-A"]["method_associations"] == 1


def test_reminders_before_the_deadline_and_for_overdue_organisations(world, mailoutbox):
    from msoko.web.collection.models import Reminder
    from msoko.web.collection.reminders import send_reminders
    from msoko.web.collection.tasks import home_tasks

    users = world.users
    users["operator_a1"].email = "a1@example.org"
    users["operator_a1"].save()
    soon = services.open_campaign("form_talents", 2037, date.today() + timedelta(days=2))
    past = services.open_campaign("form_careers", 2037, date.today() - timedelta(days=1))
    services.submit(_resp(past, "edu100001"), users["operator_a1"], {"students": "10"})
    assert send_reminders() > 0
    assert send_reminders() == 0  # once
    mine = list(Reminder.objects.filter(user=users["operator_a1"]).values_list("campaign", flat=True))
    assert mine == [soon.pk] and len(mailoutbox) == 1 and "срок сдачи" in mailoutbox[0].body
    overdue = Reminder.objects.get(user=users["coordinator_a"], campaign=past).text
    assert "МБОУ «Лицей № 2»" in overdue and "МБОУ «СОШ № 1»" not in overdue  # a1 submitted
    titles = [t["title"] for t in home_tasks(users["operator_a1"])]
    assert any("заполнить" in t for t in titles) and any("Напоминания" in t for t in titles)
    assert home_tasks(users["coordinator_b"]) and all("СОШ № 1" not in t["title"]
                                                      for t in home_tasks(users["coordinator_b"]))
    # a coordinator is not asked to fill its schools' forms, but told how many are late
    coordinator = home_tasks(users["coordinator_a"])
    assert not any("заполнить" in t["title"] and "Лицей № 2" in t["title"] for t in coordinator)
    [late] = [t for t in coordinator if t["title"] == "Организации не сдали формы сбора в срок"]
    assert late["overdue"] and late["count"] == past.respondents.filter(
        municipality__code="mun-A", organisation__isnull=False).exclude(organisation__code="edu100001").count()

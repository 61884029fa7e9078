"""The collection pages through the test client: entry with autosave, messages beside fields, review, accept."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.urls import reverse

from msoko.web.collection import services
from msoko.web.collection.models import FormVersion, Respondent, State


def _a1(campaign) -> Respondent:
    return campaign.respondents.get(organisation__code="edu100001")


def test_entry_autosave_messages_submit_return_approve_accept(client, world):
    users = world.users
    campaign = services.open_campaign("form_talents", 2051, date.today() + timedelta(days=5))
    a1 = _a1(campaign)
    client.force_login(users["operator_a1"])
    page = client.get(reverse("collection-respondent", args=[a1.pk])).content.decode()
    assert 'name="f_olymp_participants"' in page and "Участники всероссийской олимпиады" in page
    saved = client.post(reverse("collection-save", args=[a1.pk]),
                        {"f_olymp_participants": "10", "f_olymp_winners": "11", "f_students": "двести"}).json()
    assert saved["ok"] and "ожидается целое число" in saved["messages"]["students"][0]
    assert "Победителей" in saved["messages"]["olymp_winners"][0] and not saved["can_submit"]
    a1.refresh_from_db()
    assert a1.state == State.DRAFT and a1.values["olymp_participants"] == 10 and a1.values["students"] == "двести"

    client.post(reverse("collection-submit", args=[a1.pk]), {"f_students": "200"})
    assert Respondent.objects.get(pk=a1.pk).state == State.DRAFT  # winners > participants still blocks
    client.post(reverse("collection-submit", args=[a1.pk]), {"f_olymp_winners": "4"})
    assert Respondent.objects.get(pk=a1.pk).state == State.SUBMITTED

    client.force_login(users["coordinator_a"])
    client.post(reverse("collection-return", args=[a1.pk]), {"c_gifted": "Не заполнено число одарённых"})
    client.force_login(users["operator_a1"])
    page = client.get(reverse("collection-respondent", args=[a1.pk])).content.decode()
    assert "Не заполнено число одарённых" in page
    client.post(reverse("collection-submit", args=[a1.pk]), {"f_gifted": "9"})
    client.force_login(users["coordinator_a"])
    client.post(reverse("collection-approve", args=[a1.pk]))
    client.force_login(users["analyst"])
    client.post(reverse("collection-accept", args=[a1.pk]))
    a1.refresh_from_db()
    assert a1.state == State.ACCEPTED and a1.values["gifted"] == 9
    page = client.get(reverse("collection-campaign", args=[campaign.pk]) + "?municipality=mun-A").content.decode()
    assert "coordinator_a" in page and "analyst" in page  # approver and accepter shown
    xlsx = client.get(reverse("collection-completeness-xlsx", args=[campaign.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_form_of_300_fields_renders_fast(client, world):
    fields = [{"code": f"c{i:03d}", "label": f"Поле {i}", "type": "int", "min": 0} for i in range(300)]
    definition = {"code": "big", "version": 1, "title": "Большая форма", "dataset": "form_talents",
                  "respondent": {"level": "organisation"},
                  "sections": [{"title": f"Раздел {k}", "fields": fields[k * 30:(k + 1) * 30]} for k in range(10)],
                  "checks": [{"code": f"k{i}", "rule": f"c{i:03d} <= c{i + 1:03d} + 100", "message": "м"}
                             for i in range(0, 298, 2)]}
    version = FormVersion.objects.create(code="big", version=1, dataset="form_talents", title="Большая форма",
                                         level="organisation", definition=definition, digest="x")
    campaign = services.open_campaign("form_talents", 2052, date.today() + timedelta(days=5))
    a1 = _a1(campaign)
    Respondent.objects.filter(pk=a1.pk).update(form=version, values={f"c{i:03d}": i for i in range(300)})
    client.force_login(world.users["operator_a1"])
    client.get(reverse("collection-respondent", args=[a1.pk]))
    started = time.perf_counter()
    for _ in range(5):
        response = client.get(reverse("collection-respondent", args=[a1.pk]))
    per_page = (time.perf_counter() - started) / 5
    assert response.status_code == 200 and response.content.decode().count('class="field') == 300
    assert per_page < 0.5, per_page
    started = time.perf_counter()
    client.post(reverse("collection-save", args=[a1.pk]), {"f_c001": "5"})
    assert time.perf_counter() - started < 0.5


def test_dataset_upload_page_is_the_regions(client, world, tmp_path):
    client.force_login(world.users["coordinator_a"])
    assert client.get(reverse("collection-dataset-upload")).status_code == 403
    client.force_login(world.users["region_admin"])
    path = tmp_path / "m.csv"
    path.write_text("year,municipality_id,shnor_events\n2053,mun-A,3\n2053,mun-X,1\n", encoding="utf-8")
    with path.open("rb") as handle:
        page = client.post(reverse("collection-dataset-upload"), {"dataset": "form_municipality", "file": handle,
                                                                  "dry_run": "1"}).content.decode()
    assert "mun-X" in page and "Файл не принят" in page


def test_the_completeness_page_follows_every_change_though_it_is_kept_between_requests(client, world):
    campaign = services.open_campaign("form_talents", 2052, date.today() + timedelta(days=5))
    a1 = _a1(campaign)
    client.force_login(world.users["analyst"])

    def submitted_total() -> str:
        page = client.get(reverse("collection-campaign", args=[campaign.pk])).content.decode()
        table = page[page.index("<table"):page.index("</table>")]
        return table[table.rindex("<tr"):]  # the «Всего» row

    before = submitted_total()
    assert submitted_total() == before  # kept: the same answer again
    services.submit(a1, world.users["operator_a1"], {"olymp_participants": 10, "olymp_winners": 4, "gifted": 9,
                                                     "students": 200})
    after = submitted_total()
    assert after != before  # a submission changes the counts at once
    campaign.deadline = date.today() - timedelta(days=1)
    campaign.save()
    assert submitted_total() != after  # a moved deadline makes the others late


def test_a_roster_is_filled_on_the_page_and_its_totals_follow_the_rows(client, world):
    campaign = services.open_campaign("form_talents", 2053, date.today() + timedelta(days=5))
    a1 = _a1(campaign)
    client.force_login(world.users["operator_a1"])
    page = client.get(reverse("collection-respondent", args=[a1.pk])).content.decode()
    assert 'name="r__olymp_winners_list__0__code"' in page and "Добавить строку" in page
    rows = {"r__olymp_winners_list__0__code": "T-017", "r__olymp_winners_list__0__subject": "Математика",
            "r__olymp_winners_list__0__stage": "региональный",
            "r__olymp_winners_list__1__code": "T-018", "r__olymp_winners_list__1__subject": "Физика",
            "r__olymp_winners_list__1__stage": "школьный",
            "r__olymp_winners_list__2__code": "", "r__olymp_winners_list__2__subject": ""}  # an empty row: dropped
    saved = client.post(reverse("collection-save", args=[a1.pk]), {**rows, "f_olymp_participants": "30"}).json()
    assert saved["ok"] and saved["totals"] == {"olymp_winners": 2, "olymp_regional_winners": 1}
    a1.refresh_from_db()
    assert [r["code"] for r in a1.rosters["olymp_winners_list"]] == ["T-017", "T-018"]
    page = client.get(reverse("collection-respondent", args=[a1.pk])).content.decode()
    assert 'value="T-018"' in page and "(по строкам списка)" in page
    assert "Победители и призёры олимпиады (все этапы)" in page and ": olymp_winners" not in page  # the catalog's words
    # a name instead of a pseudonym is refused beside the roster, and the form cannot be sent
    named = {**rows, "r__olymp_winners_list__1__code": "Иванов Иван"}
    saved = client.post(reverse("collection-save", args=[a1.pk]), named).json()
    assert any("не ФИО" in e for e in saved["roster_errors"]) and not saved["can_submit"]
    a1.refresh_from_db()
    assert "Иванов" not in str(a1.rosters) and a1.rosters["olymp_winners_list"][1]["code"] == ""  # never stored
    subject = {**rows, "r__olymp_winners_list__1__subject": "Петров Пётр Петрович"}
    client.post(reverse("collection-save", args=[a1.pk]), subject)
    a1.refresh_from_db()
    assert "Петров" not in str(a1.rosters)
    # emptying every row goes back to totals typed by hand
    cleared = {key: "" for key in rows}
    saved = client.post(reverse("collection-save", args=[a1.pk]), {**cleared, "f_olymp_winners": "5"}).json()
    a1.refresh_from_db()
    assert a1.rosters == {} and a1.values["olymp_winners"] == 5 and saved["totals"] == {}

"""A recommendation both ways (issue 17, item 8): the coordinator sends it with a deadline, the school takes
it on and reports with a file, the coordinator returns the report, the school reports again, the coordinator
closes it — and each step shows on the right person's home page, and nobody else can take a step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from msoko.web.cycle.models import Recommendation, RecommendationStatus
from tests.web.cycle_world import PDF, build, login


@pytest.fixture
def cw(world):
    return build(world)


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_the_round_trip_from_issue_to_done(client, cw):
    rec = cw.recommendations["A_a1_draft"]
    deadline = date.today() + timedelta(days=30)
    # the coordinator sends the draft with a deadline
    login(client, cw, "coordinator_a").post(reverse("cycle-issue", args=[rec.pk]), {"deadline": deadline.isoformat()})
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.ISSUED and rec.deadline == deadline
    assert rec.issued_by == cw.world.users["coordinator_a"] and rec.issued_at is not None

    # the school sees it among what needs doing, with the deadline, and takes it on
    client.logout()
    page = home(login(client, cw, "operator_a1"))
    assert reverse("cycle-recommendation", args=[rec.pk]) in page and deadline.strftime("%d.%m.%Y") in page
    assert "принять к исполнению" in page
    assert client.post(reverse("cycle-recommendation-acknowledge", args=[rec.pk])).status_code == 302
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.ACKNOWLEDGED and rec.acknowledged_by == cw.world.users["operator_a1"]

    # … reports with a file
    upload = SimpleUploadedFile("отчёт школы.pdf", PDF, content_type="application/pdf")
    client.post(reverse("cycle-recommendation-report", args=[rec.pk]), {"report": "Проведён разбор ВПР", "file": upload})
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REPORTED and rec.report == "Проведён разбор ВПР"
    assert rec.report_name == "отчёт школы.pdf" and rec.report_file.read() == PDF
    first_file = rec.report_file.name

    # the coordinator sees the report waiting, returns it with a note (a return needs one)
    client.logout()
    assert reverse("cycle-recommendation", args=[rec.pk]) in home(login(client, cw, "coordinator_a"))
    client.post(reverse("cycle-recommendation-close", args=[rec.pk]), {"decision": "return", "note": ""})
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REPORTED  # refused: no note
    client.post(reverse("cycle-recommendation-close", args=[rec.pk]), {"decision": "return", "note": "Приложите план"})
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.RETURNED and rec.closing_note == "Приложите план"

    # the school sees the return, reports again with a new file (the old one is not kept twice)
    client.logout()
    page = home(login(client, cw, "operator_a1"))
    assert "доработать отчёт" in page
    assert "Приложите план" in client.get(reverse("cycle-recommendation", args=[rec.pk])).content.decode()
    upload = SimpleUploadedFile("план.pdf", PDF + b"%v2", content_type="application/pdf")
    client.post(reverse("cycle-recommendation-report", args=[rec.pk]), {"report": "План приложен", "file": upload})
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REPORTED and rec.report_name == "план.pdf"
    assert not rec.report_file.storage.exists(first_file)
    file_page = client.get(reverse("cycle-recommendation-file", args=[rec.pk]))
    assert file_page.status_code == 200 and b"".join(file_page.streaming_content) == PDF + b"%v2"

    # the coordinator closes it as done
    client.logout()
    login(client, cw, "coordinator_a").post(reverse("cycle-recommendation-close", args=[rec.pk]),
                                          {"decision": "done", "note": "Принято"})
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.DONE and rec.closed_by == cw.world.users["coordinator_a"]
    assert reverse("cycle-recommendation", args=[rec.pk]) not in home(client)


def test_only_the_addressee_takes_it_on_and_only_the_keeper_closes_it(client, cw):
    rec = cw.recommendations["A_a1_issued"]
    # the region's analyst sees it but is not the school; the coordinator keeps the cycle but is not the school
    for persona in ("analyst", "coordinator_a", "region_admin"):
        client.force_login(cw.world.users[persona])
        assert client.post(reverse("cycle-recommendation-acknowledge", args=[rec.pk])).status_code == 403
        client.logout()
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.ISSUED
    # the school may not close its own report
    rec.submit_report("Сделано")
    login(client, cw, "operator_a1")
    assert client.post(reverse("cycle-recommendation-close", args=[rec.pk]), {"decision": "done"}).status_code == 403
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REPORTED
    # another municipality's coordinator does not even find it
    client.logout()
    login(client, cw, "coordinator_b")
    assert client.get(reverse("cycle-recommendation", args=[rec.pk])).status_code == 404


def test_a_school_never_opens_a_draft_and_a_bad_file_or_date_changes_nothing(client, cw):
    draft = cw.recommendations["A_a1_draft"]
    login(client, cw, "operator_a1")
    assert client.get(reverse("cycle-recommendation", args=[draft.pk])).status_code == 404
    rec = cw.recommendations["A_a1_issued"]
    fake = SimpleUploadedFile("отчёт.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("cycle-recommendation-report", args=[rec.pk]), {"report": "x", "file": fake},
                           follow=True)
    assert "не принят" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.ISSUED and not rec.report_file and rec.report == ""
    for text in ("", "   ", "x" * 10_001):  # empty and over the limit: refused in Russian, nothing stored
        page = client.post(reverse("cycle-recommendation-report", args=[rec.pk]), {"report": text},
                           follow=True).content.decode()
        assert "не заполнено" in page or "длиннее" in page
        rec.refresh_from_db()
        assert rec.status == RecommendationStatus.ISSUED and rec.report == ""
    client.logout()
    login(client, cw, "coordinator_a")
    client.post(reverse("cycle-issue", args=[draft.pk]), {"deadline": "31.02.2026"})
    draft.refresh_from_db()
    assert draft.status == RecommendationStatus.DRAFT


def test_an_overdue_recommendation_is_on_the_keepers_home_page_first(client, cw):
    rec = cw.recommendations["A_a2_issued"]
    Recommendation.objects.filter(pk=rec.pk).update(deadline=date.today() - timedelta(days=3))
    page = home(login(client, cw, "coordinator_a"))
    assert "Просрочена рекомендация" in page and "просрочено" in page
    tasks = page[page.index('id="tasks"'):page.index("</section>", page.index('id="tasks"'))]
    rows = tasks.split("<tr")[2:]  # after the header row
    overdue = [' class="overdue"' in row for row in rows]
    assert any(overdue) and overdue == sorted(overdue, reverse=True)  # every overdue row before the others
    client.logout()
    assert "Просрочена рекомендация" not in home(login(client, cw, "coordinator_b"))


def test_the_home_page_finds_organisations_by_any_case_and_yo(client, cw):
    org = cw.world.organisations["a1"]
    login(client, cw, "region_admin")
    query = org.name.upper().replace("Е", "Ё")[:8]
    page = client.get(reverse("home"), {"q": query}).content.decode()
    assert "Найдено организаций: " in page and org.name in page
    found = page[page.index("Найдено организаций"):]
    assert org.municipality.name in found[:found.index("</table>")]  # a result names its municipality
    assert "Найдено организаций: 1" in client.get(reverse("home"), {"q": "", "kind": "kindergarten"}).content.decode()
    page = client.get(reverse("home"), {"q": "Такой-организации-нет"}).content.decode()
    assert "Найдено организаций: 0" in page
    client.logout()
    other = cw.world.organisations["b1"]
    page = login(client, cw, "coordinator_a").get(reverse("home"), {"q": other.name}).content.decode()
    assert "Найдено организаций: 0" in page  # search never reaches outside the scope

"""In a real browser: each persona's «Что нужно сделать», and a recommendation both ways — the coordinator
sends it with a deadline, the school takes it on and reports with a file, the coordinator closes it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msoko.web.cycle.models import Recommendation, RecommendationStatus
from tests.browser.conftest import SCREENSHOTS, login
from tests.web.cycle_world import PDF, build
from tests.web.personas import PASSWORD

# what each persona must find among its tasks in the cycle world: the texts are the providers' own titles
EXPECTED = {
    "operator_a1": ["Рекомендация (1.2): принять к исполнению", "Мероприятие: Мероприятие-секрет-A_a1"],
    "coordinator_a": ["Просрочена рекомендация", "Мероприятие: Мероприятие-секрет-A_a2"],
    "coordinator_b": ["Мероприятие: Мероприятие-секрет-B_b1"],
}
NOT_EXPECTED = {
    "operator_a1": ["A_a2", "B_b1"],
    "coordinator_a": ["B_b1", "R_b1"],
    "coordinator_b": ["A_a1", "A_a2", "Просрочена рекомендация"],
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_what_it_has_to_do(live_server, world, page, persona):
    cw = build(world)
    Recommendation.objects.filter(pk=cw.recommendations["A_a2_issued"].pk).update(
        deadline=date.today() - timedelta(days=2))
    login(page, live_server.url, persona, PASSWORD)
    page.wait_for_selector("#tasks")
    tasks = page.inner_text("#tasks")
    for text in EXPECTED[persona]:
        assert text in tasks, (persona, text)
    for text in NOT_EXPECTED[persona]:
        assert text not in tasks, (persona, text)
    assert "просрочено" in tasks  # the measures' deadline (31.05.2026) has passed in every persona's list


def test_a_recommendation_goes_there_and_back(live_server, world, page, tmp_path):
    cw = build(world)
    rec = cw.recommendations["A_a1_draft"]
    deadline = date.today() + timedelta(days=20)
    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.goto(f"{live_server.url}/cycle/recommendation/{rec.pk}/")
    page.fill("#deadline", deadline.isoformat())
    page.click("text=Направить организации")
    page.wait_for_selector("#rec-status:has-text('направлена')")
    assert deadline.strftime("%d.%m.%Y") in page.inner_text("#recommendation-facts")
    page.context.clear_cookies()

    login(page, live_server.url, "operator_a1", PASSWORD)
    page.wait_for_selector("#tasks")
    page.click(f"#tasks a[href$='/recommendation/{rec.pk}/']")
    page.click("#acknowledge")
    page.wait_for_selector("#rec-status:has-text('принята школой')")
    report = tmp_path / "отчёт.pdf"
    report.write_bytes(PDF)
    page.fill("#report", "Проведён поэлементный разбор ВПР")
    page.set_input_files("#file", str(report))
    page.click("text=Направить отчёт")
    page.wait_for_selector("#rec-status:has-text('школа отчиталась')")
    assert "отчёт.pdf" in page.inner_text("#rec-report")
    page.context.clear_cookies()

    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.wait_for_selector("#tasks")
    assert "Отчёт школы по рекомендации" in page.inner_text("#tasks")
    page.click(f"#tasks a[href$='/recommendation/{rec.pk}/']")
    page.fill("#note", "Выполнено в срок")
    page.click("button[value=done]")
    page.wait_for_selector("#rec-status:has-text('выполнена')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "recommendation-done.png"), full_page=True)
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.DONE and rec.report_file.read() == PDF

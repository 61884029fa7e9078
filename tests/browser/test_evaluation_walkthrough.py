"""Acceptance (issue 16): in a real browser the coordinator submits the primary form, two experts score
blind, the chair reconciles, decides the one dispute with a written reason and publishes, and the coordinator
opens the conclusion — whose total is the hand-computed one. Screenshots go to docs/screenshots/evaluation-*.png
when SCREENSHOTS_DIR asks for them."""

from __future__ import annotations

from datetime import date

from msoko.engine.evaluation.rubric import load_rubric
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Decision, ExpertPosition
from tests.browser.conftest import SCREENSHOTS, login
from tests.evaluation.world import make_expert
from tests.web.personas import PASSWORD

BEST = "document.querySelectorAll('#score-form select').forEach(s => { s.selectedIndex = s.options.length - 1; })"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"evaluation-{name}.png"), full_page=False)


def logout(page):
    page.locator("form[action$='/logout/'] button").click()


def test_form_two_experts_chair_and_conclusion(live_server, world, page):
    base = live_server.url
    campaign = services.open_campaign(world.region, 2026, load_rubric(), date(2026, 9, 15),
                                      user=world.users["region_admin"])
    dossier = campaign.dossiers.get(municipality=world.municipalities["A"])
    services.assign(dossier, world.users["expert"])
    services.assign(dossier, make_expert(world, "expert2"))

    login(page, base, "coordinator_a", PASSWORD)
    page.goto(f"{base}/evaluation/d/{dossier.pk}/")
    page.fill("textarea[name='s:1.1.1.1']", "Проведены семинары для директоров о доверии к оценке")
    shot(page, "form")
    page.get_by_role("button", name="Представить форму").click()
    page.wait_for_selector("text=Форма первичных данных представлена")
    logout(page)

    for expert, description in (("expert", "1"), ("expert2", "0")):
        login(page, base, expert, PASSWORD)
        page.goto(f"{base}/evaluation/")
        page.get_by_role("link", name="оценить").click()
        assert "Проведены семинары для директоров" in page.content()  # the statement beside the position
        page.evaluate(BEST)
        page.select_option("select[name='p:1.1.1.1:description']", description)
        if expert == "expert":
            shot(page, "score")
        page.get_by_role("button", name="Представить оценку").click()
        page.wait_for_selector("text=Оценка представлена")
        logout(page)

    login(page, base, "region_admin", PASSWORD)
    page.goto(f"{base}/evaluation/c/{campaign.pk}/")
    page.get_by_role("button", name="Сверить оценки экспертов").click()
    page.wait_for_selector("text=расхождений 1")
    page.get_by_role("link", name="Расхождения экспертов").click()
    page.fill("input[name='score']", "3")
    page.fill("textarea[name='reason']", "Меры описаны в приказе, но без сроков для части школ")
    shot(page, "dispute")
    page.get_by_role("button", name="Записать решение").click()
    page.wait_for_selector("text=Решение по позиции 1.1.1.1 записано")
    page.goto(f"{base}/evaluation/c/{campaign.pk}/")
    page.get_by_role("button", name="Опубликовать итоги").click()
    page.wait_for_selector("text=Итоги опубликованы")
    logout(page)

    login(page, base, "coordinator_a", PASSWORD)
    page.goto(f"{base}/evaluation/")
    page.get_by_role("link", name="открыть").click()
    page.wait_for_selector("h1:has-text('Экспертное заключение')")
    shot(page, "conclusion")
    total_row = page.locator("table.data tbody tr", has_text="Итого")
    # by hand: every position at its maximum (277) but 1.1.1.1, decided 3 of 4
    assert total_row.locator("td").nth(1).inner_text() == "276"
    assert "Меры описаны в приказе, но без сроков" in page.content()
    assert Decision.objects.get().reason.startswith("Меры описаны в приказе")
    assert sorted(ExpertPosition.objects.filter(position="1.1.1.1").values_list("parameters__description", flat=True)) \
        == [0, 1]  # both experts' initial scores kept

"""Acceptance in a real browser: a school fills its talents form, the coordinator returns it with a comment on
a field, the school corrects it, the coordinator approves, the region accepts — and after `compute` the
municipality page shows the indicator computed from exactly the value typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msoko.core.workspace import Workspace
from tests.browser.conftest import SCREENSHOTS, login
from tests.web.personas import PASSWORD

INDICATOR = "Количество участников школьного, муниципального и регионального этапов"


@pytest.fixture
def workspace(tmp_path, settings, world):
    """A workspace of its own whose registry holds the personas' organisations (the engine aggregates by it)."""
    from msoko.ingest import read_registry, write_registry_dataset

    ws = Workspace(tmp_path / "ws").ensure()
    lines = ["org_id,name,kind,municipality_id,municipality_name,region_id,region_name"]
    for org in world.organisations.values():
        lines.append(f'{org.code},"{org.name.replace(chr(34), "")}",{org.kind},{org.municipality.code},'
                     f"{org.municipality.name},{world.region.code},{world.region.name}")
    path = tmp_path / "organisations.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, issues = read_registry(path)
    assert not [i for i in issues if i.is_error]
    write_registry_dataset(ws, rows)
    settings.WORKSPACE = ws
    settings.MSOKO_RESULTS_DIR = str(ws.results)
    return ws


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"collection-{name}.png"), full_page=True)


def _logout(page):
    page.click("nav.user button")


def test_fill_return_correct_approve_accept_and_see_the_indicator(live_server, world, workspace, page):
    from msoko.engine.pipeline import recompute
    from msoko.web.collection import services
    from msoko.web.collection.models import State

    campaign = services.open_campaign("form_talents", 2024, date.today() + timedelta(days=7))
    a1 = campaign.respondents.get(organisation__code=world.organisations["a1"].code)
    url = f"{live_server.url}/collection/r/{a1.pk}/"

    login(page, live_server.url, "operator_a1", PASSWORD)
    page.goto(f"{live_server.url}/collection/")
    page.click(f"a[href='/collection/r/{a1.pk}/']")
    page.fill("#f_students", "640")
    page.fill("#f_olymp_participants", "120")
    page.fill("#f_olymp_winners", "130")
    page.wait_for_function("document.querySelector(\"[data-code=olymp_winners] .msg\").textContent.length > 0")
    assert "Победителей" in page.inner_text("[data-code=olymp_winners] .msg")  # beside the field, while typing
    page.click("#entry button[type=submit]")
    assert "Форма не отправлена" in page.inner_text("ul.messages") and "olymp_winners" in page.inner_text("ul.messages")
    page.fill("#f_olymp_winners", "14")
    page.click("#entry button[type=submit]")
    assert "отправлена" in page.inner_text("#state")
    shot(page, "school-submitted")
    _logout(page)

    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.goto(url)
    page.fill("input[name=c_olymp_participants]", "Участников больше: школьный этап — 126")
    page.click("#return-form button[type=submit]")
    assert "возвращена" in page.inner_text("#state")
    _logout(page)

    login(page, live_server.url, "operator_a1", PASSWORD)
    page.goto(url)
    assert "школьный этап — 126" in page.inner_text("[data-code=olymp_participants]")
    page.fill("#f_olymp_participants", "126")
    page.click("#entry button[type=submit]")
    assert "отправлена" in page.inner_text("#state")
    _logout(page)

    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.goto(url)
    page.click("form[action$='/approve/'] button")
    assert "согласована" in page.inner_text("#state")
    _logout(page)

    login(page, live_server.url, "region_admin", PASSWORD)
    page.goto(url)
    page.click("form[action$='/accept/'] button")
    assert "принята" in page.inner_text("#state") and "coordinator_a" in page.inner_text("main")
    a1.refresh_from_db()
    assert a1.state == State.ACCEPTED and a1.values["olymp_participants"] == 126

    recompute(workspace)  # what `msoko compute` (or the recompute job) does next
    page.goto(f"{live_server.url}/municipality/{world.municipalities['A'].code}/")
    row = page.locator("tr", has_text=INDICATOR).first
    assert "126" in row.inner_text()
    shot(page, "municipality-indicator")


def test_a_school_lists_its_olympiad_winners_and_the_totals_follow(live_server, world, page):
    from msoko.web.collection import services

    campaign = services.open_campaign("form_talents", 2025, date.today() + timedelta(days=7))
    a1 = campaign.respondents.get(organisation__code=world.organisations["a1"].code)
    login(page, live_server.url, "operator_a1", PASSWORD)
    page.goto(f"{live_server.url}/collection/r/{a1.pk}/")
    roster = "table.roster[data-roster=olymp_winners_list] tbody tr"
    assert page.locator(roster).count() == 3
    for n, (code, subject, stage) in enumerate([("T-001", "Математика", "региональный"),
                                                ("T-002", "Химия", "школьный"),
                                                ("T-003", "Физика", "заключительный"),
                                                ("T-004", "Физика", "муниципальный")]):
        if n >= page.locator(roster).count():
            page.click("button.add-row[data-roster=olymp_winners_list]")
        page.fill(f"input[name=r__olymp_winners_list__{n}__code]", code)
        page.fill(f"input[name=r__olymp_winners_list__{n}__subject]", subject)
        page.select_option(f"select[name=r__olymp_winners_list__{n}__stage]", stage)
    page.wait_for_function("document.getElementById('f_olymp_winners').value === '4'")
    assert page.input_value("#f_olymp_regional_winners") == "2"
    shot(page, "school-roster")
    a1.refresh_from_db()
    assert [r["code"] for r in a1.rosters["olymp_winners_list"]] == ["T-001", "T-002", "T-003", "T-004"]

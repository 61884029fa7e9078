"""In a real browser, each persona logs in and sees exactly its part of the region."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, login
from tests.web.personas import PASSWORD, VISIBLE

PERSONAS_WITH_SCOPE = ["region_admin", "coordinator_a", "coordinator_b", "operator_a1"]


@pytest.mark.parametrize("persona", PERSONAS_WITH_SCOPE)
def test_a_persona_logs_in_and_the_home_page_shows_its_scope(live_server, world, page, persona):
    login(page, live_server.url, persona, PASSWORD)
    page.wait_for_selector("h1:has-text('Главная')")
    text = page.text_content("main")  # collapsed municipalities included: the scope is about what is sent
    for key in ("A", "B", "a1", "a2", "ka", "b1"):
        assert (world.obj(key).name in text) == (key in VISIBLE[persona]), f"{persona}: {key}"


def test_a_coordinator_opening_another_municipality_gets_not_found(live_server, world, page):
    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.wait_for_selector("h1")
    response = page.goto(f"{live_server.url}/municipality/{world.municipalities['B'].code}/")
    assert response.status == 404
    assert world.municipalities["B"].name not in page.content()
    response = page.goto(f"{live_server.url}/organisation/{world.organisations['b1'].code}/")
    assert response.status == 404


def test_a_wrong_password_shows_a_russian_message(live_server, world, page):
    login(page, live_server.url, "analyst", "не-тот-пароль")
    assert "Неверное имя пользователя или пароль" in page.inner_text("main")


def test_the_login_and_home_pages_for_the_user_guide(live_server, world, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    login(page, live_server.url, "region_admin", PASSWORD)
    page.wait_for_selector("h1")
    assert world.municipalities["A"].name in page.inner_text("main")
    page.screenshot(path=str(SCREENSHOTS / "home-region.png"), full_page=True)

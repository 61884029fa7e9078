"""Error pages: Russian, inside the site's layout, saying what happened and where to go next (a link home);
a 403 shows the view's reason; an expected refusal is logged without a traceback."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from msoko.web.home import errors

ENGLISH = re.compile(r"\b(Not Found|Forbidden|Bad Request|Server Error|requested resource)\b")


def text_of(html: str) -> str:
    body = html[html.index("<main>"):html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", body)


def assert_russian_page_with_home_link(html: str, title: str) -> str:
    assert 'class="top"' in html and "<footer>" in html  # the site's layout
    assert f'href="{reverse("home")}"' in html and "Перейти на главную страницу" in html
    text = text_of(html)
    assert title in text and not ENGLISH.search(html)
    return text


@pytest.mark.django_db
def test_an_unknown_address_is_a_russian_404_inside_the_layout(world, client):
    client.force_login(world.users["analyst"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_russian_page_with_home_link(response.content.decode(), "Страница не найдена")


@pytest.mark.django_db
def test_an_object_outside_the_scope_is_a_404_that_does_not_tell_it_exists(world, client):
    client.force_login(world.users["coordinator_b"])
    response = client.get(reverse("organisation", kwargs={"code": world.organisations["a1"].code}))
    assert response.status_code == 404
    text = assert_russian_page_with_home_link(response.content.decode(), "Страница не найдена")
    assert world.organisations["a1"].name not in text


@pytest.mark.django_db
def test_a_403_shows_the_reason_the_view_gave_and_is_logged_without_traceback(world, client, caplog):
    client.force_login(world.users["expert"])  # an expert may not import data
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("imports"))
    assert response.status_code == 403
    text = assert_russian_page_with_home_link(response.content.decode(), "Доступ запрещён")
    assert "Загрузка данных недоступна для вашей роли." in text
    refusals = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert refusals and all(r.exc_info is None for r in refusals)


def test_the_quiet_filter_keeps_the_traceback_of_a_500():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())
    record.status_code = 500
    assert errors.QuietRefusals().filter(record) and record.exc_info is not None


@pytest.mark.django_db
def test_400_and_500_pages_are_russian_with_a_link_home(world):
    request = RequestFactory().get("/")
    request.user = world.users["analyst"]
    for response, title in ((errors.bad_request(request, None), "Неверный запрос"),
                            (errors.server_error(request), "Ошибка сервера")):
        assert response.status_code in (400, 500)
        assert_russian_page_with_home_link(response.content.decode(), title)


@pytest.mark.django_db
def test_a_stale_form_is_a_russian_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["analyst"])
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    text = assert_russian_page_with_home_link(response.content.decode(), "Доступ запрещён")
    assert "обновите страницу" in text

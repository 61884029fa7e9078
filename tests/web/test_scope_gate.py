"""Every object page answers each persona exactly as `VISIBLE` says: 200 inside the scope, 404 outside.

`SCOPED_PAGES` lists every URL of the app that names an object; a later view joins by adding a line,
and `test_every_object_url_is_covered_by_the_persona_matrix` fails until it does.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from tests.web.personas import PERSONAS, VISIBLE

# url name → the world's objects it is opened for (by key) and how the URL names them.
SCOPED_PAGES = {
    "region": (["R"], lambda obj: {"code": obj.code}),
    "municipality": (["A", "B"], lambda obj: {"code": obj.code}),
    "organisation": (["a1", "a2", "ka", "b1"], lambda obj: {"code": obj.code}),
}

# URL names with parameters that are not object pages of the scope gate (Django admin and the like).
NOT_SCOPED_PREFIXES = ("admin:",)

CASES = [(persona, name, key) for persona in PERSONAS for name, (keys, _) in SCOPED_PAGES.items() for key in keys]


def _names_with_parameters(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names_with_parameters(pattern, inner)
        elif pattern.name and pattern.pattern.converters:
            yield f"{namespace}{pattern.name}"


def test_every_object_url_is_covered_by_the_persona_matrix():
    uncovered = [
        name
        for name in _names_with_parameters(get_resolver())
        if name not in SCOPED_PAGES and not name.startswith(NOT_SCOPED_PREFIXES)
    ]
    assert uncovered == []


@pytest.mark.parametrize(("persona", "url_name", "key"), CASES)
def test_a_persona_opens_an_object_page_only_inside_its_scope(client, world, persona, url_name, key):
    client.force_login(world.users[persona])
    _, kwargs = SCOPED_PAGES[url_name]
    obj = world.obj(key)
    response = client.get(reverse(url_name, kwargs=kwargs(obj)))
    expected = 200 if key in VISIBLE[persona] else 404
    assert response.status_code == expected, f"{persona} → {url_name} {key}"
    if expected == 404:
        assert obj.name not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_home_page_names_only_what_the_persona_may_see(client, world, persona):
    client.force_login(world.users[persona])
    page = client.get(reverse("home")).content.decode()
    for key in ("A", "B", "a1", "a2", "ka", "b1"):
        name = world.obj(key).name
        assert (name in page) == (key in VISIBLE[persona]), f"{persona} sees {key}: {name}"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    for url in [reverse("home"), reverse("organisation", kwargs={"code": "edu100001"})]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_only_a_superuser_enters_the_admin(client, world):
    client.force_login(world.users["region_admin"])
    assert client.get("/admin/").status_code == 302
    world.users["region_admin"].is_superuser = True
    world.users["region_admin"].save()
    assert client.get("/admin/").status_code == 200


def test_the_stylesheet_is_served_locally(client):
    response = client.get("/static/msoko/msoko.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)

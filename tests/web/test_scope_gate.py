"""Every URL that names an object answers each persona as the hand-written expectations say.

`SCOPED_PAGES` lists every URL of the app that takes a parameter; a later view joins by adding an
entry — here, or in a feature's own `tests/web/scoped_pages_<feature>.py` exporting `SCOPED_PAGES` with
the same shape (`Case` lives in `tests/web/scope_cases.py`) — and
`test_every_object_url_is_covered_by_the_persona_matrix` fails until it does. Inside the
scope a page answers 200 (or 302 after a POST); outside it answers 404 — or 403 where the role itself
may not use the page — and never shows the object's name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

import tests.web
from msoko.web.imports.models import ImportRecord
from msoko.web.jobs.models import Job
from tests.web.personas import PERSONAS, VISIBLE, World
from tests.web.scope_cases import Case


def registry_cases(url_name: str, keys: list[str]) -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        return [
            Case(
                reverse(url_name, kwargs={"code": world.obj(key).code}),
                {persona for persona in PERSONAS if key in VISIBLE[persona]},
                world.obj(key).name,
            )
            for key in keys
        ]

    return cases


def job_cases(world: World) -> list[Case]:
    job = Job.objects.create(kind="import", label="Загрузка файла «секрет-А.csv»", owner=world.users["coordinator_a"])
    return [Case(reverse("job", kwargs={"pk": job.pk}), {"coordinator_a"}, "секрет-А.csv")]


def import_rollback_cases(world: World) -> list[Case]:
    record = ImportRecord.objects.create(
        import_id="imp-a",
        when=timezone.now(),
        actor="coordinator_a",
        file_name="секрет-А.csv",
        kind="results",
        municipality=world.municipalities["A"],
        region=world.region,
    )
    allowed = {"region_admin", "analyst", "coordinator_a"}  # in scope and allowed to import
    return [Case(reverse("import-rollback", kwargs={"import_id": record.import_id}), allowed, "секрет-А.csv", "post")]


REGIONAL = {"region_admin", "analyst", "expert"}


def indicator_cases(url_name: str, **extra) -> Callable[[World], list[Case]]:
    """An indicator page is open to every persona with a scope; its drill-down into a municipality only
    inside that municipality's scope."""

    def cases(world: World) -> list[Case]:
        everyone = set(PERSONAS) - {"no_role"}
        out = [Case(reverse(url_name, kwargs={"code": "vpr_base", **extra}), everyone, "Синтетическая-никогда")]
        for key in ("A", "B"):
            muni = world.municipalities[key]
            allowed = REGIONAL | {persona for persona in PERSONAS if persona.startswith("coordinator")
                                  and key in VISIBLE[persona]}
            url = reverse(url_name, kwargs={"code": "vpr_base", **extra}) + f"?municipality={muni.code}"
            out.append(Case(url, allowed, muni.name))
        return out

    return cases


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "region": registry_cases("region", ["R"]),
    "municipality": registry_cases("municipality", ["A", "B"]),
    "organisation": registry_cases("organisation", ["a1", "a2", "ka", "b1"]),
    "indicator": indicator_cases("indicator"),
    "indicator-export": indicator_cases("indicator-export", fmt="csv"),
    "job": job_cases,
    "import-rollback": import_rollback_cases,
}
for _module in pkgutil.iter_modules(tests.web.__path__):
    if _module.name.startswith("scoped_pages_"):
        _feature = importlib.import_module(f"tests.web.{_module.name}").SCOPED_PAGES
        assert not set(_feature) & set(SCOPED_PAGES), f"{_module.name} repeats a URL name"
        SCOPED_PAGES.update(_feature)

# URL names with parameters that are not object pages of the scope gate (Django admin and the like).
NOT_SCOPED_PREFIXES = ("admin:",)


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


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(SCOPED_PAGES))
def test_a_persona_opens_an_object_url_only_inside_its_scope(client, world, persona, url_name):
    client.force_login(world.users[persona])
    for case in SCOPED_PAGES[url_name](world):
        response = getattr(client, case.method)(case.url)
        if persona in case.allowed:
            assert response.status_code in (200, 302), f"{persona} → {case.url}"
        else:
            assert response.status_code in (403, 404), f"{persona} → {case.url}: {response.status_code}"
            assert case.secret not in response.content.decode(), f"{persona} → {case.url}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_home_page_names_only_what_the_persona_may_see(client, world, persona):
    client.force_login(world.users[persona])
    page = client.get(reverse("home")).content.decode()
    for key in ("A", "B", "a1", "a2", "ka", "b1"):
        name = world.obj(key).name
        assert (name in page) == (key in VISIBLE[persona]), f"{persona} sees {key}: {name}"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    for url in [reverse("home"), reverse("organisation", kwargs={"code": "edu100001"}), reverse("imports")]:
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


def test_the_home_page_escapes_registry_text_and_links_each_organisation(client, world):
    school = world.organisations["a2"]
    school.name = '<script>alert("x")</script> Лицей & Ко'
    school.advanced, school.students = True, 640
    school.save()
    client.force_login(world.users["coordinator_a"])
    page = client.get(reverse("home")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Лицей &amp; Ко" in page
    row = page[page.index(f'href="{reverse("organisation", kwargs={"code": school.code})}"'):]
    row = row[:row.index("</tr>")]
    assert "<td>школа</td>" in row and ">640<" in row and "лицей/гимназия" in row

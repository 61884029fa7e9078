"""The municipal rating's URLs in the persona matrix (tests/web/test_scope_gate.py).

Region-level roles see the region's rating; a municipal coordinator opens the rating of their own region
(their own row only) and the breakdown of their own municipality, never another's; a school operator and a
user without a role get 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from tests.web.personas import World
from tests.web.scope_cases import Case

REGIONAL = {"region_admin", "analyst", "expert"}
COORDINATORS = {"A": "coordinator_a", "B": "coordinator_b"}


def page_cases(world: World) -> list[Case]:
    url = reverse("ratings", kwargs={"code": world.region.code})
    out = [Case(url, REGIONAL | set(COORDINATORS.values()), world.region.name)]
    for key, coordinator in COORDINATORS.items():
        muni = world.municipalities[key]
        out.append(Case(f"{url}?municipality={muni.code}", REGIONAL | {coordinator}, muni.name))
    return out


def export_cases(world: World) -> list[Case]:
    """The export is the table (no breakdown): whoever may open the page may export what it shows."""
    url = reverse("ratings-export", kwargs={"code": world.region.code, "fmt": "csv"})
    return [Case(url, REGIONAL | set(COORDINATORS.values()), world.region.name)]


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "ratings": page_cases,
    "ratings-export": export_cases,
}

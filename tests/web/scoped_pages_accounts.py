"""Persona-matrix entries of user management and API tokens (joined by tests/web/test_scope_gate.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from msoko.web.accounts import tokens
from msoko.web.accounts.models import ApiToken, User
from msoko.web.accounts.roles import Role
from msoko.web.registry.models import Municipality, Region
from tests.web.personas import World
from tests.web.scope_cases import Case


def user_cases(world: World) -> list[Case]:
    """A user of municipality A: only the region admin manages it (the others may not manage users: 403).
    A user of another region: nobody here (404 for the region admin too)."""
    inside = User.objects.create(username="секрет-пользователь-а", role=Role.MUNICIPAL_COORDINATOR,
                                 municipality=world.municipalities["A"])
    other_region = Region.objects.create(code="78", name="Соседняя область")
    elsewhere = Municipality.objects.create(code="mun-Z", name="Чужой округ", region=other_region)
    outside = User.objects.create(username="секрет-пользователь-чужой", role=Role.MUNICIPAL_COORDINATOR,
                                  municipality=elsewhere)
    return [Case(reverse("user", kwargs={"pk": inside.pk}), {"region_admin"}, inside.username),
            Case(reverse("user", kwargs={"pk": outside.pk}), set(), outside.username)]


def token_cases(world: World) -> list[Case]:
    """A token of coordinator A: only its owner may revoke it."""
    tokens.issue(world.users["coordinator_a"], label="секрет-токен")
    token = ApiToken.objects.get(label="секрет-токен")
    return [Case(reverse("token-revoke", kwargs={"pk": token.pk}), {"coordinator_a"}, "секрет-токен", "post")]


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "user": user_cases,
    "token-revoke": token_cases,
}

"""Named personas over a small registry, shared by every view test.

Region «Тестовая область» has municipality A (schools a1, a2 and kindergarten ka) and municipality B
(school b1). The personas: a region administrator, a regional analyst, a regional expert, the coordinator
of A, the coordinator of B, the operator of school a1, and a user with no role.

`VISIBLE` states, by hand and independently of the code under test, what each persona may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pytest
from django.contrib.auth.hashers import make_password

from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.registry.models import Municipality, Organisation, Region

PASSWORD = "Персона-пароль-2026"


@cache
def password_hash() -> str:
    """Hashed once per session: the real hasher is deliberately slow."""
    return make_password(PASSWORD)

ORGANISATIONS = {
    "a1": ("edu100001", "МБОУ «СОШ № 1»", "school", "A"),
    "a2": ("edu100002", "МБОУ «Лицей № 2»", "school", "A"),
    "ka": ("dou100003", "МБДОУ «Детский сад № 3»", "kindergarten", "A"),
    "b1": ("edu200001", "МКОУ «Сельская ООШ»", "school", "B"),
}

PERSONAS = ["region_admin", "analyst", "expert", "coordinator_a", "coordinator_b", "operator_a1", "no_role"]

ALL = {"R", "A", "B", "a1", "a2", "ka", "b1"}
VISIBLE: dict[str, set[str]] = {
    "region_admin": ALL,
    "analyst": ALL,
    "expert": ALL,
    "coordinator_a": {"A", "a1", "a2", "ka"},
    "coordinator_b": {"B", "b1"},
    "operator_a1": {"a1"},
    "no_role": set(),
}


@dataclass
class World:
    region: Region
    municipalities: dict[str, Municipality]
    organisations: dict[str, Organisation]
    users: dict[str, User] = field(default_factory=dict)

    def obj(self, key: str):
        if key == "R":
            return self.region
        return self.municipalities.get(key) or self.organisations[key]


def build_world() -> World:
    region = Region.objects.create(code="77", name="Тестовая область")
    municipalities = {
        key: Municipality.objects.create(code=f"mun-{key}", name=name, region=region)
        for key, name in (("A", "Городской округ А"), ("B", "Сельский район Б"))
    }
    organisations = {
        key: Organisation.objects.create(code=code, name=name, kind=kind, municipality=municipalities[muni])
        for key, (code, name, kind, muni) in ORGANISATIONS.items()
    }
    world = World(region, municipalities, organisations)
    bindings = {
        "region_admin": (Role.REGION_ADMIN, {"region": region}),
        "analyst": (Role.REGIONAL_ANALYST, {"region": region}),
        "expert": (Role.REGIONAL_EXPERT, {"region": region}),
        "coordinator_a": (Role.MUNICIPAL_COORDINATOR, {"municipality": municipalities["A"]}),
        "coordinator_b": (Role.MUNICIPAL_COORDINATOR, {"municipality": municipalities["B"]}),
        "operator_a1": (Role.SCHOOL_OPERATOR, {"organisation": organisations["a1"]}),
        "no_role": ("", {}),
    }
    for name, (role, scope) in bindings.items():
        user = User(username=name, role=role, password=password_hash(), **scope)
        user.full_clean()
        user.save()
        world.users[name] = user
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()

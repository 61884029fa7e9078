"""Demo logins: one per role, bound to the demo region's scopes; passwords kept in the workspace.

Passwords are random, generated once per workspace and stored owner-only in `demo-logins.json`, so
re-running `msoko demo` prints the same logins and never resets what a user changed in between.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass

from django.db import transaction

from msoko.core.workspace import Workspace
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.registry.models import Municipality, Organisation, OrganisationKind, Region


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role_label: str
    scope_label: str


def _passwords(ws: Workspace, usernames: list[str]) -> dict[str, str]:
    path = ws.root / "demo-logins.json"
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    missing = [name for name in usernames if name not in stored]
    if missing:
        stored.update({name: secrets.token_urlsafe(9) for name in missing})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stored, handle, ensure_ascii=False, indent=1)
    return stored


def demo_municipality() -> Municipality | None:
    """The municipality the demo coordinator (and the demo school, and the example cycle) belong to."""
    region = Region.objects.order_by("code").first()
    return Municipality.objects.filter(region=region).order_by("code").first() if region else None


def ensure_demo_users(ws: Workspace) -> list[DemoLogin]:
    municipality = demo_municipality()
    if municipality is None:
        return []
    region = municipality.region
    school = (
        Organisation.objects.filter(municipality=municipality, kind=OrganisationKind.SCHOOL).order_by("code").first()
    )
    plan = [
        ("admin", None, {"is_superuser": True, "is_staff": True}, "все данные, администрирование"),
        ("region-admin", Role.REGION_ADMIN, {"region": region}, region.name),
        ("analyst", Role.REGIONAL_ANALYST, {"region": region}, region.name),
        ("expert", Role.REGIONAL_EXPERT, {"region": region}, region.name),
        ("expert2", Role.REGIONAL_EXPERT, {"region": region}, region.name),  # the МУМ evaluation needs two
        ("coordinator", Role.MUNICIPAL_COORDINATOR, {"municipality": municipality}, municipality.name),
        ("school", Role.SCHOOL_OPERATOR, {"organisation": school}, school.name),
    ]
    passwords = _passwords(ws, [username for username, *_ in plan])
    logins: list[DemoLogin] = []
    with transaction.atomic():
        for username, role, fields, scope_label in plan:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role or "", **fields})
            if created:
                user.set_password(passwords[username])
                user.full_clean()
                user.save()
            role_label = Role(role).label if role else "суперпользователь"
            logins.append(DemoLogin(username, passwords[username], role_label, scope_label))
    return logins

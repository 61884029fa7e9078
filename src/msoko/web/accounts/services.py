"""Managing users — the one implementation behind `msoko users` and the region admin's pages.

A user is bound to one role and one scope (the registry code of a region, municipality or organisation).
`within`: the acting user of the web; a scope outside theirs is «не найден», exactly like a page outside it.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from msoko.web.access import restrict
from msoko.web.accounts import tokens
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import SCOPE_LEVEL, Role
from msoko.web.registry.models import Municipality, Organisation, Region

SCOPE_MODELS = {"region": Region, "municipality": Municipality, "organisation": Organisation}
LEVEL_RU = {"region": "регион", "municipality": "муниципалитет", "organisation": "организация"}


class UserRejected(Exception):
    """A request that changes nothing; the message is Russian and says why."""


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def scope_object(role: str, code: str, within: User | None = None):
    """The registry object a user of `role` is bound to, by its code."""
    try:
        level = SCOPE_LEVEL[Role(role)]
    except ValueError:
        raise UserRejected(f"Неизвестная роль «{role}». Роли: {', '.join(Role.values)}.") from None
    queryset = SCOPE_MODELS[level].objects.all()
    if within is not None:
        queryset = restrict(queryset, within)
    found = queryset.filter(code=code).first()
    if found is None:
        raise UserRejected(f"Для роли «{Role(role).label}» нужен код: {LEVEL_RU[level]} «{code}» не найден в реестре.")
    return found


def _bind(user: User, role: str, scope) -> None:
    user.role = role
    level = SCOPE_LEVEL[Role(role)]
    for name in SCOPE_MODELS:
        setattr(user, name, scope if name == level else None)


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserRejected("Пароль не подходит: " + " ".join(exc.messages)) from None


def create(username: str, role: str, scope_code: str, password: str | None = None, *,
           within: User | None = None) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when not given)."""
    username = username.strip()
    if not username or len(username) > 150:
        raise UserRejected("Имя пользователя: от 1 до 150 символов.")
    if User.objects.filter(username__iexact=username).exists():
        raise UserRejected(f"Пользователь «{username}» уже есть.")
    scope = scope_object(role, scope_code, within)
    user = User(username=username)
    _bind(user, role, scope)
    password = password if password is not None else generate_password()
    _check_password(password, user)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as exc:
        raise UserRejected(" ".join(exc.messages)) from None
    user.save()
    return user, password


def change_scope(user: User, role: str, scope_code: str, *, within: User | None = None) -> User:
    scope = scope_object(role, scope_code, within)
    _bind(user, role, scope)
    try:
        user.full_clean()
    except ValidationError as exc:
        raise UserRejected(" ".join(exc.messages)) from None
    user.save()
    return user


def reset_password(user: User) -> str:
    password = generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


@transaction.atomic
def deactivate(user: User) -> None:
    """The user can no longer log in, and none of their API tokens works."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens.revoke_all(user)


def activate(user: User) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])


def scope_label(user: User) -> str:
    if user.is_superuser:
        return "все данные (суперпользователь)"
    for name in SCOPE_MODELS:
        bound = getattr(user, name)
        if bound is not None:
            return f"{bound.name} ({bound.code})"
    return "—"


def managed_by(actor: User):
    """The users `actor` may manage: those bound inside the actor's scope, never a superuser (unless the
    actor is one)."""
    queryset = restrict(User.objects.select_related("region", "municipality", "organisation"), actor)
    if not actor.is_superuser:
        queryset = queryset.filter(is_superuser=False)
    return queryset.order_by("username")

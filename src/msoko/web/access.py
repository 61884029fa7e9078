"""The one gate: every query and object lookup of the web app goes through `restrict` or `get_in_scope`.

A user's scope is the region, one municipality or one organisation their account is bound to. A model
joins the gate by declaring `SCOPE_LOOKUPS` — for each scope level, the ORM lookup from the model to that
scope's primary key (a tuple of lookups: any of them), or None when nothing of the model is visible at that level.
Outsiders get 404, not 403: the existence of another municipality's objects is not disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from msoko.web.accounts.roles import ALLOWED, SCOPE_LEVEL, Action, Role

LEVELS = ("region", "municipality", "organisation")


@dataclass(frozen=True)
class Scope:
    level: str  # "all" (superuser), one of LEVELS, or "none"
    pk: int | None = None

    @property
    def is_none(self) -> bool:
        return self.level == "none"


def scope_of(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope("none")
    if user.is_superuser:
        return Scope("all")
    if not user.role:
        return Scope("none")
    level = SCOPE_LEVEL[Role(user.role)]
    pk = getattr(user, f"{level}_id")
    return Scope(level, pk) if pk is not None else Scope("none")


def restrict(queryset: QuerySet, user) -> QuerySet:
    """The part of `queryset` the user may see."""
    scope = scope_of(user)
    if scope.level == "all":
        return queryset
    if scope.is_none:
        return queryset.none()
    lookup = queryset.model.SCOPE_LOOKUPS.get(scope.level)
    if lookup is None:
        return queryset.none()
    if isinstance(lookup, tuple):  # several paths to the scope (a user is bound at one of three levels): any
        condition = Q()
        for one in lookup:
            condition |= Q(**{one: scope.pk})
        return assigned_only(queryset.filter(condition), user)
    return assigned_only(queryset.filter(**{lookup: scope.pk}), user)


def assigned_only(queryset: QuerySet, user) -> QuerySet:
    """The assignment hook: of a model declaring `EXPERT_LOOKUP` (the ORM lookup to the expert users assigned
    to it, e.g. the МУМ evaluation's dossiers), a regional expert sees only what they are assigned to."""
    lookup = getattr(queryset.model, "EXPERT_LOOKUP", None)
    if lookup is None or user.role != Role.REGIONAL_EXPERT:
        return queryset
    assigned = queryset.model._default_manager.filter(**{lookup: user.pk}).values("pk")
    return queryset.filter(pk__in=assigned)


def get_in_scope(model_or_queryset: type[Model] | QuerySet, user, **lookup) -> Model:
    """One object the user may see, or 404 (also for objects that exist outside the scope)."""
    queryset = model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    try:
        return restrict(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Объект не найден или недоступен.") from None


def can(user, action: Action) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.role) and action in ALLOWED[Role(user.role)]

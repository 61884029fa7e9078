"""The registry object a URL or a report names by level and code, and the region it belongs to."""

from __future__ import annotations

from django.http import Http404

from msoko.web.access import get_in_scope
from msoko.web.registry.models import Municipality, Organisation, Region

LEVEL_MODELS = {"region": Region, "municipality": Municipality, "organisation": Organisation}
LEVEL_RU = {"region": "регион", "municipality": "муниципалитет", "organisation": "организация"}


def entity_in_scope(user, level: str, code: str):
    """The region, municipality or organisation named by `level` and `code`, through the scope gate (404
    outside it, and for an unknown level)."""
    if level not in LEVEL_MODELS:
        raise Http404("Неизвестный уровень.")
    return get_in_scope(LEVEL_MODELS[level], user, code=code)


def region_of(entity) -> Region:
    if isinstance(entity, Region):
        return entity
    if isinstance(entity, Municipality):
        return entity.region
    return entity.municipality.region

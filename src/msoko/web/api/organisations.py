"""`/api/v1/organisations` — the registry's organisations inside the caller's scope."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema, Status

from msoko.web.access import get_in_scope, restrict
from msoko.web.api.common import responses
from msoko.web.registry.models import Organisation

PREFIX = "/organisations"
router = Router(tags=["Организации"])


class OrganisationOut(Schema):
    id: str
    name: str
    kind: str
    municipality_id: str
    municipality_name: str
    region_id: str
    locality: str | None
    small_school: bool | None
    remote: bool | None
    advanced: bool | None
    correctional: bool | None
    students: int | None
    teachers: int | None


def _out(org: Organisation) -> dict:
    return {"id": org.code, "name": org.name, "kind": org.kind, "municipality_id": org.municipality.code,
            "municipality_name": org.municipality.name, "region_id": org.municipality.region.code,
            "locality": org.locality or None, "small_school": org.small_school, "remote": org.remote,
            "advanced": org.advanced, "correctional": org.correctional, "students": org.students,
            "teachers": org.teachers}


def _queryset():
    return Organisation.objects.select_related("municipality__region").order_by("code")


@router.get("", response=responses({200: list[OrganisationOut]}), url_name="organisations",
            summary="Организации в области доступа")
def organisations(request, municipality: str | None = None, kind: str | None = None):
    queryset = restrict(_queryset(), request.user)
    if municipality is not None:
        queryset = queryset.filter(municipality__code=municipality)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return [_out(org) for org in queryset]


@router.get("/{code}", response=responses({200: OrganisationOut}), url_name="api-organisation",
            summary="Одна организация (404 вне области доступа)")
def organisation(request, code: str):
    try:
        return Status(200, _out(get_in_scope(_queryset(), request.user, code=code)))
    except Http404:
        return Status(404, {"detail": "Организация не найдена или недоступна."})

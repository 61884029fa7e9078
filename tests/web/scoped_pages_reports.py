"""Persona-matrix entries of the reports pages (joined by tests/web/test_scope_gate.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.urls import reverse

from msoko.web.jobs.models import Job, JobStatus
from tests.web.personas import PERSONAS, VISIBLE, World
from tests.web.scope_cases import Case


def report_cases(world: World) -> list[Case]:
    cases = []
    for key, scope in (("R", "region"), ("A", "municipality"), ("B", "municipality"), ("a1", "organisation"),
                       ("a2", "organisation"), ("ka", "organisation"), ("b1", "organisation")):
        obj = world.obj(key)
        allowed = {persona for persona in PERSONAS if key in VISIBLE[persona]}
        cases.append(Case(reverse("report", kwargs={"scope": scope, "code": obj.code}), allowed, obj.name))
    return cases


def download_cases(world: World) -> list[Case]:
    """A finished report of municipality A made by its coordinator: only that coordinator may fetch it."""
    report_id = uuid.uuid4()
    Job.objects.create(kind="report", label="Справка: секрет-А", owner=world.users["coordinator_a"],
                       status=JobStatus.DONE,
                       result={"report_id": str(report_id), "report_file": "missing.docx", "scope": "municipality",
                               "code": world.municipalities["A"].code, "format": "docx"})
    # the file itself is absent here: the owner gets 404 «not found», the others 404 before any lookup of it
    return [Case(reverse("report-download", kwargs={"pk": report_id}), set(), "секрет-А")]


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "report": report_cases,
    "report-download": download_cases,
}

"""Persona-matrix entries of the HTTP API's URLs with parameters (joined by tests/web/test_scope_gate.py).

The matrix logs in with a session, which the API accepts besides a Bearer token (tests/api covers tokens)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from msoko.web.jobs.models import Job, JobStatus
from tests.web.personas import PERSONAS, VISIBLE, World
from tests.web.scope_cases import Case


def organisation_cases(world: World) -> list[Case]:
    return [Case(f"/api/v1/organisations/{world.obj(key).code}",
                 {persona for persona in PERSONAS if key in VISIBLE[persona]}, world.obj(key).name)
            for key in ("a1", "a2", "ka", "b1")]


def job_cases(world: World) -> list[Case]:
    job = Job.objects.create(kind="recompute", label="Пересчёт секрет-А", owner=world.users["coordinator_a"])
    return [Case(f"/api/v1/jobs/{job.pk}", {"coordinator_a"}, "секрет-А")]


def report_file_cases(world: World) -> list[Case]:
    """A finished report of municipality A by its coordinator; the file is absent, so even its owner gets a
    404 — nobody else learns anything before that."""
    report_id = uuid.uuid4()
    Job.objects.create(kind="report", label="Справка: секрет-А", owner=world.users["coordinator_a"],
                       status=JobStatus.DONE,
                       result={"report_id": str(report_id), "report_file": "missing.docx", "scope": "municipality",
                               "code": world.municipalities["A"].code, "format": "docx"})
    return [Case(f"/api/v1/reports/{report_id}/file", set(), "секрет-А")]


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "api:api-organisation": organisation_cases,
    "api:api-job": job_cases,
    "api:report-file-api": report_file_cases,
}

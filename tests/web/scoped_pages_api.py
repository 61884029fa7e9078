"""Persona-matrix entries of the HTTP API's URLs with parameters (joined by tests/web/test_scope_gate.py).

The matrix logs in with a session, which the API accepts besides a Bearer token (tests/api covers tokens)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from msoko.web.jobs.models import Job, JobStatus
from tests.evaluation.world import build
from tests.web.personas import PERSONAS, VISIBLE, World
from tests.web.scope_cases import Case
from tests.web.scoped_pages_collection import VIEW_A1, VIEW_B1, VIEW_KA, campaigns


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


# collection (tests/web/scoped_pages_collection.py): «form_talents» over A and B, «form_preschool» over A only
SEES_TALENTS = {"region_admin", "analyst", "expert", "coordinator_a", "coordinator_b", "operator_a1"}


def form_cases(suffix: str = "") -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        c = campaigns(world)
        return [Case(f"/api/v1/forms/{c['talents'].pk}{suffix}", SEES_TALENTS, "Выявление и поддержка"),
                Case(f"/api/v1/forms/{c['preschool'].pk}{suffix}", VIEW_KA, "дошкольного")]

    return cases


def submission_cases(world: World) -> list[Case]:
    c = campaigns(world)
    out = []
    for key, campaign, allowed in (("a1", "talents", VIEW_A1), ("b1", "talents", VIEW_B1), ("ka", "preschool", VIEW_KA)):
        org = world.organisations[key]
        out.append(Case(f"/api/v1/forms/{c[campaign].pk}/submissions/{c['resp'][org.code].pk}", allowed, org.name))
    return out


# the МУМ evaluation (tests/evaluation/world.py, published): the persona «expert» is assigned to A only
READERS = {"region_admin", "analyst"}


def evaluation_cases(world: World) -> list[Case]:
    ew = build(world)
    return [Case(f"/api/v1/evaluation/{ew.campaign.pk}", READERS | {"expert", "coordinator_a", "coordinator_b"},
                 ew.campaign.rubric_digest)]


def evaluation_results_cases(world: World) -> list[Case]:
    """Results: the region's readers and (after the publication) each coordinator; an expert in the campaign
    gets 403 without a municipality's name."""
    ew = build(world)
    return [Case(f"/api/v1/evaluation/{ew.campaign.pk}/results", READERS | {"coordinator_a", "coordinator_b"},
                 world.municipalities["A"].name)]


def evaluation_result_cases(world: World) -> list[Case]:
    ew = build(world)
    return [Case(f"/api/v1/evaluation/{ew.campaign.pk}/results/{world.municipalities[k].code}",
                 READERS | {f"coordinator_{k.lower()}"}, world.municipalities[k].name) for k in ("A", "B")]


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "api:api-organisation": organisation_cases,
    "api:api-form": form_cases(),
    "api:api-form-submissions": form_cases("/submissions"),
    "api:api-form-completeness": form_cases("/completeness"),
    "api:api-form-submission": submission_cases,
    "api:api-evaluation": evaluation_cases,
    "api:api-evaluation-results": evaluation_results_cases,
    "api:api-evaluation-result": evaluation_result_cases,
    "api:api-job": job_cases,
    "api:report-file-api": report_file_cases,
}

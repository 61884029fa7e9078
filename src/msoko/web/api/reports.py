"""`/api/v1/reports` — start a справка as a job, poll it (`/api/v1/jobs/{id}`), download the file; the
object and the file through the same gate as the reports pages."""

from __future__ import annotations

import uuid
from typing import Literal

from django.http import FileResponse, Http404
from ninja import Router, Schema, Status

from msoko.web.api.common import JobOut, job_out, responses
from msoko.web.jobs.models import Job, JobStatus
from msoko.web.jobs.runner import submit
from msoko.web.registry.lookup import entity_in_scope, region_of
from msoko.web.reports import services

PREFIX = "/reports"
router = Router(tags=["Справки"])


class ReportIn(Schema):
    scope: Literal["region", "municipality", "organisation"]
    code: str
    format: Literal["docx", "pdf", "xlsx"] = "docx"


@router.post("", response=responses({202: JobOut}), url_name="report-start-api", summary="Сформировать справку")
def start(request, body: ReportIn):
    try:
        obj = entity_in_scope(request.user, body.scope, body.code)
    except Http404:
        return Status(404, {"detail": "Объект не найден или недоступен."})
    region, report_id, fmt, scope, code = region_of(obj), uuid.uuid4(), body.format, body.scope, body.code
    job = submit(kind="report", label=f"Справка: {obj.name} ({services.FORMAT_RU[fmt]})", owner=request.user,
                 function=lambda report: services.run_report(report, report_id=report_id, level=scope, code=code,
                                                             fmt=fmt, region=region))
    out = job_out(job)
    out["result"] = {**out["result"], "download": f"/api/v1/reports/{report_id}/file"}
    return Status(202, out)


@router.get("/{report_id}/file", url_name="report-file-api", summary="Файл готовой справки",
            response=responses({200: None}))
def download(request, report_id: uuid.UUID):
    job = (Job.owned_by(request.user).filter(kind="report", status=JobStatus.DONE, result__report_id=str(report_id))
           .first())
    if job is None:
        return Status(404, {"detail": "Справка не найдена (или ещё не готова)."})
    result = job.result
    try:
        entity_in_scope(request.user, result.get("scope", ""), result.get("code", ""))  # still in scope
    except Http404:
        return Status(404, {"detail": "Справка не найдена (или ещё не готова)."})
    path = services.reports_dir() / result.get("report_file", "")
    if not result.get("report_file") or not path.is_file():
        return Status(404, {"detail": "Файл справки не найден; сформируйте справку заново."})
    fmt = result["format"]
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"spravka-{result['scope']}-{result['code']}.{fmt}",
                        content_type=services.CONTENT_TYPES[fmt])

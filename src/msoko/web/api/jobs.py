"""`/api/v1/jobs/{id}` — poll a job (recompute, import, report) the caller started."""

from __future__ import annotations

import uuid

from ninja import Router, Status

from msoko.web.api.common import JobOut, job_out, responses
from msoko.web.jobs.models import Job

PREFIX = "/jobs"
router = Router(tags=["Задания"])


@router.get("/{job_id}", response=responses({200: JobOut}), url_name="api-job", summary="Состояние задания")
def job(request, job_id: uuid.UUID):
    found = Job.owned_by(request.user).filter(pk=job_id).first()  # a job is its owner's alone
    if found is None:
        return Status(404, {"detail": "Задание не найдено."})
    return Status(200, job_out(found))

"""`/api/v1/recompute` — bring the results up to date (the web's recompute job; poll `/api/v1/jobs/{id}`)."""

from __future__ import annotations

from ninja import Router, Status

from msoko.web.accounts.roles import Action
from msoko.web.api.common import JobOut, job_out, require, responses
from msoko.web.jobs.recompute import request_recompute

PREFIX = "/recompute"
router = Router(tags=["Пересчёт"])


@router.post("", response=responses({202: JobOut}), url_name="recompute-api", summary="Запустить пересчёт результатов")
def recompute(request):
    """Пока пересчёт ждёт в очереди, повторный запрос возвращает то же задание."""
    require(request.user, Action.IMPORT_DATA, "Пересчёт результатов недоступен для вашей роли.")
    return Status(202, job_out(request_recompute(request.user, reason="через API")))

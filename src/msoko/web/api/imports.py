"""`/api/v1/imports` — upload a file as an import job (the web's upload: same form, kinds, limits and
scope check), and the import history in the caller's scope."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from msoko.web.access import restrict
from msoko.web.accounts.roles import Action
from msoko.web.api.common import JobOut, job_out, require, responses
from msoko.web.imports import services
from msoko.web.imports.forms import UploadForm
from msoko.web.imports.models import ImportRecord
from msoko.web.imports.views import allowed_kinds
from msoko.web.jobs.runner import submit

PREFIX = "/imports"
router = Router(tags=["Загрузки"])


class ImportOut(Schema):
    id: str
    when: str
    file: str
    kind: str
    dataset: str
    rows: int
    warnings: int
    actor: str


@router.get("", response=responses({200: list[ImportOut]}), url_name="imports-api", summary="История загрузок в области доступа")
def imports(request, limit: Annotated[int, Query(ge=1, le=2000)] = 200):
    require(request.user, Action.IMPORT_DATA, "Загрузка данных недоступна для вашей роли.")
    records = restrict(ImportRecord.objects.select_related("user"), request.user)[:limit]
    return [{"id": r.import_id, "when": r.when.isoformat(), "file": r.file_name, "kind": r.kind,
             "dataset": r.dataset, "rows": r.rows, "warnings": r.warning_count,
             "actor": r.user.username if r.user else r.actor} for r in records]


@router.post("", response=responses({202: JobOut}), url_name="import-upload-api", summary="Загрузить файл (задание)")
def upload(request, file: File[UploadedFile], kind: Form[str], dry_run: Form[bool] = False):
    """Файл проверяется целиком: при любой ошибке ничего не записывается (итог — в задании)."""
    require(request.user, Action.IMPORT_DATA, "Загрузка данных недоступна для вашей роли.")
    form = UploadForm({"kind": kind, "dry_run": dry_run}, {"file": file}, allowed_kinds=allowed_kinds(request.user))
    if not form.is_valid():
        raise HttpError(400, " ".join(message for errors in form.errors.values() for message in errors))
    incoming = services.workspace().uploads / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / f"{uuid.uuid4().hex}{Path(file.name).suffix.lower()}"
    with path.open("wb") as handle:
        for chunk in file.chunks():
            handle.write(chunk)
    user, file_name, kind, dry_run = request.user, Path(file.name).name, form.cleaned_data["kind"], \
        form.cleaned_data["dry_run"]
    job = submit(kind="import", label=f"{'Проверка' if dry_run else 'Загрузка'} файла «{file_name}»", owner=user,
                 function=lambda report: services.run_upload(report, path=path, file_name=file_name, kind=kind,
                                                             dry_run=dry_run, user=user),
                 upload=path)
    return Status(202, job_out(job))

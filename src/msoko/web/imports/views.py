"""Upload a file (as a job with progress), see the scoped import history, roll an import back."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from msoko.web.access import can, get_in_scope, restrict, scope_of
from msoko.web.accounts.roles import Action
from msoko.web.imports import services
from msoko.web.imports.forms import UploadForm
from msoko.web.imports.models import ImportRecord
from msoko.web.jobs.runner import submit

STATUS_RU = {
    "committed": "действует",
    "superseded": "заменена более поздней",
    "rolled_back": "отменена",
    "failed": "не завершена",
    "pending": "выполняется",
}


def allowed_kinds(user) -> set[str]:
    kinds = {"results", "context"}
    if scope_of(user).level in ("all", "region"):
        kinds.add("scales")
    if can(user, Action.MANAGE_REGISTRY):
        kinds.add("registry")
    return kinds


def may_replace_all(user) -> bool:
    """Replacing whole partitions (rows of organisations absent from the file) is for region roles only."""
    return scope_of(user).level in ("all", "region")


def _require_import_right(user) -> None:
    if not can(user, Action.IMPORT_DATA):
        raise PermissionDenied("Загрузка данных недоступна для вашей роли.")


@login_required
def imports_page(request):
    _require_import_right(request.user)
    status = services.sync_journal()
    kinds = allowed_kinds(request.user)
    wide = may_replace_all(request.user)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, allowed_kinds=kinds, may_replace_all=wide)
        if form.is_valid():
            return _start_upload(request, form)
    else:
        form = UploadForm(allowed_kinds=kinds, may_replace_all=wide)
    records = [
        (record, STATUS_RU.get(status.get(record.import_id, ""), "нет в журнале"), status.get(record.import_id))
        for record in restrict(ImportRecord.objects.select_related("user"), request.user)[:200]
    ]
    return render(request, "imports/imports.html", {"form": form, "records": records})


def _start_upload(request, form):
    upload = form.cleaned_data["file"]
    incoming = services.workspace().uploads / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    meta_path = None
    if form.cleaned_data.get("tasks_meta") is not None:
        meta_path = path.with_name(path.stem + "-tasks-meta.csv")
        with meta_path.open("wb") as handle:
            for chunk in form.cleaned_data["tasks_meta"].chunks():
                handle.write(chunk)
    kind, dry_run, user = form.cleaned_data["kind"], form.cleaned_data["dry_run"], request.user
    replace_all = bool(form.cleaned_data.get("replace_all")) and may_replace_all(user)
    file_name = Path(upload.name).name
    job = submit(
        kind="import",
        label=f"{'Проверка' if dry_run else 'Загрузка'} файла «{file_name}»",
        owner=user,
        function=lambda report: services.run_upload(
            report,
            path=path,
            file_name=file_name,
            kind=kind,
            dry_run=dry_run,
            user=user,
            tasks_meta=meta_path,
            replace_all=replace_all,
        ),
        upload=path,
    )
    return redirect("job", pk=job.pk)


@login_required
@require_POST
def rollback_view(request, import_id: str):
    _require_import_right(request.user)
    record = get_in_scope(ImportRecord, request.user, import_id=import_id)
    if record.kind == "registry":
        raise Http404
    issues = services.rollback_import(record, request.user)
    if issues:
        for issue in issues:
            messages.error(request, issue.message)
    else:
        messages.success(request, f"Загрузка файла «{record.file_name}» отменена; действуют прежние данные.")
    return redirect("imports")

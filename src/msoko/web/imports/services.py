"""Imports from the web: the upload job, the mirror of the warehouse journal, and rollback — all scoped.

A municipal coordinator or a school operator may load only data of organisations inside their scope;
the check runs inside the ingest validation (`allowed_orgs`), so such a file is rejected whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction

from msoko.core.issues import Issue, RejectedInput
from msoko.ingest import import_file, list_imports, rollback
from msoko.web.access import scope_of
from msoko.web.imports.models import ImportRecord
from msoko.web.jobs.models import JobStatus
from msoko.web.jobs.recompute import request_recompute
from msoko.web.registry.models import Municipality, Organisation, Region

KIND_DATASETS = {"results": "результаты", "context": "контекст", "scales": "шкалы", "registry": "реестр"}


def workspace():
    return settings.WORKSPACE


def scope_fields(user) -> dict:
    """The registry objects an import made by `user` belongs to (for scoping the history)."""
    scope = scope_of(user)
    if scope.level == "organisation":
        org = Organisation.objects.select_related("municipality").get(pk=scope.pk)
        return {"organisation": org, "municipality": org.municipality, "region_id": org.municipality.region_id}
    if scope.level == "municipality":
        muni = Municipality.objects.get(pk=scope.pk)
        return {"municipality": muni, "region_id": muni.region_id}
    if scope.level == "region":
        return {"region_id": scope.pk}
    return {"region": Region.objects.first()} if Region.objects.count() == 1 else {}


def allowed_org_codes(user) -> set[str] | None:
    """Organisations whose data `user` may load; None = no restriction (the region or a superuser)."""
    scope = scope_of(user)
    if scope.level in ("all", "region"):
        return None
    if scope.level == "municipality":
        return set(Organisation.objects.filter(municipality_id=scope.pk).values_list("code", flat=True))
    if scope.level == "organisation":
        return set(Organisation.objects.filter(pk=scope.pk).values_list("code", flat=True))
    return set()


def mirror(entry: dict, user=None, scope: dict | None = None) -> ImportRecord:
    """Record one journal entry in the database (idempotent)."""
    record, _ = ImportRecord.objects.get_or_create(
        import_id=entry["id"],
        defaults={
            "when": dt.datetime.fromisoformat(entry["when"]),
            "user": user,
            "actor": entry.get("actor") or "",
            "file_name": entry.get("file") or "",
            "checksum": entry.get("checksum") or "",
            "kind": entry.get("kind") or "",
            "dataset": entry.get("dataset") or "",
            "profile": entry.get("profile") or "",
            "rows": entry.get("rows") or 0,
            "warning_count": entry.get("warning_count") or 0,
            **(scope if scope is not None else scope_fields(None)),
        },
    )
    return record


def sync_journal() -> dict[str, str]:
    """Mirror imports made outside the web (the CLI, the demo) into the database; return each import's
    current status (committed, superseded, rolled_back, failed) from the same single read of the journal."""
    entries = list_imports(workspace())
    known = set(ImportRecord.objects.values_list("import_id", flat=True))
    for entry in entries:
        if entry["id"] not in known and entry.get("status") != "failed":
            mirror(entry)
    return {entry["id"]: entry["status"] for entry in entries}


def _issue_rows(issues: list[Issue], limit: int = 1000) -> list[dict]:
    """Errors first (they are what blocks the file), then warnings; at most `limit` shown."""
    return [issue.as_dict() for issue in sorted(issues, key=lambda issue: not issue.is_error)][:limit]


def run_upload(
    report,
    *,
    path: Path,
    file_name: str,
    kind: str,
    dry_run: bool,
    user,
    tasks_meta: Path | None = None,
    replace_all: bool = False,
) -> tuple[str, dict]:
    """The body of an upload job. Returns (job status, result for the job page).

    `replace_all` is honoured for region-level users only (the view offers it to them alone)."""
    if replace_all and scope_of(user).level not in ("all", "region"):
        replace_all = False
    try:
        if kind == "registry":
            return _run_registry(path, file_name, user)
        outcome = import_file(
            workspace(),
            path,
            kind=kind,
            dry_run=dry_run,
            actor=user.username,
            file_name=file_name,
            allowed_orgs=allowed_org_codes(user),
            progress=lambda done, total: report("Чтение и проверка файла", done, total),
            tasks_meta=tasks_meta,
            replace_all=replace_all,
        )
    finally:
        path.unlink(missing_ok=True)
        if tasks_meta is not None:
            tasks_meta.unlink(missing_ok=True)
    issues = _issue_rows(outcome.issues)
    if outcome.rejected:
        errors = sum(1 for issue in outcome.issues if issue.is_error)
        return JobStatus.REJECTED, {"summary": f"Файл не принят, ничего не записано. Ошибок: {errors}.", "issues": issues}
    if outcome.status == "dry_run":
        return JobStatus.DONE, {"summary": f"Проверка пройдена: строк {outcome.rows}. Ничего не записано.", "issues": issues}
    if outcome.status == "unchanged":
        return JobStatus.DONE, {"summary": "Такой файл уже загружен; ничего не изменилось.", "issues": issues}
    entry = next(e for e in list_imports(workspace()) if e["id"] == outcome.import_id)
    with transaction.atomic():
        mirror(entry, user=user, scope=scope_fields(user))
        if outcome.registry_rows:
            from msoko.web.registry.importer import upsert_derived_organisations

            upsert_derived_organisations(outcome.registry_rows)
    request_recompute(user, reason=f"после загрузки «{file_name}»")
    return JobStatus.DONE, {
        "summary": f"Загружено строк: {outcome.rows}. {_per_org_summary(outcome.per_org)}Предупреждений: {len(issues)}.",
        "issues": issues,
        "next_url": "/imports/",
        "next_label": "К истории загрузок",
    }


def _per_org_summary(per_org: list[dict], limit: int = 20) -> str:
    """«Организации: edu1 — заменено (было 30, стало 28); …» for the job page."""
    if not per_org:
        return ""
    words = {"added": "добавлено", "replaced": "заменено", "removed": "удалено (нет в файле)"}
    parts = []
    for entry in per_org[:limit]:
        text = f"{entry['org_id']} — {words[entry['action']]}"
        if entry["action"] == "replaced":
            text += f" (было строк {entry['replaced_rows']}, стало {entry['rows']})"
        elif entry["action"] == "added":
            text += f" (строк {entry['rows']})"
        parts.append(text)
    more = f"; и ещё {len(per_org) - limit}" if len(per_org) > limit else ""
    return "Организации: " + "; ".join(parts) + more + ". "


def _run_registry(path: Path, file_name: str, user) -> tuple[str, dict]:
    from msoko.web.registry.importer import import_registry

    try:
        result = import_registry(path, workspace=workspace(), actor=user, file_name=file_name)
    except RejectedInput as rejected:
        errors = sum(1 for issue in rejected.issues if issue.is_error)
        return JobStatus.REJECTED, {
            "summary": f"Реестр не принят, ничего не записано. Ошибок: {errors}.",
            "issues": _issue_rows(rejected.issues),
        }
    request_recompute(user, reason=f"после загрузки реестра «{file_name}»")
    return JobStatus.DONE, {
        "summary": f"Реестр загружен: добавлено {result.created}, обновлено {result.updated}, без изменений {result.unchanged}.",
        "issues": _issue_rows(result.warnings),
    }


def rollback_import(record: ImportRecord, user) -> list[Issue]:
    return rollback(workspace(), record.import_id, actor=user.username)

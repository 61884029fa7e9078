"""The report job: build the справка from stored results (msoko.reports) into the workspace's `reports/`.

The registry comes from the database (the web's registry), as plain data the reports layer understands;
figures come from the same result store the dashboards read. A finished job's file is served only to its
owner and only while the object is still in the owner's scope (views.report_download).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from msoko.core.workspace import Workspace
from msoko.reports import ReportError, ReportSource, write_report
from msoko.reports.data import Org, Registry
from msoko.web.cycle.digest import report_section
from msoko.web.dashboards.data import results_dir
from msoko.web.jobs.models import JobStatus
from msoko.web.registry.models import Organisation, Region

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_RU = {"docx": "DOCX (Word)", "pdf": "PDF", "xlsx": "XLSX (таблицы)"}


def workspace() -> Workspace:
    return Workspace(Path(settings.WORKSPACE.root))


def reports_dir() -> Path:
    folder = workspace().reports
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def registry_of(region: Region) -> Registry:
    """The region's registry from the database, as the reports layer reads it."""
    organisations = Organisation.objects.filter(municipality__region=region).select_related("municipality")
    return Registry(
        region.code, region.name,
        dict(region.municipalities.values_list("code", "name")),
        {o.code: Org(o.code, o.name, o.kind, o.municipality.code, o.locality or None, o.students, o.teachers)
         for o in organisations},
    )


def run_report(report, *, report_id: uuid.UUID, level: str, code: str, fmt: str, region: Region) -> tuple[str, dict]:
    """The job function: returns (status, result) for the jobs runner; the file is `<report_id>.<fmt>`."""
    name = f"{report_id.hex}.{fmt}"
    target = reports_dir() / name
    try:
        report("Чтение результатов расчёта", 0, None)
        source = ReportSource.load(workspace(), results_dir=results_dir(), registry=registry_of(region))
        document = write_report(source, level, code, fmt, target, root=workspace().root,
                                cycle=report_section(level, code), progress=report)
    except ReportError as exc:
        return JobStatus.REJECTED, {"error": f"Справка не сформирована: {exc}"}
    title = document.fields["объект"]
    return JobStatus.DONE, {
        "summary": f"Справка «{title}» ({FORMAT_RU[fmt]}) готова; версия данных {document.provenance['digest']}.",
        "report_id": str(report_id), "report_file": name, "scope": level, "code": code, "format": fmt,
        "next_url": download_url(report_id), "next_label": "Скачать справку",
    }


def download_url(report_id) -> str:
    return reverse("report-download", kwargs={"pk": report_id})

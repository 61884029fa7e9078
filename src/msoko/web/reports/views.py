"""Reports in the browser: pick an object in scope, queue its справка as a job, download the file.

Every object is looked up through the scope gate (`get_in_scope`, `restrict`): a school operator reaches
only its organisation, a coordinator its municipality and its organisations, regional roles the region.
A file is served only to the user who made it and only while the object stays in that user's scope.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from msoko.core.ordering import natural_key
from msoko.web.access import restrict, scope_of
from msoko.web.jobs.models import Job, JobStatus
from msoko.web.jobs.runner import submit
from msoko.web.registry.lookup import LEVEL_RU, entity_in_scope, region_of
from msoko.web.registry.models import Municipality, Organisation, Region
from msoko.web.reports import services


@login_required
def reports_index(request):
    if scope_of(request.user).is_none:
        raise Http404("Нет доступа.")
    user = request.user
    context = {
        "regions": list(restrict(Region.objects.all(), user)),
        "municipalities": sorted(restrict(Municipality.objects.all(), user), key=lambda m: natural_key(m.name)),
        "organisations": sorted(restrict(Organisation.objects.select_related("municipality"), user)[:2000],
                                key=lambda o: (natural_key(o.municipality.name), natural_key(o.name))),
        "jobs": _finished(Job.owned_by(user).filter(kind="report")[:20]),
    }
    return render(request, "reports/index.html", context)


def _finished(jobs) -> list[dict]:
    return [{"job": job, "download": job.result.get("next_url") if job.status == JobStatus.DONE else None}
            for job in jobs]


@login_required
def report_page(request, scope: str, code: str):
    obj = entity_in_scope(request.user, scope, code)
    if request.method == "POST":
        fmt = request.POST.get("format", "docx")
        if fmt not in services.CONTENT_TYPES:
            fmt = "docx"
        region, report_id = region_of(obj), uuid.uuid4()
        job = submit(kind="report", label=f"Справка: {obj.name} ({services.FORMAT_RU[fmt]})", owner=request.user,
                     function=lambda report: services.run_report(report, report_id=report_id, level=scope, code=code,
                                                                 fmt=fmt, region=region))
        return redirect("job", pk=job.pk)
    jobs = Job.owned_by(request.user).filter(kind="report", result__scope=scope, result__code=code)[:10]
    return render(request, "reports/report.html", {"obj": obj, "scope": scope, "level_ru": LEVEL_RU[scope],
                                                   "formats": services.FORMAT_RU, "jobs": _finished(jobs)})


@login_required
def report_download(request, pk):
    job = Job.owned_by(request.user).filter(kind="report", status=JobStatus.DONE, result__report_id=str(pk)).first()
    if job is None:
        raise Http404("Справка не найдена.")
    result = job.result
    entity_in_scope(request.user, result.get("scope", ""), result.get("code", ""))  # still in scope, else 404
    path = services.reports_dir() / result.get("report_file", "")
    if not result.get("report_file") or not path.is_file():
        raise Http404("Файл справки не найден; сформируйте справку заново.")
    fmt = result["format"]
    name = f"spravka-{result['scope']}-{result['code']}.{fmt}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=services.CONTENT_TYPES[fmt])

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from msoko.web.access import can
from msoko.web.accounts.roles import Action
from msoko.web.jobs import recompute
from msoko.web.jobs.models import Job


@login_required
def job_page(request, pk):
    job = get_object_or_404(Job.owned_by(request.user), pk=pk)
    follow_up = recompute.latest_unfinished(request.user) if job.kind != recompute.KIND else None
    return render(request, "jobs/job.html", {"job": job, "recompute_job": follow_up})


@login_required
@require_POST
def recompute_start(request):
    """Bring the results up to date now (anyone who may load data may ask: it only re-reads what is loaded)."""
    if not can(request.user, Action.IMPORT_DATA):
        raise PermissionDenied("Пересчёт результатов недоступен для вашей роли.")
    job = recompute.request_recompute(request.user, reason="по запросу")
    return redirect("job", pk=job.pk)

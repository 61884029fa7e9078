from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from msoko.web.jobs.models import Job


@login_required
def job_page(request, pk):
    job = get_object_or_404(Job.owned_by(request.user), pk=pk)
    return render(request, "jobs/job.html", {"job": job})

"""Jobs whose server process died (killed, out of memory, the machine restarted) are failed at the next start.

A job runs in a thread of the process that accepted it; when that process dies the job's row still says
«в очереди» or «выполняется» and would say so for ever. `msoko serve` calls `reap()` before it serves:
every unfinished job whose process no longer lives is marked failed, and the file it was given removed.
The warehouse is safe already — an import publishes its version atomically, so a killed one left nothing
active (its orphaned version files are swept by `msoko maintenance`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone

from msoko.web.jobs.models import Job, JobStatus
from msoko.web.jobs.processes import is_alive

log = logging.getLogger(__name__)
DIED = ("Задание прервано: процесс сервера, который его выполнял, остановился. Данные не изменены; "
        "запустите его ещё раз.")


def reap() -> int:
    """Fail the unfinished jobs of dead processes of this machine; returns how many."""
    reaped = 0
    for job in Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)):
        if job.process and is_alive(job.process) is not False:
            continue  # alive, or another machine's
        if job.upload:
            Path(job.upload).unlink(missing_ok=True)
        updated = Job.objects.filter(pk=job.pk, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).update(
            status=JobStatus.FAILED, result={"error": DIED}, finished=timezone.now())
        reaped += updated
    if reaped:
        log.warning("помечено прерванными заданий: %s", reaped)
    return reaped

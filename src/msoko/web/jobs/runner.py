"""Running jobs in a background thread of the server process, reporting progress into the Job row.

One worker thread per server process, and one job at a time per workspace across the server's processes
(a file lock): imports and recomputes write the same warehouse, and a municipal server has few users, so
a queue needs no broker. A job waiting for the lock stays «в очереди». With `JOBS_INLINE` (tests) the job runs at
once in the caller's thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from msoko.core.locks import file_lock
from msoko.web.jobs import processes
from msoko.web.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
JOBS_LOCK = ".jobs.lock"
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msoko-job")

Report = Callable[[str, int, int | None], None]
# A job function gets a progress callback and returns (status, result) with status DONE or REJECTED.
JobFunction = Callable[[Report], tuple[str, dict]]


class _Reporter:
    """Writes progress to the database at most every half second."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and (total is None or done < total):
            return
        self.last = now
        Job.objects.filter(pk=self.job_id).update(stage=stage[:255], done=done, total=total)


def _execute(job_id, function: JobFunction) -> None:
    try:
        Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
        status, result = function(_Reporter(job_id))
        Job.objects.filter(pk=job_id).update(status=status, result=result, finished=timezone.now())
    except Exception as exc:  # noqa: BLE001 — a failed job is shown as such, never crashes the server
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            result={"error": f"Внутренняя ошибка ({type(exc).__name__}). Данные не изменены; сообщите администратору."},
            finished=timezone.now(),
        )


def _execute_in_worker(job_id, function: JobFunction) -> None:
    """In the worker thread the connections are the thread's own: fresh for each job, closed after it
    (a job is long; a connection left idle in a worker would pin the database)."""
    with file_lock(settings.WORKSPACE.root / JOBS_LOCK):
        close_old_connections()
        try:
            _execute(job_id, function)
        finally:
            connections.close_all()


def submit(*, kind: str, label: str, owner, function: JobFunction, upload: Path | None = None) -> Job:
    """Queue `function` as a job of `owner`. `upload`: the file the job was given (its function removes it
    when done); should this process die first, the next start removes it (`orphans.reap`)."""
    job = Job.objects.create(kind=kind, label=label[:500], owner=owner, process=processes.current(),
                             upload=str(upload) if upload is not None else "")
    if getattr(settings, "JOBS_INLINE", False):  # in the caller's thread and transaction (tests)
        _execute(job.pk, function)
    else:
        _executor.submit(_execute_in_worker, job.pk, function)
    return job

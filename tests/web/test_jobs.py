"""Jobs run in the background worker thread, report progress, and never crash the server."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from msoko.web.accounts.models import User
from msoko.web.jobs.models import Job, JobStatus
from msoko.web.jobs.runner import JOBS_LOCK, submit


def wait(job: Job, seconds: float = 20) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.05)
    pytest.fail(f"job {job.label} did not finish: {job.status}")


@pytest.fixture
def owner(transactional_db):
    return User.objects.create(username="owner")


def test_a_job_runs_in_the_worker_and_keeps_its_result(owner, settings):
    settings.JOBS_INLINE = False

    def work(report):
        report("Счёт", 5, 10)
        return JobStatus.DONE, {"summary": "готово: 10"}

    job = wait(submit(kind="test", label="Проба", owner=owner, function=work))
    assert job.status == JobStatus.DONE
    assert job.result == {"summary": "готово: 10"}
    assert job.finished is not None


def test_a_failing_job_is_marked_failed_with_a_russian_message_and_no_traceback(owner, settings):
    settings.JOBS_INLINE = False

    def broken(report):
        raise ZeroDivisionError("секрет внутренностей")

    job = wait(submit(kind="test", label="Сбой", owner=owner, function=broken))
    assert job.status == JobStatus.FAILED
    assert "Внутренняя ошибка" in job.result["error"]
    assert "секрет внутренностей" not in job.result["error"]


def test_a_job_waits_while_another_server_process_runs_one(owner, settings):
    """Several server processes share the workspace: a job starts only when the one running elsewhere ends."""
    settings.JOBS_INLINE = False
    lock = settings.WORKSPACE.root / JOBS_LOCK
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = []

        def work(report):
            started.append(time.monotonic())
            return JobStatus.DONE, {}

        job = submit(kind="test", label="Ждёт", owner=owner, function=work)
        time.sleep(0.5)
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED and started == []
        released = time.monotonic()
        holder.terminate()
        holder.wait(timeout=10)
        assert wait(job).status == JobStatus.DONE
        assert started[0] >= released
    finally:
        holder.kill()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from msoko.core.locks import file_lock
with file_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""

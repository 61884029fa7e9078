"""Jobs run in the background worker thread, report progress, and never crash the server."""

from __future__ import annotations

import time

import pytest

from msoko.web.accounts.models import User
from msoko.web.jobs.models import Job, JobStatus
from msoko.web.jobs.runner import submit


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

"""Jobs run in the background worker thread, report progress, and never crash the server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

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


# ---- recompute from the web ------------------------------------------------------------------------------
@pytest.fixture
def golden_ws(settings, tmp_path):
    from msoko.core.workspace import Workspace

    sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))
    import golden

    settings.WORKSPACE = Workspace(tmp_path / "ws").ensure()
    golden.build(settings.WORKSPACE.warehouse)
    return settings.WORKSPACE


def test_recompute_requests_join_the_one_still_queued_and_the_job_stores_the_results(owner, settings, golden_ws):
    from msoko.engine.results import ResultStore
    from msoko.web.jobs.recompute import request_recompute

    settings.JOBS_INLINE = False
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(golden_ws.root / JOBS_LOCK)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        first = request_recompute(owner, reason="после загрузки «a.csv»")
        second = request_recompute(owner, reason="после загрузки «b.csv»")
        assert second.pk == first.pk  # debounced: the queued one will read both imports
        assert Job.objects.filter(kind="recompute").count() == 1
        holder.terminate()
        holder.wait(timeout=10)
        job = wait(first, seconds=120)
    finally:
        holder.kill()
    assert job.status == JobStatus.DONE, job.result
    store = ResultStore(golden_ws.results)
    assert job.result["pipeline"]["run_id"] in store.manifest()["runs"]
    assert job.result["pipeline"]["computed"] == len(store.computed_indicators()) > 0
    assert (job.done, job.total) == (400, 400)  # four stages, each finished
    assert job.result["pipeline"]["engine"] == "duckdb"  # MSOKO_ENGINE unset
    # once it has started, a new request queues a new job (the running one may have read older data)
    assert request_recompute(owner).pk != first.pk


def test_spark_named_but_not_installed_refuses_the_job_in_russian(owner, settings, golden_ws, monkeypatch):
    import msoko.engine.spark as spark_package
    from msoko.engine.results import ResultStore
    from msoko.web.jobs.recompute import request_recompute

    settings.JOBS_INLINE = True
    settings.COMPUTE_ENGINE = "spark"
    monkeypatch.setattr(spark_package, "spark_available", lambda: False)
    job = request_recompute(owner)
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED
    assert "MSOKO_ENGINE=spark" in job.result["summary"] and "uv sync --extra spark" in job.result["summary"]
    assert not ResultStore(golden_ws.results).has_results()


@pytest.mark.spark
def test_the_web_job_computes_on_the_engine_the_server_names(owner, settings, golden_ws, spark, tmp_path):
    """MSOKO_ENGINE=spark: the web's (and the API's) recompute computes the indicators on Spark, and stores
    what DuckDB stores for the same data."""
    import golden

    from msoko.core.workspace import Workspace
    from msoko.engine.pipeline import run_all
    from msoko.engine.results import ResultStore
    from msoko.engine.spark.differential import compare
    from msoko.web.jobs.recompute import request_recompute

    settings.JOBS_INLINE = True
    settings.COMPUTE_ENGINE = "spark"
    job = request_recompute(owner)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.result
    assert job.result["pipeline"]["engine"] == "spark"
    other = Workspace(tmp_path / "on-duckdb").ensure()
    golden.build(other.warehouse)
    run_all(other, full=True)
    difference = compare(ResultStore(golden_ws.results), ResultStore(other.results))
    assert difference.equal, str(difference)


def test_a_broken_setting_leaves_the_results_and_says_so(owner, settings, golden_ws):
    from msoko.engine.results import ResultStore
    from msoko.web.jobs.recompute import request_recompute

    settings.JOBS_INLINE = True
    (golden_ws.root / "detection.yaml").write_text("objectivity: [\n", encoding="utf-8")
    job = request_recompute(owner)
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED
    assert job.result["issues"] and "detection.yaml" in job.result["summary"]
    assert not ResultStore(golden_ws.results).has_results()


def test_a_web_import_is_followed_by_a_recompute_shown_on_its_page(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from msoko.core.workspace import Workspace
    from msoko.engine.results import ResultStore
    from msoko.web.registry.importer import publish_registry

    settings.JOBS_INLINE = True
    settings.WORKSPACE = Workspace(tmp_path / "ws").ensure()
    publish_registry(settings.WORKSPACE)
    school = world.organisations["a1"]
    rows = "".join(f"2025,{school.code},P{i},Математика,5,{5 + i},{3 + i % 2},4\n" for i in range(12))
    data = "year,org_id,participant,subject,grade,primary_score,mark,journal_mark\n" + rows
    client.force_login(world.users["coordinator_a"])
    response = client.post(reverse("imports"), {"kind": "results", "file": SimpleUploadedFile(
        "vpr.csv", data.encode("utf-8"), content_type="text/csv")})
    assert response.status_code == 302
    imported = Job.objects.get(kind="import")
    assert imported.status == JobStatus.DONE, [i for i in imported.result["issues"] if i["severity"] == "error"]
    recompute = Job.objects.get(kind="recompute")
    assert recompute.owner == world.users["coordinator_a"] and "vpr.csv" in recompute.label
    assert recompute.status == JobStatus.DONE, recompute.result
    values = ResultStore(settings.WORKSPACE.results).indicator_values(level="organisation", year=2025)
    assert school.code in values["id"].to_pylist()
    # the import's own file was removed when its job ended
    assert list((settings.WORKSPACE.uploads / "incoming").iterdir()) == []


# ---- jobs of a dead process ------------------------------------------------------------------------------
KILLED_WORKER = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "msoko.web.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from msoko.web.accounts.models import User
from msoko.web.jobs.models import Job
from msoko.web.jobs.runner import submit
owner = User.objects.create(username="owner")
upload = settings_upload = os.path.join(os.environ["MSOKO_HOME"], "uploads", "incoming", "big.csv")
os.makedirs(os.path.dirname(upload), exist_ok=True)
open(upload, "w").write("year,org_id\\n")

def endless(report):
    report("Чтение и проверка файла", 1, 10)
    print("running", flush=True)
    time.sleep(600)

job = submit(kind="import", label="Загрузка «big.csv»", owner=owner, function=endless, upload=upload)
Job.objects.create(kind="import", label="жив", owner=owner, process=sys.argv[1])  # a live process's job
time.sleep(600)
"""


def test_a_job_whose_worker_was_killed_is_failed_at_the_next_start_and_its_upload_removed(tmp_path):
    import os
    import signal
    import sqlite3
    import urllib.request

    from msoko.web.jobs import processes

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "MSOKO_DATABASE_URL"} | {"MSOKO_HOME": str(home)}
    worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, processes.current()], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "running"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    upload = home / "uploads" / "incoming" / "big.csv"
    database = home / "msoko.sqlite3"

    def states():
        with sqlite3.connect(database) as con:
            return dict(con.execute("SELECT label, status FROM jobs_job").fetchall())

    assert upload.exists() and states()["Загрузка «big.csv»"] == "running"  # what a dead worker leaves
    server = subprocess.Popen([sys.executable, "-m", "msoko.cli", "serve", "--home", str(home), "--port", "8106",
                               "--workers", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen("http://127.0.0.1:8106/accounts/login/", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert states() == {"Загрузка «big.csv»": "failed", "жив": "queued"}
    assert not upload.exists()

"""Uploading through the web: scoped, all or nothing, with the issue list, history and rollback."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from msoko.core.workspace import Workspace
from msoko.engine.warehouse import Warehouse
from msoko.web.imports.models import ImportRecord
from msoko.web.jobs.models import Job, JobStatus
from msoko.web.registry.importer import publish_registry

VPR_HEADER = "year,org_id,participant,subject,grade,primary_score,mark,journal_mark\n"


def vpr_file(org: str, name: str = "vpr.csv", participants: int = 3) -> SimpleUploadedFile:
    rows = "".join(f"2025,{org},P{org}{i},Математика,5,{10 + i},{3 + i % 2},4\n" for i in range(participants))
    return SimpleUploadedFile(name, (VPR_HEADER + rows).encode("utf-8"), content_type="text/csv")


@pytest.fixture
def ready(world, settings, tmp_path):
    settings.JOBS_INLINE = True
    settings.WORKSPACE = Workspace(tmp_path / "ws").ensure()  # the warehouse is not rolled back like the database
    publish_registry(settings.WORKSPACE)  # the warehouse knows the world's organisations
    return world


def upload(client, file, kind="results", dry_run=False):
    data = {"file": file, "kind": kind}
    if dry_run:
        data["dry_run"] = "on"
    response = client.post(reverse("imports"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_a_school_operator_loads_its_own_results(client, ready):
    client.force_login(ready.users["operator_a1"])
    job = upload(client, vpr_file("edu100001", "own.csv"))
    assert job.status == JobStatus.DONE, job.result
    record = ImportRecord.objects.get(file_name="own.csv")
    assert record.organisation == ready.organisations["a1"]
    page = client.get(reverse("job", kwargs={"pk": job.pk})).content.decode()
    assert "Загружено строк: 3" in page


def test_a_school_operator_cannot_load_another_schools_results(client, ready, settings):
    before = Warehouse(settings.WORKSPACE.warehouse).manifest()
    client.force_login(ready.users["operator_a1"])
    job = upload(client, vpr_file("edu200001", "foreign.csv"))
    assert job.status == JobStatus.REJECTED
    assert any("вне вашей зоны ответственности" in issue["message"] and issue["row"] == 2 for issue in job.result["issues"])
    assert not ImportRecord.objects.filter(file_name="foreign.csv").exists()
    assert Warehouse(settings.WORKSPACE.warehouse).manifest() == before


def test_a_dry_run_writes_nothing(client, ready, settings):
    before = Warehouse(settings.WORKSPACE.warehouse).manifest()
    client.force_login(ready.users["analyst"])
    job = upload(client, vpr_file("edu200001", "check.csv"), dry_run=True)
    assert job.status == JobStatus.DONE
    assert "Ничего не записано" in job.result["summary"]
    assert Warehouse(settings.WORKSPACE.warehouse).manifest() == before


def test_the_history_shows_a_coordinator_only_the_uploads_of_its_municipality(client, ready):
    client.force_login(ready.users["coordinator_a"])
    upload(client, vpr_file("edu100002", "from-a.csv"))
    client.force_login(ready.users["coordinator_b"])
    upload(client, vpr_file("edu200001", "from-b.csv"))
    page = client.get(reverse("imports")).content.decode()
    assert "from-b.csv" in page and "from-a.csv" not in page
    client.force_login(ready.users["analyst"])
    page = client.get(reverse("imports")).content.decode()
    assert "from-a.csv" in page and "from-b.csv" in page


def test_an_import_rolled_back_from_the_history_is_no_longer_active(client, ready, settings):
    client.force_login(ready.users["coordinator_a"])
    upload(client, vpr_file("edu100002", "undo.csv"))
    record = ImportRecord.objects.get(file_name="undo.csv")
    assert Warehouse(settings.WORKSPACE.warehouse).files("vpr")
    response = client.post(reverse("import-rollback", kwargs={"import_id": record.import_id}))
    assert response.status_code == 302
    assert Warehouse(settings.WORKSPACE.warehouse).files("vpr") == []
    assert "отменена" in client.get(reverse("imports")).content.decode()


def test_an_expert_may_not_upload(client, ready):
    client.force_login(ready.users["expert"])
    assert client.get(reverse("imports")).status_code == 403


def test_a_file_of_a_forbidden_type_is_refused_before_anything_runs(client, ready):
    client.force_login(ready.users["analyst"])
    response = client.post(reverse("imports"), {"file": SimpleUploadedFile("x.exe", b"MZ"), "kind": "results"})
    assert response.status_code == 200
    assert "не принимаются" in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, ready, settings):
    settings.MAX_UPLOAD_BYTES = 100
    client.force_login(ready.users["analyst"])
    response = client.post(reverse("imports"), {"file": vpr_file("edu100001", participants=20), "kind": "results"})
    assert "больше допустимых" in response.content.decode()
    assert not Job.objects.exists()


def test_only_a_registry_manager_sees_the_registry_upload(client, ready):
    client.force_login(ready.users["coordinator_a"])
    assert 'value="registry"' not in client.get(reverse("imports")).content.decode()
    client.force_login(ready.users["region_admin"])
    assert 'value="registry"' in client.get(reverse("imports")).content.decode()


def warehouse_rows(settings, dataset="vpr"):
    import duckdb

    files = [str(f) for f in Warehouse(settings.WORKSPACE.warehouse).files(dataset)]
    return sorted(duckdb.sql(f"select * from read_parquet({files!r}, union_by_name=true)").fetchall())


def region_file(name="region.csv"):
    rows = "".join(
        f"2025,{org},P{org}{i},Математика,5,{10 + i},{3 + i % 2},4\n"
        for org in ("edu100001", "edu100002", "edu200001")
        for i in range(4)
    )
    return SimpleUploadedFile(name, (VPR_HEADER + rows).encode("utf-8"), content_type="text/csv")


def test_a_school_operators_upload_leaves_every_other_schools_rows_identical(client, ready, settings):
    client.force_login(ready.users["analyst"])
    assert upload(client, region_file()).status == JobStatus.DONE
    before = [row for row in warehouse_rows(settings) if row[1] != "edu100001"]
    client.force_login(ready.users["operator_a1"])
    # a school operator cannot ask for a whole-partition replacement: the option is ignored
    response = client.post(
        reverse("imports"),
        {"file": vpr_file("edu100001", "own.csv", participants=2), "kind": "results", "replace_all": "on",
         "confirm_replace_all": "on"},
    )
    job = Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert job.status == JobStatus.DONE, job.result
    after = warehouse_rows(settings)
    assert [row for row in after if row[1] != "edu100001"] == before
    assert sum(1 for row in after if row[1] == "edu100001") == 2
    assert "edu100001 — заменено (было строк 4, стало 2)" in job.result["summary"]


def test_a_coordinator_cannot_load_a_school_outside_the_municipality(client, ready, settings):
    before = Warehouse(settings.WORKSPACE.warehouse).manifest()
    client.force_login(ready.users["coordinator_a"])
    job = upload(client, region_file("mixed.csv"))
    assert job.status == JobStatus.REJECTED
    assert any("edu200001" in issue["message"] for issue in job.result["issues"])
    assert Warehouse(settings.WORKSPACE.warehouse).manifest() == before


def test_a_region_role_replaces_a_whole_partition_only_when_it_confirms(client, ready, settings):
    client.force_login(ready.users["analyst"])
    assert upload(client, region_file()).status == JobStatus.DONE
    response = client.post(
        reverse("imports"), {"file": vpr_file("edu100001", "all.csv"), "kind": "results", "replace_all": "on"}
    )
    assert response.status_code == 200 and "подтвердите" in response.content.decode()
    response = client.post(
        reverse("imports"),
        {"file": vpr_file("edu100001", "all.csv"), "kind": "results", "replace_all": "on",
         "confirm_replace_all": "on"},
    )
    assert response.status_code == 302
    assert {row[1] for row in warehouse_rows(settings)} == {"edu100001"}


def test_a_web_upload_with_names_leaves_them_nowhere_neither_workspace_nor_database(client, ready, settings):
    import json

    from django.db import connection

    planted = "Сидоренко Марфа Игнатьевна"
    body = VPR_HEADER.strip() + ",comment\n" + f"2025,edu100001,P1,Математика,5,10,3,4,{planted}\n"
    client.force_login(ready.users["operator_a1"])
    job = upload(client, SimpleUploadedFile("names.csv", body.encode("utf-8"), content_type="text/csv"))
    assert job.status == JobStatus.REJECTED
    assert any(issue["column"] == "comment" and issue["row"] == 2 for issue in job.result["issues"])
    stored = []
    for path in settings.WORKSPACE.root.rglob("*"):
        if path.is_file():
            stored.append(path.read_bytes())
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — table names from the schema
            stored.append(json.dumps(cursor.fetchall(), default=str, ensure_ascii=False).encode())
    for word in planted.split():
        assert not any(word.encode() in chunk for chunk in stored), word


def test_the_web_upload_takes_a_zip_of_results_and_task_metadata_and_enforces_the_maxima(client, ready, settings):
    import io
    import zipfile

    header = "year,org_id,participant,subject,grade,primary_score,mark,journal_mark,task:1,task:2\n"
    results = header + "2025,edu100001,P1,Математика,5,9,3,4,1,8\n"  # task 2: 8 points, its maximum is 2
    meta = "year,subject,grade,task,max_score,level\n2025,Математика,5,1,2,Б\n2025,Математика,5,2,2,Б\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("vpr.csv", results)
        archive.writestr("vpr_tasks_meta.csv", meta)
    client.force_login(ready.users["operator_a1"])
    job = upload(client, SimpleUploadedFile("both.zip", buffer.getvalue(), content_type="application/zip"))
    assert job.status == JobStatus.REJECTED
    assert any(issue["column"] == "task:2" and issue["row"] == 2 for issue in job.result["issues"]), job.result
    # the metadata as a separate file of the form does the same
    response = client.post(
        reverse("imports"),
        {
            "file": SimpleUploadedFile("vpr.csv", results.encode(), content_type="text/csv"),
            "tasks_meta": SimpleUploadedFile("meta.csv", meta.encode(), content_type="text/csv"),
            "kind": "results",
        },
    )
    job = Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert job.status == JobStatus.REJECTED
    assert any(issue["column"] == "task:2" for issue in job.result["issues"])

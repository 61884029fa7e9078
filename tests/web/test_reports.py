"""The report button: a persona queues the справка of an object in its scope, follows the job, downloads the
file; figures in it are the stored values; nobody else gets the file."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from docx import Document as open_docx
from openpyxl import load_workbook

from msoko.engine.results import ResultStore
from msoko.web.jobs.models import Job, JobStatus
from tests.web import dashboard_data


@pytest.fixture
def results(tmp_path, settings):
    settings.JOBS_INLINE = True
    return dashboard_data.install(tmp_path / "results", settings)


def _generate(client, scope: str, code: str, fmt: str = "docx") -> Job:
    response = client.post(reverse("report", kwargs={"scope": scope, "code": code}), {"format": fmt})
    assert response.status_code == 302
    job = Job.objects.filter(kind="report").latest("created")
    assert response["Location"] == reverse("job", kwargs={"pk": job.pk})
    return job


def test_a_coordinator_generates_the_municipality_report_and_downloads_it(client, world, results):
    client.force_login(world.users["coordinator_a"])
    job = _generate(client, "municipality", "mun-A")
    assert job.status == JobStatus.DONE, job.result
    page = client.get(reverse("job", kwargs={"pk": job.pk})).content.decode()
    assert "Скачать справку" in page and job.result["next_url"] in page
    response = client.get(job.result["next_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    doc = open_docx(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs).replace("\u00a0", " ")
    stored = {r["indicator"]: r["value"] for r in ResultStore(results.root.parent).indicator_values(
        level="municipality", year=2026).to_pylist() if r["id"] == "mun-A"}
    found = re.search(r"«Доля результатов ВПР с отметкой „3“ и выше \(базовый уровень\)» в 2026 г\. — ([\d,]+) %", text)
    assert found and float(found.group(1).replace(",", ".")) == pytest.approx(stored["vpr_base"] * 100, abs=0.05)
    assert "Городской округ А" in text


def test_an_operator_reports_only_on_its_own_school(client, world, results):
    client.force_login(world.users["operator_a1"])
    job = _generate(client, "organisation", "edu100001", "xlsx")
    assert job.status == JobStatus.DONE
    workbook = load_workbook(io.BytesIO(b"".join(client.get(job.result["next_url"]).streaming_content)))
    assert workbook["Титул"]["B2"].value == "МБОУ «СОШ № 1»"
    for scope, code in (("municipality", "mun-A"), ("organisation", "edu100002"), ("region", "77")):
        response = client.post(reverse("report", kwargs={"scope": scope, "code": code}), {"format": "docx"})
        assert response.status_code == 404
    assert Job.objects.filter(kind="report").count() == 1


def test_nobody_else_downloads_a_report_and_the_owner_loses_it_with_the_scope(client, world, results):
    client.force_login(world.users["coordinator_a"])
    job = _generate(client, "municipality", "mun-A")
    url = job.result["next_url"]
    for persona in ("coordinator_b", "operator_a1", "region_admin"):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 404
    owner = world.users["coordinator_a"]
    owner.municipality = world.municipalities["B"]
    owner.save()
    client.force_login(owner)
    assert client.get(url).status_code == 404


def test_a_workspace_without_results_gives_a_rejected_job_with_a_russian_message(client, world, settings, tmp_path):
    settings.JOBS_INLINE = True
    settings.MSOKO_RESULTS_DIR = str(tmp_path / "empty")
    client.force_login(world.users["region_admin"])
    job = _generate(client, "region", "77", "pdf")
    assert job.status == JobStatus.REJECTED
    assert "msoko compute" in job.result["error"]


def test_the_reports_page_lists_only_what_the_persona_may_report_on(client, world, results):
    client.force_login(world.users["coordinator_b"])
    page = client.get(reverse("reports")).content.decode()
    assert "Сельский район Б" in page and "МКОУ «Сельская ООШ»" in page
    assert "Городской округ А" not in page and "МБОУ «СОШ № 1»" not in page


def test_the_reports_page_orders_schools_by_their_numbers(client, world):
    from msoko.web.registry.models import Organisation

    a1 = world.organisations["a1"]
    for number in (10, 2, 11):
        Organisation.objects.create(code=f"edu9{number:03d}", name=f"МБОУ «СОШ № {number}»", kind=a1.kind,
                                    municipality=a1.municipality)
    client.force_login(world.users["coordinator_a"])
    page = client.get(reverse("reports")).content.decode()
    places = [page.index(f"МБОУ «СОШ № {n}»") for n in (1, 2, 10, 11)]
    assert places == sorted(places)


def _docx_text(client, job: Job) -> str:
    doc = open_docx(io.BytesIO(b"".join(client.get(job.result["next_url"]).streaming_content)))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_report_carries_the_management_cycle_of_its_object(client, world, results):
    """Issue 8: the cycle's measures with their verdicts and the issued recommendations are in the справка;
    a school's report holds only what targets that school."""
    from tests.web import cycle_world

    cycle_world.build(world)
    client.force_login(world.users["coordinator_a"])
    text = _docx_text(client, _generate(client, "municipality", "mun-A"))
    assert "Управленческий цикл" in text
    assert "Мероприятие-секрет-A_a1" in text and "Мероприятие-секрет-A_a2" in text
    assert "Мероприятие-секрет-B_b1" not in text and "Мероприятие-секрет-R_b1" not in text

    client.force_login(world.users["operator_a1"])
    text = _docx_text(client, _generate(client, "organisation", "edu100001"))
    assert "Мероприятие-секрет-A_a1" in text and "Рекомендация-направлена-a1" in text
    assert "Мероприятие-секрет-A_a2" not in text and "Рекомендация-черновик-a1" not in text

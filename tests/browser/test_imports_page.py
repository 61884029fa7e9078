"""In a real browser: a coordinator uploads a results file, sees the outcome, and finds it in the history."""

from __future__ import annotations

from msoko.core.workspace import Workspace
from msoko.web.registry.importer import publish_registry
from tests.browser.conftest import SCREENSHOTS, login
from tests.web.personas import PASSWORD

VPR = "year,org_id,participant,subject,grade,primary_score,mark,journal_mark\n" + "".join(
    f"2025,{org},P{org}{i},Русский язык,4,{20 + i},{3 + i % 3},4\n" for org in ("edu100001", "edu100002") for i in range(5)
)
FOREIGN = VPR.replace("edu100002", "edu200001")


def test_a_coordinator_uploads_results_and_a_foreign_file_is_refused_with_its_row(live_server, world, page, settings, tmp_path):
    settings.JOBS_INLINE = True
    settings.WORKSPACE = Workspace(tmp_path / "ws").ensure()
    publish_registry(settings.WORKSPACE)
    good, bad = tmp_path / "vpr-2025.csv", tmp_path / "vpr-чужие.csv"
    good.write_text(VPR, encoding="utf-8")
    bad.write_text(FOREIGN, encoding="utf-8")

    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.click("text=Загрузка данных")
    page.set_input_files("input[type=file]", str(good))
    page.screenshot(path=str(SCREENSHOTS / "imports.png"), full_page=True)
    page.click("button:has-text('Загрузить')")
    page.wait_for_selector("text=Загружено строк: 10")

    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('Загрузить')")
    page.wait_for_selector("text=Файл не принят")
    page.screenshot(path=str(SCREENSHOTS / "import-rejected.png"), full_page=True)
    rows = page.inner_text("table.data")
    assert "вне вашей зоны ответственности" in rows
    assert "edu200001" in rows

    page.goto(f"{live_server.url}/imports/")
    history = page.inner_text("table.data")
    assert "vpr-2025.csv" in history and "действует" in history
    assert "vpr-чужие.csv" not in history

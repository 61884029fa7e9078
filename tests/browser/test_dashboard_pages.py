"""In a real browser every persona opens each dashboard page of its scope: the figures shown equal the
stored values, the charts render from the locally served Vega bundle, and each page is photographed for
the user guide (docs/screenshots/dashboard-*.png). A coordinator gets 404 outside its municipality."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from msoko.engine.catalog import default_catalog
from msoko.web.dashboards import marks
from tests.browser.conftest import PERSONA_SCREENSHOTS, SCREENSHOTS, login
from tests.web import dashboard_data
from tests.web.personas import PASSWORD, VISIBLE

VPR_BASE = default_catalog().indicator("vpr_base")
PERSONAS = ["region_admin", "analyst", "expert", "coordinator_a", "coordinator_b", "operator_a1"]


@pytest.fixture
def results(tmp_path, settings):
    return dashboard_data.install(tmp_path, settings)


def stored(store, level, id_):
    table = store.indicator_values(level=level, year=2026, indicator="vpr_base")
    return marks.fmt(table.filter(pc.equal(table["id"], id_))["value"][0].as_py(), VPR_BASE)


def pages_for(world, persona):
    """(name, url, level and id whose stored vpr_base value the page must show)."""
    pages = []
    if "A" in VISIBLE[persona] and "B" in VISIBLE[persona]:
        pages.append(("region", "/region/77/?year=2026&ind=vpr_base", "municipality", "mun-A"))
    for key in ("A", "B"):
        if key in VISIBLE[persona]:
            code = world.municipalities[key].code
            pages.append((f"municipality-{key}", f"/municipality/{code}/?year=2026&ind=vpr_base", "municipality", code))
    for key in ("a1", "b1"):
        if key in VISIBLE[persona]:
            code = world.organisations[key].code
            pages.append((f"organisation-{key}", f"/organisation/{code}/?year=2026", "organisation", code))
    pages.append(("indicator", "/indicator/vpr_base/?year=2026", "region", "77"))
    return pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_each_page_of_its_scope_and_sees_the_stored_figures(live_server, world, page,
                                                                                results, persona):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live_server.url, persona, PASSWORD)
    page.wait_for_selector("h1")
    for name, url, level, id_ in pages_for(world, persona):
        response = page.goto(live_server.url + url)
        assert response.status == 200, f"{persona} {url}"
        assert stored(results, level, id_) in page.inner_text("main"), f"{persona} {url}"
        if page.locator("div.vl").count():
            page.wait_for_selector("div.vl[data-rendered] svg", timeout=15000)
        page.screenshot(path=str(PERSONA_SCREENSHOTS / f"dashboard-{name}-{persona}.png"))


def test_a_coordinator_cannot_open_another_municipality_or_its_schools(live_server, world, page, results):
    login(page, live_server.url, "coordinator_a", PASSWORD)
    page.wait_for_selector("h1")
    for url in (f"/municipality/{world.municipalities['B'].code}/",
                f"/organisation/{world.organisations['b1'].code}/",
                f"/indicator/vpr_base/?municipality={world.municipalities['B'].code}",
                "/region/77/"):
        response = page.goto(live_server.url + url)
        assert response.status == 404, url
        assert world.municipalities["B"].name not in page.content()


def test_the_charts_load_nothing_from_outside_the_server(live_server, world, page, results):
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url))
    login(page, live_server.url, "analyst", PASSWORD)
    page.goto(live_server.url + "/region/77/?year=2026")
    page.wait_for_selector("div.vl[data-rendered] svg", timeout=15000)
    page.click("details.table-view summary")
    assert page.locator("details.table-view table").first.is_visible()
    assert outside == []


def test_full_page_screenshots_of_the_four_pages_for_the_user_guide(live_server, world, page, results):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live_server.url, "region_admin", PASSWORD)
    page.wait_for_selector("h1")
    for name, url in (("region", "/region/77/?year=2026"),
                      ("municipality", f"/municipality/{world.municipalities['B'].code}/?year=2026"),
                      ("organisation", f"/organisation/{world.organisations['a1'].code}/?year=2026"),
                      ("indicator", "/indicator/vpr_base/?year=2026")):
        page.goto(live_server.url + url)
        if page.locator("div.vl").count():
            page.wait_for_selector("div.vl[data-rendered] svg", timeout=15000)
        page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=True)


@pytest.mark.parametrize("persona", ["region_admin", "coordinator_a", "operator_a1"])
def test_each_role_navigates_from_the_home_page_down_to_an_indicator_by_links(live_server, world, page, results,
                                                                              persona):
    login(page, live_server.url, persona, PASSWORD)
    page.wait_for_selector("h1:has-text('Главная')")
    if persona == "region_admin":
        page.click(f"main a:has-text('{world.region.name}')")
        page.wait_for_selector(f"h1:has-text('{world.region.name}')")
    if persona != "operator_a1":
        page.click(f"main a:has-text('{world.municipalities['A'].name}')")
        page.wait_for_selector(f"h1:has-text('{world.municipalities['A'].name}')")
    page.click(f"main a:has-text('{world.organisations['a1'].name}')")
    page.wait_for_selector(f"h1:has-text('{world.organisations['a1'].name}')")
    page.click(f"main a:has-text('{VPR_BASE.name}')")
    page.wait_for_selector(f"h1:has-text('{VPR_BASE.name}')")
    assert "Паспорт показателя" in page.inner_text("main")


def test_the_organisation_page_draws_the_vpr_histogram_and_task_completion(live_server, world, page, results):
    """The school's operator sees the histogram with the year's boundaries and the Б/П figures that were stored."""
    login(page, live_server.url, "operator_a1", PASSWORD)
    page.wait_for_selector("h1")
    page.goto(live_server.url + f"/organisation/{world.organisations['a1'].code}/?year=2026&subject=Математика&grade=4")
    page.wait_for_selector("#chart-vpr-hist-0[data-rendered] svg", timeout=15000)
    page.wait_for_selector("#chart-vpr-tasks-0[data-rendered] svg", timeout=15000)
    chart = page.inner_text("#chart-vpr-hist-0")
    assert "«3» с 6" in chart and "«4» с 10" in chart and "«5» с 14" in chart  # labelled boundary rules
    block = page.inner_text("#vpr-0")
    # Б 66,7 % against the region's 56,7 %, П 20,0 % against 30,0 %: over 50 pupils both differences lie
    # inside the school's own 95 % interval (Wilson over the pupils), so by the one rule neither is a flag
    assert "66,7 %" in block and "56,7 %" in block and "+10,0 п.п." in block
    assert "20,0 %" in block and "−10,0 п.п." in block
    assert block.count("на уровне региона") == 2 and "хуже региона" not in block and "лучше региона" not in block
    page.click("#vpr-0 details.table-view summary")
    assert page.locator("#vpr-0 details.table-view table").first.is_visible()
    page.locator("#vpr-0").screenshot(path=str(PERSONA_SCREENSHOTS / "dashboard-organisation-vpr.png"))


def test_chart_axes_write_numbers_the_russian_way(live_server, page):
    """The page's chart script draws a spec whose axis needs decimals: «10,1», never «10.1»."""
    import json
    import re

    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": 300, "height": 150,
            "data": {"values": [{"year": 2024, "value": 10.06}, {"year": 2025, "value": 10.31},
                                {"year": 2026, "value": 10.2}]},
            "mark": "line", "encoding": {"x": {"field": "year", "type": "ordinal"},
                                         "y": {"field": "value", "type": "quantitative",
                                               "scale": {"zero": False}}}}
    page.goto(live_server.url + "/accounts/login/")  # any page of the site: same origin for the scripts
    page.set_content(f'<div class="vl" data-spec="s"></div><script id="s" type="application/json">'
                     f"{json.dumps(spec)}</script>")
    page.add_script_tag(url=live_server.url + "/static/msoko/vendor/vega-bundle.js")
    page.add_script_tag(url=live_server.url + "/static/msoko/charts.js")
    page.evaluate("document.dispatchEvent(new Event('DOMContentLoaded'))")
    page.wait_for_selector("div.vl[data-rendered] svg", timeout=15000)
    labels = [t or "" for t in page.locator("div.vl svg text").all_text_contents()]
    assert not [t for t in labels if re.fullmatch(r"−?\d+\.\d+", t)], labels
    assert [t for t in labels if re.fullmatch(r"10,\d+", t)], labels

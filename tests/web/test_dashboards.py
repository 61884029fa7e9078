"""The dashboards show the stored figures, judged in words and signs, inside the persona's scope."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from msoko.engine.catalog import default_catalog
from msoko.web.dashboards import export, marks
from tests.web import dashboard_data

CATALOG = {i.code: i for i in default_catalog().indicators}


@pytest.fixture
def results(tmp_path, settings):
    return dashboard_data.install(tmp_path, settings)


def stored(store, level, id_, indicator, year=2026):
    table = store.indicator_values(level=level, year=year, indicator=indicator)
    table = table.filter(pc.equal(table["id"], id_))
    return table["value"][0].as_py()


def page(client, world, persona, name, **kwargs):
    client.force_login(world.users[persona])
    query = kwargs.pop("query", "")
    response = client.get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, name: str) -> str:
    """The table row naming `name`, after the filter form (whose options name every indicator)."""
    start = html.index(name, html.index("</form>", html.index('class="filters"')))
    return html[start:html.index("</tr>", start)]


def test_the_region_page_shows_each_municipalitys_stored_value_and_judges_it_in_words(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?ind=vpr_base")
    for key, verdict in (("A", "лучше региона"), ("B", "хуже региона")):
        value = stored(results, "municipality", world.municipalities[key].code, "vpr_base")
        cells = row_of(html, world.municipalities[key].name)
        assert marks.fmt(value, CATALOG["vpr_base"]) in cells
        assert verdict in cells
    assert marks.fmt(stored(results, "region", "77", "vpr_base"), CATALOG["vpr_base"]) in row_of(html, "Регион в целом")


def test_the_region_page_sorts_by_an_indicator_from_the_query_string(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?ind=vpr_base&sort=vpr_base")
    table = html[html.index("Регион в целом"):]
    assert table.index(world.municipalities["A"].name) < table.index(world.municipalities["B"].name)


def test_the_region_page_counts_the_lists_and_their_change_since_last_year(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?year=2026")
    shnor = row_of(html, "ШНОР — школы")
    assert ">1<" in shnor and "+1" in shnor  # one school entered ШНОР in 2026
    shnsu = row_of(html, "ШНСУ — школы")
    assert "+0" not in shnsu and ">0<" in shnsu.replace(" ", "")  # stayed: change 0


def test_a_target_is_judged_with_a_sign_and_words(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?ind=vpr4_base")
    assert "✗" in row_of(html, world.municipalities["B"].name)
    assert "цель 80,0 % не достигнута" in row_of(html, world.municipalities["B"].name)
    assert "цель 80,0 % достигнута" in row_of(html, world.municipalities["A"].name)


def test_the_municipality_page_names_its_problem_zones_and_the_best_municipality(client, world, results):
    html = page(client, world, "coordinator_b", "municipality", code="mun-B", query="?ind=vpr_base&ind=vpr4_base")
    zones = html[html.index("Проблемные зоны"):html.index("Организации по показателям")]
    assert "ниже цели 80,0 %" in zones and "хуже региона" in zones
    comparison = row_of(html, "Доля результатов ВПР с отметкой «3» и выше")
    assert world.municipalities["A"].name in comparison  # the best municipality, by name
    assert marks.fmt(stored(results, "municipality", "mun-A", "vpr_base"), CATALOG["vpr_base"]) in comparison


def test_the_municipality_page_lists_only_its_own_schools(client, world, results):
    html = page(client, world, "coordinator_a", "municipality", code="mun-A")
    assert world.organisations["a1"].name in html
    assert world.organisations["b1"].name not in html


def test_the_organisation_page_shows_value_references_interval_and_group(client, world, results):
    html = page(client, world, "operator_a1", "organisation", code="edu100001", query="?year=2026")
    row = row_of(html, "Доля результатов ВПР с отметкой «3» и выше")
    ind = CATALOG["vpr_base"]
    assert marks.fmt(stored(results, "organisation", "edu100001", "vpr_base"), ind) in row
    assert marks.fmt(stored(results, "municipality", "mun-A", "vpr_base"), ind) in row
    assert marks.fmt(stored(results, "region", "77", "vpr_base"), ind) in row
    assert "89,2 % – 93,2 %" in row and ">400<" in row.replace("\n", "")
    assert "Отметки ВПР заметно выше журнальных." in html
    assert "Признаки выявлены в 1 из 2 групп" in html


def test_the_organisation_page_explains_its_risk_status(client, world, results):
    html = page(client, world, "coordinator_b", "organisation", code="edu200001")
    assert "Школа ниже школ своего кластера три года подряд." in html
    assert "✗ в списке" in html


def test_a_kindergartens_page_has_no_subjects_grades_risk_or_objectivity(client, world, results):
    school = page(client, world, "coordinator_a", "organisation", code="edu100001")
    kindergarten = page(client, world, "coordinator_a", "organisation", code="dou100003")
    for html, is_school in ((school, True), (kindergarten, False)):
        assert ('name="subject"' in html) is is_school and ('name="grade"' in html) is is_school
        assert ("Статус риска" in html) is is_school and ("Признаки необъективности" in html) is is_school
    assert 'name="year"' in kindergarten and "МБДОУ «Детский сад № 3»" in kindergarten


def test_the_indicator_page_shows_the_passport_and_drills_down(client, world, results):
    html = page(client, world, "analyst", "indicator", code="vpr_base")
    ind = CATALOG["vpr_base"]
    assert ind.formula in html.replace("&quot;", '"').replace("&#x27;", "'").replace("&gt;", ">").replace("&lt;", "<")
    assert "Версия" in html and "Распределение по организациям" in html
    html = page(client, world, "analyst", "indicator", code="vpr_base", query="?municipality=mun-A")
    assert world.organisations["a2"].name in html and world.organisations["b1"].name not in html


def test_a_coordinator_cannot_drill_into_another_municipality(client, world, results):
    client.force_login(world.users["coordinator_a"])
    url = reverse("indicator", kwargs={"code": "vpr_base"})
    assert client.get(url + "?municipality=mun-B").status_code == 404
    assert client.get(reverse("organisation", kwargs={"code": "edu200001"})).status_code == 404
    html = client.get(url).content.decode()
    assert world.municipalities["B"].name not in html and world.organisations["b1"].name not in html


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_holds_the_stored_values_within_the_scope(client, world, results):
    client.force_login(world.users["coordinator_a"])
    response = client.get(reverse("indicator-export", kwargs={"code": "vpr_base", "fmt": "csv"}) + "?year=2026")
    rows = _csv_rows(response.content)
    by_code = {row[1]: row for row in rows[1:]}
    assert set(by_code) == {"77", "mun-A", "edu100001", "edu100002"}
    assert float(by_code["edu100001"][6]) == stored(results, "organisation", "edu100001", "vpr_base")


def test_the_exports_defuse_formula_like_text_and_keep_numbers_numeric(client, world, results):
    org = world.organisations["a2"]
    org.name = "=HYPERLINK(\"http://evil\";\"x\")"
    org.save()
    client.force_login(world.users["analyst"])
    base = reverse("indicator-export", kwargs={"code": "vpr_base", "fmt": "csv"}) + "?year=2026&municipality=mun-A"
    rows = _csv_rows(client.get(base).content)
    assert any(row[2] == "'" + org.name for row in rows)
    response = client.get(base.replace("export.csv", "export.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["edu100002"][2].value == "'" + org.name and cells["edu100002"][2].data_type == "s"
    assert cells["edu100002"][6].value == pytest.approx(0.725) and cells["edu100002"][6].data_type == "n"


@pytest.mark.parametrize("text", ["=1+1", "+7 999", "-A1*2", "@SUM(A1)", "\tx"])
def test_each_formula_prefix_is_defused(text):
    assert export.safe(text) == "'" + text
    assert export.safe(-2.5) == -2.5


def test_a_new_result_run_is_read_at_the_next_request(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?ind=vpr_base")
    assert "85,0 %" in row_of(html, world.municipalities["A"].name)
    table = dashboard_data.values()
    values = table["value"].to_pylist()
    values[3] = 0.5  # mun-A, 2026
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values, pa.float64()))
    catalog = default_catalog()
    results.write_run(table, catalog, results.resolve_versions(catalog))
    html = page(client, world, "analyst", "region", code="77", query="?ind=vpr_base")
    assert "50,0 %" in row_of(html, world.municipalities["A"].name)


def test_the_chart_scripts_are_served_locally(client):
    for path in ("/static/msoko/vendor/vega-bundle.js", "/static/msoko/charts.js"):
        response = client.get(path)
        assert response.status_code == 200
    html_bundle = b"".join(client.get("/static/msoko/vendor/vega-bundle.js").streaming_content)
    assert b"vegaEmbed" in html_bundle


def test_the_organisation_kind_filter_keeps_only_that_kind(client, world, results):
    html = page(client, world, "coordinator_a", "municipality", code="mun-A", query="?kind=kindergarten")
    rows = html[html.index("Организации по показателям"):]
    assert world.organisations["ka"].name in rows and world.organisations["a1"].name not in rows
    html = page(client, world, "coordinator_a", "indicator", code="vpr_base", query="?municipality=mun-A&kind=school")
    assert world.organisations["a1"].name in html and world.organisations["ka"].name not in html


def test_the_procedure_filter_offers_only_that_procedures_indicators(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?procedure=vpr&ind=ege_mean")
    picker = html[html.index('name="ind"'):html.index("</select>", html.index('name="ind"'))]
    assert "vpr_base" in picker and "ege_mean" not in picker
    assert 'value="vpr" selected' in html


def test_the_organisation_page_shows_vpr_marks_per_subject_and_grade_against_the_region(client, world, results):
    html = page(client, world, "operator_a1", "organisation", code="edu100001", query="?year=2026")
    table = html[html.index('class="data vpr"'):]
    start = table.index("<th>Математика")
    row = table[start:table.index("</tr>", start)]
    cells = [c.split("<br>")[0].strip() for c in row.split('<td class="num">')[3:7]]
    assert cells == ["10,0 %", "30,0 %", "40,0 %", "20,0 %"]
    assert "(20,0 %)" in row and "(10,0 %)" in row  # the region's «2» and «5»


def test_names_from_the_registry_are_escaped_in_tables_and_chart_data(client, world, results):
    org = world.organisations["a1"]
    org.name = "<script>alert(1)</script> СОШ"
    org.save()
    html = page(client, world, "coordinator_a", "municipality", code="mun-A", query="?ind=vpr_base")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; СОШ" in html  # the table
    assert "\\u003Cscript\\u003Ealert(1)" in html  # the chart's data (json_script)


def test_the_indicator_list_links_every_computed_indicator(client, world, results):
    html = page(client, world, "operator_a1", "indicators")
    for code in ("vpr_base", "vpr4_base"):
        assert reverse("indicator", kwargs={"code": code}) in html
    client.force_login(world.users["no_role"])
    assert client.get(reverse("indicators")).status_code == 404


def test_the_region_rating_orders_municipalities_by_their_mean_stored_place(client, world, results):
    html = page(client, world, "analyst", "region", code="77", query="?year=2026&ind=vpr_base&ind=vpr4_base")
    rating = html[html.index('class="data rating"'):]
    rating = rating[:rating.index("</table>")]
    assert rating.index(world.municipalities["A"].name) < rating.index(world.municipalities["B"].name)
    assert "<td class=\"num\">1,0</td>" in rating and "<td class=\"num\">2,0</td>" in rating


def test_pages_read_the_stored_results_once_per_run(client, world, results, monkeypatch):
    from msoko.engine.results import ResultStore

    reads = []
    original = ResultStore.indicator_values
    monkeypatch.setattr(ResultStore, "indicator_values", lambda self, *a, **k: reads.append(1) or original(self, *a, **k))
    catalog = default_catalog()
    results.write_run(dashboard_data.values(), catalog, results.resolve_versions(catalog))  # a new run
    for name, kwargs in (("region", {"code": "77"}), ("municipality", {"code": "mun-A"}),
                         ("organisation", {"code": "edu100001"}), ("indicator", {"code": "vpr_base"})):
        page(client, world, "analyst", name, **kwargs)
    assert len(reads) == 1


def test_the_snapshot_keeps_only_the_registrys_rows_and_the_total(client, world, results, settings):
    """A results store computed for a whole country: a server keeps only its registry's share, and a
    registry import (which rewrites the warehouse manifest) makes the next request read it again."""
    from msoko.core.atomic import write_json
    from msoko.web.dashboards.data import snapshot

    table = dashboard_data.values()
    foreign = table.slice(0, 3).to_pylist()  # region "77" rows, then mun-A's
    foreign[0].update(level="region", id="99")
    foreign[1].update(level="municipality", id="mun-Z")
    foreign[2].update(level="total", id="total")
    table = pa.concat_tables([table, pa.Table.from_pylist(foreign, schema=table.schema)])
    catalog = default_catalog()
    results.write_run(table, catalog, results.resolve_versions(catalog))
    ids = set(snapshot().values["id"].to_list())
    assert {"77", "mun-A", "mun-B", "edu100001", "total"} <= ids
    assert not ids & {"99", "mun-Z"}

    world.municipalities["B"].code = "mun-Z"
    world.municipalities["B"].save()
    manifest = settings.WORKSPACE.warehouse / "manifest.json"
    before = manifest.read_bytes() if manifest.exists() else None
    try:
        write_json(manifest, {"datasets": {}, "format": 1, "changed": "registry"})
        ids = set(snapshot().values["id"].to_list())
        assert "mun-Z" in ids and "mun-B" not in ids
    finally:
        if before is None:
            manifest.unlink()
        else:
            manifest.write_bytes(before)


def test_the_municipality_page_is_rendered_once_per_run_and_again_for_a_new_run(client, world, results):
    """The page body is kept per result run (page_cache): a new run shows its values at the next request,
    and the scope gate still answers first — another municipality's coordinator gets 404, not the body."""
    html = page(client, world, "coordinator_a", "municipality", code="mun-A", query="?ind=vpr_base")
    assert "91,2 %" in row_of(html, world.organisations["a1"].name)
    client.force_login(world.users["coordinator_b"])
    assert client.get(reverse("municipality", kwargs={"code": "mun-A"}) + "?ind=vpr_base").status_code == 404
    table = dashboard_data.values()
    values = table["value"].to_pylist()
    values[6] = 0.5  # edu100001, 2026
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values, pa.float64()))
    catalog = default_catalog()
    results.write_run(table, catalog, results.resolve_versions(catalog))
    html = page(client, world, "coordinator_a", "municipality", code="mun-A", query="?ind=vpr_base")
    assert "50,0 %" in row_of(html, world.organisations["a1"].name)


def test_a_kept_export_is_never_served_beyond_the_viewers_scope(client, world, results):
    """Exports are kept per run (page_cache); one the analyst made must not reach a coordinator."""
    url = reverse("indicator-export", kwargs={"code": "vpr_base", "fmt": "csv"}) + "?year=2026"
    client.force_login(world.users["analyst"])
    assert {row[1] for row in _csv_rows(client.get(url).content)[1:]} >= {"mun-B", "edu200001"}
    client.force_login(world.users["coordinator_a"])
    codes = {row[1] for row in _csv_rows(client.get(url).content)[1:]}
    assert codes == {"77", "mun-A", "edu100001", "edu100002"}


def test_a_comparison_chart_fits_its_axis_to_the_values_and_writes_each_value_by_its_name():
    from msoko.web.dashboards import charts

    chart = charts.bars("c", "Доля", [{"name": "Район А", "value": 94.4, "label": "94,4 %"},
                                      {"name": "Район Б", "value": 86.1, "label": "86,1 %"}],
                        [{"value": 88.4, "caption": "Регион: 88,4 %"}], "%", ["Название", "Значение"], [])
    points = chart.spec["layer"][0]
    assert points["mark"]["type"] == "point" and points["encoding"]["x"]["scale"]["zero"] is False
    assert [i["axis_label"] for i in chart.spec["datasets"]["items"]] == ["Район А — 94,4 %", "Район Б — 86,1 %"]
    assert not [layer for layer in chart.spec["layer"] if layer["mark"]["type"] == "text"
                and layer.get("data", {}).get("name") == "items"]  # no value text inside the plot to collide

"""The municipal rating page shows the stored ratings run, inside the persona's scope.

The run is written through the engine's own code (`indicator_scores`, `rate`, `write`) on hand-chosen
municipality values; the expectations read the stored parquet files directly, not through the page's code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from msoko.engine import ratings
from msoko.engine.catalog import default_catalog
from msoko.web.dashboards import marks
from msoko.web.registry.models import Municipality
from tests.web import dashboard_data

CATALOG = {i.code: i for i in default_catalog().indicators}
REGION = "77"
# (municipality, indicator) → {year: (value, change, under_min_group)}; mun-C is added to the registry here
VALUES = {
    ("mun-A", "vpr_base"): {2025: (0.80, None, False), 2026: (0.85, 0.05, False)},
    ("mun-B", "vpr_base"): {2025: (0.55, None, False), 2026: (0.60, 0.05, False)},
    ("mun-C", "vpr_base"): {2025: (0.70, None, False), 2026: (0.72, 0.02, False)},
    ("mun-A", "vpr_fail"): {2026: (0.05, None, False)},
    ("mun-B", "vpr_fail"): {2026: (0.20, None, False)},
    ("mun-C", "vpr_fail"): {2026: (0.10, None, False)},
    ("mun-A", "shnor_schools_share"): {2026: (0.0, None, False)},
    ("mun-B", "shnor_schools_share"): {2026: (0.5, None, False)},
    ("mun-C", "shnor_schools_share"): {2026: (0.25, None, False)},
    ("mun-A", "olymp_participants"): {2026: (120.0, None, False)},
    ("mun-B", "olymp_participants"): {2026: (30.0, None, False)},
    ("mun-C", "olymp_participants"): {2026: (60.0, None, True)},  # too few results: not scored
    ("mun-A", "grads9_spo"): {2026: (0.4, None, False)},  # neutral: never scored
}


def municipality_values(values: dict = VALUES) -> pl.DataFrame:
    rows = [{"id": muni, "year": year, "indicator": ind, "value": v, "change": ch, "under_min_group": small}
            for (muni, ind), by_year in values.items() for year, (v, ch, small) in by_year.items()]
    return pl.DataFrame(rows, schema={"id": pl.Utf8, "year": pl.Int64, "indicator": pl.Utf8, "value": pl.Float64,
                                      "change": pl.Float64, "under_min_group": pl.Boolean})


def store_ratings(folder: Path, values: dict = VALUES) -> str:
    """A ratings run for the personas' region, stored by the engine's writer."""
    config = ratings.RatingsConfig()
    regions = {muni: REGION for muni in ("mun-A", "mun-B", "mun-C")}
    scores = ratings.indicator_scores(municipality_values(values), default_catalog(), regions, config)
    rated = ratings.rate(scores, config)
    meta = {"format": ratings.FORMAT, "indicator_run": "test-run", "indicator_runs": ["test-run"],
            "years": sorted(set(rated["year"].to_list())), "config": config.model_dump(mode="json")}
    return ratings.write(folder, rated, scores, meta)


def stored(folder: Path, name: str) -> pl.DataFrame:
    """The current run's parquet file, read without the engine's reader."""
    run = json.loads((folder / "ratings" / "CURRENT.json").read_text(encoding="utf-8"))["run"]
    return pl.read_parquet(folder / "ratings" / run / f"{name}.parquet")


def score(value) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


@pytest.fixture
def results(tmp_path, settings, world):
    dashboard_data.install(tmp_path, settings)
    world.municipalities["C"] = Municipality.objects.create(code="mun-C", name="Посёлок В", region=world.region)
    store_ratings(tmp_path)
    return tmp_path


def page(client, world, persona, query="", code=REGION) -> str:
    client.force_login(world.users[persona])
    response = client.get(reverse("ratings", kwargs={"code": code}) + query)
    assert response.status_code == 200
    return response.content.decode()


def table_of(html: str) -> str:
    start = html.index('<table class="data rating">')
    return html[start:html.index("</table>", start)]


def row_of(html: str, name: str) -> str:
    start = html.index(name)
    return html[html.rindex("<tr", 0, start):html.index("</tr>", start)]


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def test_the_table_shows_the_stored_total_scores_ranks_and_system_scores(client, world, results):
    html = page(client, world, "analyst")
    table = table_of(html)
    df = stored(results, "ratings").filter(pl.col("year") == 2026)
    total = df.filter(pl.col("system") == "total").sort("rank")
    systems = sorted(s for s in df["system"].unique().to_list() if s != "total")
    assert systems == ["1.1", "1.2", "1.3"]
    names = {m.code: m.name for m in world.municipalities.values()}
    positions = [table.index(names[code]) for code in total["municipality_id"]]
    assert positions == sorted(positions)  # rank order
    for row in total.iter_rows(named=True):
        got = cells(row_of(table, names[row["municipality_id"]]))
        per_system = {r["system"]: r["score"] for r in df.filter(pl.col("municipality_id") == row["municipality_id"])
                      .iter_rows(named=True)}
        assert got[:4] == [f"{row['rank']} из {row['peers']}", names[row["municipality_id"]], score(row["score"]),
                           str(row["indicators"])]
        assert got[4:7] == [score(per_system.get(s)) for s in systems]
        assert f'href="{reverse("municipality", kwargs={"code": row["municipality_id"]})}' in row_of(
            table, names[row["municipality_id"]])
    assert "Р-293" in html and "Рейтинг муниципалитетов" in html


def test_the_system_and_year_come_from_the_url(client, world, results):
    df = stored(results, "ratings")
    html = page(client, world, "analyst", "?year=2025&system=1.1")
    table = table_of(html)
    expected = df.filter(pl.col("year") == 2025, pl.col("system") == "1.1")
    assert expected.height == 3
    for row in expected.iter_rows(named=True):
        name = Municipality.objects.get(code=row["municipality_id"]).name
        assert cells(row_of(table, name))[2] == score(row["score"])
    assert "<th class=\"num\" title" not in table  # no per-system columns for one system
    assert '<option value="2025" selected>' in html and '<option value="1.1" selected>' in html
    # an unknown year or system falls back to the latest year and the total
    html = page(client, world, "analyst", "?year=1999&system=9.9")
    assert '<option value="2026" selected>' in html and '<option value="total" selected>' in html


def test_the_breakdown_traces_each_score_to_an_indicator_value(client, world, results):
    html = page(client, world, "analyst", "?municipality=mun-C")
    part = html[html.index('id="breakdown"'):]
    expected = stored(results, "scores").filter(pl.col("year") == 2026, pl.col("municipality_id") == "mun-C")
    assert set(expected["indicator"]) == {"vpr_base", "vpr_fail", "shnor_schools_share"}  # olymp: too few results
    for row in expected.iter_rows(named=True):
        ind = CATALOG[row["indicator"]]
        got = cells(row_of(part, ind.name))
        assert got == [row["system"], ind.name, marks.fmt(row["value"], ind), marks.fmt_change(row["change"], ind),
                       score(row["level_score"]), score(row["dynamics_score"]), score(row["score"])]
    assert CATALOG["olymp_participants"].name not in part and CATALOG["grads9_spo"].name not in part


def test_a_coordinator_sees_only_their_own_row_rank_and_breakdown(client, world, results):
    page(client, world, "analyst")  # a kept full table must not reach the coordinator
    html = page(client, world, "coordinator_b")
    total = stored(results, "ratings").filter(pl.col("year") == 2026, pl.col("system") == "total")
    own = total.filter(pl.col("municipality_id") == "mun-B").row(0, named=True)
    table = table_of(html)
    assert cells(row_of(table, "Сельский район Б"))[:3] == [f"{own['rank']} из 3", "Сельский район Б",
                                                            score(own["score"])]
    assert table.count("<tr") == 2  # the header and the own row
    for other in ("Городской округ А", "Посёлок В"):
        assert other not in html
    for row in total.filter(pl.col("municipality_id") != "mun-B").iter_rows(named=True):
        assert f"<strong>{score(row['score'])}</strong>" not in table
    assert CATALOG["vpr_base"].name in html[html.index('id="breakdown"'):]  # own breakdown by default
    client.force_login(world.users["coordinator_b"])
    url = reverse("ratings", kwargs={"code": REGION})
    assert client.get(url + "?municipality=mun-A").status_code == 404
    assert client.get(url + "?municipality=mun-C").status_code == 404


@pytest.mark.parametrize("persona", ["operator_a1", "no_role"])
def test_a_school_or_a_user_without_a_role_gets_no_rating(client, world, results, persona):
    client.force_login(world.users[persona])
    for url in (reverse("ratings", kwargs={"code": REGION}), reverse("ratings-home"),
                reverse("ratings-export", kwargs={"code": REGION, "fmt": "csv"})):
        response = client.get(url)
        assert response.status_code == 404
        assert "Городской округ А" not in response.content.decode()


def test_the_navigation_and_the_region_page_link_to_the_rating(client, world, results):
    html = page(client, world, "analyst")
    assert f'href="{reverse("ratings-home")}"' in html
    client.force_login(world.users["analyst"])
    region = client.get(reverse("region", kwargs={"code": REGION})).content.decode()
    assert f'href="{reverse("ratings", kwargs={"code": REGION})}"' in region
    response = client.get(reverse("ratings-home"))
    assert response.status_code == 302 and response["Location"] == reverse("ratings", kwargs={"code": REGION})
    client.force_login(world.users["coordinator_a"])
    assert client.get(reverse("ratings-home"))["Location"] == reverse("ratings", kwargs={"code": REGION})
    client.force_login(world.users["operator_a1"])
    assert f'href="{reverse("ratings-home")}"' not in client.get(reverse("home")).content.decode()


def test_without_a_stored_run_the_page_says_so(client, world, tmp_path, settings):
    dashboard_data.install(tmp_path, settings)
    html = page(client, world, "analyst")
    assert "Рейтинг ещё не рассчитан: выполните msoko compute" in html
    assert '<table class="data rating">' not in html
    client.force_login(world.users["analyst"])
    response = client.get(reverse("ratings-export", kwargs={"code": REGION, "fmt": "csv"}))
    assert response.status_code == 200 and len(_csv(response.content)) == 1  # the header alone


def test_a_new_ratings_run_is_shown_at_the_next_request(client, world, results):
    before = page(client, world, "analyst", "?system=1.2")
    changed = {**VALUES, ("mun-C", "shnor_schools_share"): {2026: (0.6, None, False)}}  # now the worst
    store_ratings(results, changed)
    after = page(client, world, "analyst", "?system=1.2")
    assert before != after
    assert cells(row_of(table_of(after), "Посёлок В"))[:3] == ["3 из 3", "Посёлок В", "0,0"]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_export_holds_the_stored_table_within_the_scope_and_defuses_formulas(client, world, results):
    muni = world.municipalities["C"]
    muni.name = '=HYPERLINK("http://evil";"x")'
    muni.save()
    total = stored(results, "ratings").filter(pl.col("year") == 2026, pl.col("system") == "total")
    expected = {r["municipality_id"]: r for r in total.iter_rows(named=True)}
    client.force_login(world.users["analyst"])
    url = reverse("ratings-export", kwargs={"code": REGION, "fmt": "csv"}) + "?year=2026"
    rows = _csv(client.get(url).content)
    assert rows[0][:8] == ["Учебный год", "Система", "Место", "Из", "Код муниципалитета", "Муниципалитет", "Оценка",
                           "Показателей"]
    by_code = {row[4]: row for row in rows[1:]}
    assert set(by_code) == set(expected)
    for code, row in by_code.items():
        assert int(row[2]) == expected[code]["rank"] and float(row[6]) == pytest.approx(expected[code]["score"])
    assert by_code["mun-C"][5] == "'" + muni.name
    sheet = load_workbook(io.BytesIO(client.get(url.replace("export.csv", "export.xlsx")).content)).active
    cells_ = {row[4].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells_["mun-C"][5].value == "'" + muni.name and cells_["mun-C"][5].data_type == "s"
    assert cells_["mun-C"][6].value == pytest.approx(expected["mun-C"]["score"]) and cells_["mun-C"][6].data_type == "n"
    client.force_login(world.users["coordinator_a"])
    assert {row[4] for row in _csv(client.get(url).content)[1:]} == {"mun-A"}


def test_a_superuser_sees_the_full_table(client, world, results):
    admin = world.users["no_role"]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(reverse("ratings-home"))["Location"] == reverse("ratings", kwargs={"code": REGION})
    table = table_of(page(client, world, "no_role"))
    assert all(m.name in table for m in world.municipalities.values())

"""The organisation page's ВПР blocks show the stored distributions: the histogram with the year's boundaries
and the region for reference, Б/П completion against the municipality and the region, «недостаточно данных»
for a small group — and read only the organisation's, its municipality's and its region's rows."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from msoko.engine import distributions
from msoko.web.dashboards import vpr
from tests.web import dashboard_data

URL = "organisation"


@pytest.fixture
def results(tmp_path, settings):
    return dashboard_data.install(tmp_path, settings)


@pytest.fixture
def stored(results, tmp_path):
    return distributions.StoredDistributions.open(tmp_path)


def page(client, world, persona="operator_a1", code="edu100001", query="?year=2026"):
    client.force_login(world.users[persona])
    response = client.get(reverse(URL, kwargs={"code": code}) + query)
    assert response.status_code == 200
    return response.content.decode()


def spec(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="spec-{chart_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


def block(html: str, subject: str) -> str:
    start = html.index(f"{subject}, 4 класс —")
    end = html.find('<section class="vpr-group"', start)
    return html[start:end if end > 0 else len(html)]


def rows(table, **where) -> list[dict]:
    return [r for r in table.to_pylist() if all(r[k] == v for k, v in where.items())]


def test_the_histogram_draws_the_stored_counts_and_shares_and_the_regions_shares(client, world, stored):
    html = page(client, world)
    chart = spec(html, "vpr-hist-0")
    own = {r["score"]: r for r in rows(stored.read("scores", 2026, ["edu100001"]), subject="Математика")}
    bars = {b["score"]: b for b in chart["datasets"]["bars"]}
    assert {s: b["count"] for s, b in bars.items() if b["count"]} == {s: r["count"] for s, r in own.items()}
    assert set(bars) == set(range(0, 21))  # every score up to the maximum, empty ones drawn as zero
    assert [bars[s]["share"] for s in own] == pytest.approx([r["share"] * 100 for r in own.values()])
    region = {r["score"]: r["share"] for r in rows(stored.read("scores", 2026, ["77"]), subject="Математика")}
    drawn = {p["score"]: p["share"] for p in chart["datasets"]["region"] if p["share"]}
    assert drawn == pytest.approx({s: v * 100 for s, v in region.items()})


def test_the_years_boundaries_are_drawn_between_scores_and_labelled(client, world, stored):
    html = page(client, world)
    [group] = rows(stored.read("groups", 2026, ["edu100001"]), subject="Математика")
    bounds = spec(html, "vpr-hist-0")["datasets"]["bounds"]
    assert [b["x"] for b in bounds] == [group["bound_3"] - 0.5, group["bound_4"] - 0.5, group["bound_5"] - 0.5]
    assert [b["caption"] for b in bounds] == ["«3» с 6", "«4» с 10", "«5» с 14"]
    text = block(html, "Математика")
    assert "«3» — с 6, «4» — с 10, «5» — с 14 первичных баллов из 20" in text


def test_the_histograms_table_view_has_the_same_figures(client, world, stored):
    html = page(client, world)
    text = block(html, "Математика")
    table = text[text.index("Таблица к диаграмме «Первичные баллы"):]
    # score 8: mark «3», 10 pupils, 20,0 % of the school, 30 of 150 in the municipality, none in the region
    assert "<td>8</td><td>«3»</td><td>10</td><td>20,0 %</td><td>20,0 %</td><td>0,0 %</td>" in table.replace("\n", "")
    assert "<td>11</td><td>«4»</td><td>0</td><td>0,0 %</td><td>0,0 %</td><td>20,0 %</td>" in table.replace("\n", "")


def test_basic_and_advanced_completion_is_shown_against_the_municipality_and_the_region(client, world, stored):
    html = page(client, world)
    text = block(html, "Математика")
    groups = {r["level"]: r for r in rows(stored.read("groups", 2026, ["edu100001", "mun-A", "77"]),
                                          subject="Математика")}
    levels = text[text.index('class="data levels"'):text.index("</table>", text.index('class="data levels"'))]
    basic = levels[levels.index("Базовый уровень (Б)"):levels.index("Повышенный уровень (П)")]
    advanced = levels[levels.index("Повышенный уровень (П)"):]
    for row, code in ((basic, "b"), (advanced, "p")):
        for level in ("organisation", "municipality", "region"):
            assert vpr.pct(groups[level][f"{code}_completion"]) in row
    # the school: Б 100 of 150 = 66,7 % vs region 1700 / 3000 = 56,7 %; П 30 / 150 = 20,0 % vs 30,0 %
    # judged over the 50 pupils (a pupil's share of points lies in [0, 1], so Wilson over the pupils is a
    # conservative interval): both differences lie inside it — told, «на уровне региона», never coloured
    assert "66,7 %" in basic and "56,7 %" in basic and "+10,0 п.п." in basic and "на уровне региона" in basic
    assert "20,0 %" in advanced and "30,0 %" in advanced and "−10,0 п.п." in advanced and "на уровне региона" in advanced
    assert "хуже региона" not in levels and "лучше региона" not in levels
    assert "100 из 150" in basic


def test_a_completion_far_from_the_region_over_many_pupils_is_judged():
    from msoko.web.dashboards import marks

    many, few = vpr._by_pupils(0.667, 400), vpr._by_pupils(0.667, 50)
    assert marks.versus(many, 0.567, vpr.SHARE, "региона").text == "лучше региона"
    assert marks.versus(few, 0.567, vpr.SHARE, "региона").text == "на уровне региона"
    assert marks.versus(vpr._by_pupils(0.2, 400), 0.3, vpr.SHARE, "региона").text == "хуже региона"


def test_each_task_is_drawn_with_its_level_against_the_region(client, world, stored):
    html = page(client, world)
    chart = spec(html, "vpr-tasks-0")
    own = {r["task"]: r for r in rows(stored.read("tasks", 2026, ["edu100001"]))}
    region = {r["task"]: r for r in rows(stored.read("tasks", 2026, ["77"]))}
    drawn = {p["name"]: p for p in chart["datasets"]["tasks"]}
    assert list(drawn) == ["1 Б", "2 Б", "3 П"]
    for task, row in own.items():
        point = drawn[f"{task} {row['task_level']}"]
        assert point["own"] == pytest.approx(row["completion"] * 100)
        assert point["region"] == pytest.approx(region[task]["completion"] * 100)


def test_a_small_group_gets_no_histogram_and_says_so(client, world, results):
    html = page(client, world)
    text = block(html, "Русский язык")
    assert "8 участников" in text and "малая группа" in text
    assert "Недостаточно данных для гистограммы: 8 участников, нужно не меньше 10." in text
    assert "Первичные баллы: Русский язык" not in html
    assert "50,0 %" in text  # its Б completion is still shown, marked as a small group above


def test_the_subject_filter_keeps_one_subjects_blocks(client, world, results):
    html = page(client, world, query="?year=2026&subject=Математика&grade=4")
    assert "Математика, 4 класс —" in html and "Русский язык, 4 класс —" not in html


def test_the_page_reads_only_the_organisations_municipalitys_and_regions_rows(client, world, results, monkeypatch):
    asked = []
    original = distributions.StoredDistributions.read
    monkeypatch.setattr(distributions.StoredDistributions, "read",
                        lambda self, name, year, ids, *a, **k: asked.append((name, year, tuple(ids)))
                        or original(self, name, year, ids, *a, **k))
    page(client, world)
    assert sorted(asked) == [(name, 2026, ("edu100001", "mun-A", "77")) for name in ("groups", "scores", "tasks")]


def test_a_school_without_distributions_and_a_workspace_without_a_run_say_so(client, world, results, tmp_path):
    html = page(client, world, persona="coordinator_a", code="edu100002")
    assert "Распределений первичных баллов ВПР за этот год нет." in html
    for path in sorted(distributions.root(tmp_path).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    html = page(client, world)
    assert "ещё не рассчитаны" in html and "msoko compute" in html
    assert "Первичные баллы:" not in html

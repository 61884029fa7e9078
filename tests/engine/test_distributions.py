"""ВПР distributions on a hand-made region: histogram counts, the year's boundaries, Б/П completion as sums
of points over sums of maxima, small groups, and the store (pointer per year, atomic, old runs removed)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.core import atomic
from msoko.engine import distributions
from msoko.engine.detection import data as detection_data
from msoko.engine.warehouse import Warehouse

sys.path.insert(0, str(Path(__file__).parents[2]))  # tests/engine is no package: reach detection's builders
from tests.detection.builders import org, pupils, write_workspace  # noqa: E402

SUBJECT, GRADE = "Математика", 4
# school → (municipality, primary scores); marks are irrelevant to the histogram
SCHOOLS = {
    "a": ("M1", [2, 5, 6, 6, 6, 9, 10, 10, 13, 14, 14, 20]),
    "b": ("M1", [0, 3, 5, 5, 7, 8, 11, 12, 15, 16]),
    "c": ("M2", [4, 6, 6, 10, 10, 10, 11, 12, 14, 18, 19]),
    "tiny": ("M2", [5, 6, 14]),  # under the minimum group of 10
}
# task → (level, max score); the maxima differ, so an average of shares would not equal Σscore / Σmax
TASKS = {"1.1": ("Б", 1), "1.2": ("Б", 1), "2": ("Б", 2), "10": ("П", 3), "9": ("П", 1)}


def task_rows(org_id: str, year: int, n: int, seed: int) -> list[dict]:
    rows = []
    for i in range(n):
        for k, (task, (level, top)) in enumerate(TASKS.items()):
            score = top if (i * 3 + k + seed) % (seed + 2) == 0 else (i + k) % top  # schools differ
            rows.append({"year": year, "org_id": org_id, "participant": f"{org_id}-{year}-{i}", "subject": SUBJECT,
                         "grade": GRADE, "task": task, "score": score, "max_score": top, "level": level})
    rows.append({"year": year, "org_id": org_id, "participant": f"{org_id}-{year}-x", "subject": SUBJECT,
                 "grade": GRADE, "task": "1.1", "score": None, "max_score": 1, "level": "Б"})  # not written
    return rows


def region(tmp_path, years=(2025, 2026, 2030)):
    orgs = [org(o, municipality_id=m) for o, (m, _) in SCHOOLS.items()]
    vpr, tasks = [], []
    for year in years:
        for seed, (o, (_, scores)) in enumerate(SCHOOLS.items()):
            vpr += pupils(o, year, SUBJECT, GRADE, scores, [3] * len(scores))
            tasks += task_rows(o, year, len(scores), seed)
    vpr += pupils("nowhere", 2026, SUBJECT, GRADE, [1, 2, 3], [2, 2, 2])  # not in the registry: not counted
    # the region's own scale for 2025 (max 18); 2026 takes the shipped reference; 2030 has none
    scales = [{"year": 2025, "procedure": "ВПР", "subject": SUBJECT, "grade": GRADE, "mark_or_level": str(m),
               "min_score": lo, "max_score": hi, "score_kind": "primary", "source": "test"}
              for m, lo, hi in ((2, 0, 6), (3, 7, 10), (4, 11, 14), (5, 15, 18))]
    return write_workspace(tmp_path / "ws", organisations=orgs, vpr=vpr, vpr_tasks=tasks, scales=scales)


@pytest.fixture
def ws(tmp_path):
    return region(tmp_path)


@pytest.fixture
def tables(ws):
    return {name: pl.from_arrow(t) for name, t in distributions.compute(Warehouse(ws.warehouse)).items()}


def histogram(scores_table: pl.DataFrame, level: str, id_: str, year: int) -> dict[int, int]:
    df = scores_table.filter(level=level, id=id_, year=year)
    return dict(zip(df["score"].to_list(), df["count"].to_list(), strict=True))


def group(groups: pl.DataFrame, level: str, id_: str, year: int) -> dict:
    return groups.filter(level=level, id=id_, year=year).row(0, named=True)


def test_the_histogram_counts_each_primary_score_at_each_level(tables):
    scores = tables["scores"]
    assert histogram(scores, "organisation", "a", 2026) == dict(Counter(SCHOOLS["a"][1]))
    assert histogram(scores, "municipality", "M1", 2026) == dict(Counter(SCHOOLS["a"][1] + SCHOOLS["b"][1]))
    everyone = [s for _, ss in SCHOOLS.values() for s in ss]  # the small school counts in the region
    assert histogram(scores, "region", "R1", 2026) == dict(Counter(everyone))
    reg = scores.filter(level="region", id="R1", year=2026)
    assert reg["share"].to_list() == pytest.approx([c / len(everyone) for c in reg["count"].to_list()])
    assert group(tables["groups"], "region", "R1", 2026)["participants"] == len(everyone)


def test_the_boundaries_are_the_years_own(tables):
    groups = tables["groups"]
    own = group(groups, "organisation", "a", 2025)  # the region's imported scale
    assert (own["bound_3"], own["bound_4"], own["bound_5"], own["max_score"], own["bounds_source"]) == (7, 11, 15, 18,
                                                                                                        "scales")
    shipped = group(groups, "organisation", "a", 2026)  # msoko.engine.reference
    from msoko.engine.reference import mark_boundaries, max_primary

    assert (shipped["bound_3"], shipped["bound_4"], shipped["bound_5"]) == mark_boundaries("ВПР", 2026, SUBJECT, GRADE)
    assert shipped["max_score"] == max_primary("ВПР", 2026, SUBJECT, GRADE)
    assert shipped["bounds_source"] == "scales"
    assert group(groups, "region", "R1", 2030)["bounds_source"] == "data"  # no scale: read off the results


def test_a_group_under_the_minimum_gets_no_histogram_but_its_count(tables):
    tiny = group(tables["groups"], "organisation", "tiny", 2026)
    assert tiny["participants"] == 3 and tiny["under_min_group"] is True
    assert histogram(tables["scores"], "organisation", "tiny", 2026) == {}
    assert group(tables["groups"], "organisation", "a", 2026)["under_min_group"] is False


def expected_levels(schools: list[str], year: int) -> dict[str, tuple[float, float]]:
    ws_rows = [r for seed, o in enumerate(SCHOOLS) if o in schools
               for r in task_rows(o, year, len(SCHOOLS[o][1]), seed) if r["score"] is not None]
    return {lv: (sum(r["score"] for r in ws_rows if r["level"] == lv), sum(r["max_score"] for r in ws_rows if r["level"] == lv))
            for lv in ("Б", "П")}


def test_basic_and_advanced_completion_sums_points_and_maxima(tables):
    groups = tables["groups"]
    for level, id_, schools in (("organisation", "a", ["a"]), ("municipality", "M2", ["c", "tiny"]),
                                ("region", "R1", list(SCHOOLS))):
        row = group(groups, level, id_, 2026)
        want = expected_levels(schools, 2026)
        assert (row["b_score"], row["b_max"]) == want["Б"]
        assert (row["p_score"], row["p_max"]) == want["П"]
        assert row["b_completion"] == pytest.approx(want["Б"][0] / want["Б"][1])
        assert row["p_completion"] == pytest.approx(want["П"][0] / want["П"][1])
    # the region's share is Σ/Σ, not the mean of its schools' shares
    region_b = group(groups, "region", "R1", 2026)["b_completion"]
    schools_b = [group(groups, "organisation", o, 2026)["b_completion"] for o in SCHOOLS]
    assert region_b != pytest.approx(sum(schools_b) / len(schools_b))


def test_each_task_carries_its_level_its_sums_and_a_natural_order(tables):
    tasks = tables["tasks"].filter(level="organisation", id="b", year=2026).sort("task_order")
    assert tasks["task"].to_list() == ["1.1", "1.2", "2", "9", "10"]
    assert tasks["task_level"].to_list() == ["Б", "Б", "Б", "П", "П"]
    rows = [r for r in task_rows("b", 2026, len(SCHOOLS["b"][1]), 1) if r["task"] == "10"]
    ten = tasks.filter(task="10").row(0, named=True)
    assert (ten["score"], ten["max_points"], ten["participants"]) == (sum(r["score"] for r in rows),
                                                                      sum(r["max_score"] for r in rows), len(rows))
    region_task = tables["tasks"].filter(level="region", id="R1", year=2026, task="10").row(0, named=True)
    assert region_task["completion"] == pytest.approx(region_task["score"] / region_task["max_points"])


def test_the_basic_and_advanced_sums_equal_what_detection_judges(ws, tables):
    con = detection_data.connect(Warehouse(ws.warehouse))
    try:
        judged = detection_data.build(con, 2, 2)["vpr"]
    finally:
        con.close()
    for row in judged.filter(pl.col("org_id").is_in(list(SCHOOLS))).iter_rows(named=True):
        mine = group(tables["groups"], "organisation", row["org_id"], row["year"])
        assert (mine["b_score"], mine["b_max"], mine["p_score"], mine["p_max"]) == (
            row["b_score"], row["b_max"], row["p_score"], row["p_max"])


def test_organisations_outside_the_registry_are_not_counted(tables):
    assert tables["groups"].filter(id="nowhere").is_empty()


# ---- the store -------------------------------------------------------------------------------------

def pointer(ws) -> dict:
    return json.loads((distributions.root(ws.results) / distributions.POINTER).read_text(encoding="utf-8"))


def test_a_stored_run_is_read_back_for_the_asked_entities_only(ws):
    summary = distributions.run(Warehouse(ws.warehouse), ws.results)
    assert summary["years"] == [2025, 2026, 2030]
    stored = distributions.StoredDistributions.open(ws.results)
    assert stored.years() == [2025, 2026, 2030] and stored.min_group == distributions.MIN_GROUP
    scores = pl.from_arrow(stored.read("scores", 2026, ["a", "R1"]))
    assert set(scores["id"].to_list()) == {"a", "R1"}
    assert histogram(scores.with_columns(pl.lit(2026).alias("year")), "organisation", "a", 2026) == dict(
        Counter(SCHOOLS["a"][1]))
    one = stored.read("groups", 2026, ["a", "b"], subject=SUBJECT, grade=GRADE)
    assert sorted(one["id"].to_pylist()) == ["a", "b"]
    assert stored.read("groups", 2026, ["a"], subject="Русский язык").num_rows == 0
    assert stored.read("tasks", 1999, ["a"]).num_rows == 0


def test_a_run_for_one_year_keeps_the_other_years_and_old_runs_are_removed(ws):
    wh = Warehouse(ws.warehouse)
    first = distributions.run(wh, ws.results)["run"]
    second = distributions.run(wh, ws.results, years=[2026])["run"]
    years = pointer(ws)["years"]
    assert years == {"2025": first, "2026": second, "2030": first}
    third = distributions.run(wh, ws.results)["run"]
    assert set(pointer(ws)["years"].values()) == {third}
    fourth = distributions.run(wh, ws.results)["run"]
    kept = {p.name for p in distributions.root(ws.results).iterdir() if p.is_dir()}
    assert kept == {third, fourth}  # the pointer just replaced stays readable; older runs go


def test_a_failed_write_leaves_the_stored_run_as_it_was(ws, monkeypatch):
    wh = Warehouse(ws.warehouse)
    distributions.run(wh, ws.results)
    before = pointer(ws)

    def broken(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken)  # the run's folder is written, its rename fails
    with pytest.raises(OSError):
        distributions.run(wh, ws.results, years=[2026])
    assert pointer(ws) == before
    assert not [p for p in distributions.root(ws.results).iterdir() if p.name.startswith(".")]


def test_msoko_compute_shows_the_step_and_stores_the_distributions(ws):
    result = CliRunner().invoke(app, ["compute", "--home", str(ws.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Распределения баллов ВПР, задания Б/П" in result.output
    stored = distributions.StoredDistributions.open(ws.results)
    assert stored is not None and stored.years() == [2025, 2026, 2030]

"""Municipal ratings (motivating monitoring, Р-293): scores worked out by hand, storage, `msoko export ratings`."""

from __future__ import annotations

import csv
import io
import json
import uuid

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.core.workspace import Workspace
from msoko.engine import ratings
from msoko.engine.catalog import default_catalog
from msoko.engine.ratings import RatingsConfig, indicator_scores, rate
from msoko.engine.results import VALUE_SCHEMA, ResultStore
from msoko.engine.schemas import ORGANISATIONS
from msoko.engine.warehouse import Warehouse

CATALOG = default_catalog()
REGIONS = {"M1": "R1", "M2": "R1", "M3": "R1", "M9": "R2"}

# year 2024; vpr_base and vpr_fail are system 1.1 (higher / lower is better), shnor_schools_share is 1.2
# (lower is better), vpr_raised is neutral (never scored). M9 is alone in region R2.
VALUES_2024 = [  # id, indicator, value, under_min_group
    ("M1", "vpr_base", 0.9, False), ("M2", "vpr_base", 0.6, False), ("M3", "vpr_base", 0.3, False),
    ("M1", "vpr_fail", 0.3, False), ("M2", "vpr_fail", 0.1, False), ("M3", "vpr_fail", 0.2, False),
    ("M1", "shnor_schools_share", 0.2, False), ("M2", "shnor_schools_share", 0.2, False),
    ("M3", "shnor_schools_share", 0.0, True),  # best value, but on too few schools: not scored
    ("M1", "vpr_raised", 0.5, False),
    ("M9", "vpr_base", 0.1, False),
]


def frame(rows, year=2024, change=None) -> pl.DataFrame:
    return pl.DataFrame([(i, year, code, v, (change or {}).get((i, code)), small) for i, code, v, small in rows],
                        schema={"id": pl.Utf8, "year": pl.Int64, "indicator": pl.Utf8, "value": pl.Float64,
                                "change": pl.Float64, "under_min_group": pl.Boolean}, orient="row")


def by_key(df: pl.DataFrame, *key: str, value: str = "score") -> dict:
    return {tuple(r[k] for k in key) if len(key) > 1 else r[key[0]]: r[value] for r in df.iter_rows(named=True)}


def test_indicator_scores_best_100_worst_0_linear_lower_is_better_reversed():
    scores = indicator_scores(frame(VALUES_2024), CATALOG, REGIONS, RatingsConfig())
    got = by_key(scores, "municipality_id", "indicator")
    assert got[("M1", "vpr_base")] == pytest.approx(100)
    assert got[("M2", "vpr_base")] == pytest.approx(50)  # (0.6 − 0.3) / (0.9 − 0.3)
    assert got[("M3", "vpr_base")] == pytest.approx(0)
    assert got[("M2", "vpr_fail")] == pytest.approx(100)  # lowest share of «2» is the best
    assert got[("M3", "vpr_fail")] == pytest.approx(50)
    assert got[("M1", "vpr_fail")] == pytest.approx(0)
    assert got[("M1", "shnor_schools_share")] == got[("M2", "shnor_schools_share")] == 100  # all equal → 100
    assert ("M3", "shnor_schools_share") not in got  # under its minimum group
    assert not any(code == "vpr_raised" for _, code in got)  # neutral
    assert got[("M9", "vpr_base")] == 100  # alone in its region


def test_system_and_total_scores_ranks_ties_and_indicator_counts():
    out = rate(indicator_scores(frame(VALUES_2024), CATALOG, REGIONS, RatingsConfig()), RatingsConfig())
    rows = {(r["municipality_id"], r["system"]): (r["score"], r["rank"], r["indicators"], r["peers"])
            for r in out.iter_rows(named=True)}
    # 1.1: M1 (100 + 0) / 2, M2 (50 + 100) / 2, M3 (0 + 50) / 2
    assert rows[("M2", "1.1")] == (75.0, 1, 2, 3)
    assert rows[("M1", "1.1")] == (50.0, 2, 2, 3)
    assert rows[("M3", "1.1")] == (25.0, 3, 2, 3)
    # 1.2: M1 and M2 tie at 100 and share rank 1; M3 has no score there
    assert rows[("M1", "1.2")] == (100.0, 1, 1, 2)
    assert rows[("M2", "1.2")] == (100.0, 1, 1, 2)
    assert ("M3", "1.2") not in rows
    # total = mean of the system scores the municipality has
    assert rows[("M2", "total")] == (87.5, 1, 3, 3)
    assert rows[("M1", "total")] == (75.0, 2, 3, 3)
    assert rows[("M3", "total")] == (25.0, 3, 2, 3)
    assert rows[("M9", "total")] == (100.0, 1, 1, 1)  # ranked within its own region


def test_ties_in_the_total_share_the_smallest_rank():
    rows = [("M1", "vpr_base", 0.9, False), ("M2", "vpr_base", 0.9, False), ("M3", "vpr_base", 0.5, False)]
    out = rate(indicator_scores(frame(rows), CATALOG, REGIONS, RatingsConfig()), RatingsConfig())
    total = by_key(out.filter(pl.col("system") == "total"), "municipality_id", value="rank")
    assert total == {"M1": 1, "M2": 1, "M3": 3}


def test_configured_minimum_of_indicators_and_system_weights():
    scores = indicator_scores(frame(VALUES_2024), CATALOG, REGIONS, RatingsConfig())
    strict = rate(scores, RatingsConfig(min_indicators=2))
    assert set(strict["system"].to_list()) == {"1.1", "total"}  # 1.2 rests on one indicator only
    assert by_key(strict.filter(pl.col("system") == "total"), "municipality_id")["M1"] == 50.0
    weighted = rate(scores, RatingsConfig(system_weights={"1.2": 3}))
    # M1: (50 · 1 + 100 · 3) / 4; M3 has only 1.1
    total = by_key(weighted.filter(pl.col("system") == "total"), "municipality_id")
    assert total["M1"] == 87.5 and total["M3"] == 25.0
    assert rate(scores, RatingsConfig(min_systems=2)).filter(
        pl.col("system") == "total")["municipality_id"].to_list() == ["M2", "M1"]


def test_dynamics_scores_the_change_the_same_way_where_last_year_counted():
    base_2024 = [("M1", "vpr_base", 0.9, False), ("M2", "vpr_base", 0.6, False), ("M3", "vpr_base", 0.3, False)]
    base_2025 = [("M1", "vpr_base", 0.9, False), ("M2", "vpr_base", 0.8, False), ("M3", "vpr_base", 0.4, False)]
    change = {("M1", "vpr_base"): 0.0, ("M2", "vpr_base"): 0.2, ("M3", "vpr_base"): 0.1}
    values = pl.concat([frame(base_2024), frame(base_2025, 2025, change)])
    scores = indicator_scores(values, CATALOG, REGIONS, RatingsConfig()).filter(pl.col("year") == 2025)
    level = by_key(scores, "municipality_id", value="level_score")
    dyn = by_key(scores, "municipality_id", value="dynamics_score")
    assert level == pytest.approx({"M1": 100, "M2": 80, "M3": 0})  # (0.8 − 0.4) / (0.9 − 0.4)
    assert dyn == pytest.approx({"M1": 0, "M2": 100, "M3": 50})
    assert by_key(scores, "municipality_id") == pytest.approx({"M1": 50, "M2": 90, "M3": 25})  # half and half

    # M3's 2024 value was under its minimum group: no dynamics for it, the others' changes are scaled alone
    values = pl.concat([frame(base_2024[:2] + [("M3", "vpr_base", 0.3, True)]), frame(base_2025, 2025, change)])
    scores = indicator_scores(values, CATALOG, REGIONS, RatingsConfig()).filter(pl.col("year") == 2025)
    assert by_key(scores, "municipality_id", value="dynamics_score") == pytest.approx({"M1": 0, "M2": 100, "M3": None})
    assert by_key(scores, "municipality_id") == pytest.approx({"M1": 50, "M2": 90, "M3": 0})

    only_level = indicator_scores(values, CATALOG, REGIONS, RatingsConfig(dynamics_weight=0))
    assert by_key(only_level.filter(pl.col("year") == 2025), "municipality_id") == pytest.approx(
        {"M1": 100, "M2": 80, "M3": 0})


def test_a_programme_restricts_the_rating_to_its_indicators():
    scores = indicator_scores(frame(VALUES_2024), CATALOG, REGIONS, RatingsConfig(programme="shnor"))
    assert set(scores["indicator"].to_list()) == {"shnor_schools_share"}


def test_a_broken_ratings_yaml_gives_located_russian_issues(tmp_path):
    (tmp_path / "ratings.yaml").write_text("dynamics_weight: 2\nmin_indicators: 0\nsystem_weights: {'1.1': -1}\n"
                                           "weight: 1\n", encoding="utf-8")
    config, issues = ratings.load_config(tmp_path)
    assert config is None
    text = {i.column: i.message for i in issues}
    assert text["dynamics_weight"] == "недопустимое значение «dynamics_weight»: должно быть не больше 1"
    assert text["min_indicators"].endswith("должно быть не меньше 1")
    assert "system_weights.1.1" in text
    assert text["weight"] == "неизвестный параметр «weight»"
    assert all(i.file == "ratings.yaml" for i in issues)


def test_a_ratings_yaml_not_in_utf8_gives_a_located_russian_issue_not_a_crash(tmp_path):
    (tmp_path / "ratings.yaml").write_bytes("dynamics_weight: 0.3\n# веса систем\n".encode("cp1251"))
    config, [issue] = ratings.load_config(tmp_path)
    assert config is None
    assert (issue.file, issue.row, issue.message) == (
        "ratings.yaml", 2, "файл настроек не в кодировке UTF-8: сохраните его в UTF-8")


# ---- stored runs and the command line ------------------------------------------------------------------
def workspace_with_values(tmp_path, rows=VALUES_2024, regions=REGIONS) -> Workspace:
    """A workspace whose registry places the municipalities in regions and whose result store holds `rows`
    as municipality-level values (written through ResultStore, as `msoko compute` would)."""
    ws = Workspace(tmp_path / "home").ensure()
    wh = Warehouse(ws.warehouse)
    version = uuid.uuid4().hex
    folder = wh.version_dir("organisations", version)
    folder.mkdir(parents=True)
    orgs = [{"org_id": f"o-{m}", "name": m, "kind": "school", "municipality_id": m, "municipality_name": m,
             "region_id": r, "region_name": r} for m, r in regions.items()]
    pq.write_table(pa.Table.from_pylist(orgs, schema=ORGANISATIONS), folder / "part-0.parquet")
    wh.write_manifest({"datasets": {"organisations": {"all": version}}})
    table = pa.Table.from_pylist([{"level": "municipality", "id": i, "year": 2024, "indicator": code, "value": v,
                                   "group_size": 5 if small else 50, "under_min_group": small}
                                  for i, code, v, small in rows], schema=VALUE_SCHEMA)
    store = ResultStore(ws.results)
    store.write_run(table, CATALOG, store.resolve_versions(CATALOG))
    return ws


def test_a_run_reads_the_stored_values_and_records_the_indicator_runs(tmp_path):
    ws = workspace_with_values(tmp_path)
    [indicator_run] = ResultStore(ws.results).manifest()["runs"]
    summary = ratings.run(ws.results, Warehouse(ws.warehouse), CATALOG, RatingsConfig(), indicator_run=indicator_run)
    assert (summary["municipalities"], summary["regions"], summary["years"]) == (4, 2, [2024])
    stored = ratings.Ratings.open(ws.results)
    assert stored.meta["indicator_run"] == indicator_run and stored.meta["indicator_runs"] == [indicator_run]
    assert stored.meta["config"]["dynamics_weight"] == 0.5
    total = stored.ratings(2024).filter(pl.col("system") == "total")
    assert by_key(total, "municipality_id") == {"M1": 75.0, "M2": 87.5, "M3": 25.0, "M9": 100.0}
    assert stored.scores(2024).height == 9
    pointer = json.loads((ratings.root(ws.results) / ratings.POINTER).read_text(encoding="utf-8"))
    assert pointer["run"] == summary["run"]


def test_only_the_current_run_and_the_one_before_it_are_kept(tmp_path):
    ws = workspace_with_values(tmp_path)
    runs = [ratings.run(ws.results, Warehouse(ws.warehouse), CATALOG, RatingsConfig())["run"] for _ in range(3)]
    kept = sorted(p.name for p in ratings.root(ws.results).iterdir() if p.is_dir())
    assert kept == sorted(runs[1:])


def export(home, *args):
    return CliRunner().invoke(app, ["export", "ratings", *[str(a) for a in args], "--home", str(home)])


def test_export_ratings_writes_the_documented_columns(tmp_path):
    ws = workspace_with_values(tmp_path)
    ratings.run(ws.results, Warehouse(ws.warehouse), CATALOG, RatingsConfig())
    out = tmp_path / "ratings.csv"
    result = export(ws.root, "--year", 2024, "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["year", "region_id", "municipality_id", "system", "score", "rank", "indicators"]
    assert ["2024", "R1", "M2", "total", "87.5", "1", "3"] in rows
    assert ["2024", "R1", "M1", "1.2", "100", "1", "1"] in rows and ["2024", "R1", "M2", "1.2", "100", "1", "1"] in rows
    assert ["2024", "R2", "M9", "total", "100", "1", "1"] in rows
    assert len(rows) == 1 + 3 + 2 + 3 + 2  # R1: 1.1, 1.2, total; R2: 1.1, total
    assert export(ws.root, "--year", 2030).stdout.splitlines() == [",".join(rows[0])]


def test_export_ratings_defuses_formulas_in_codes(tmp_path):
    ws = workspace_with_values(tmp_path, rows=[("=HYPERLINK(1)", "vpr_base", 0.5, False)],
                               regions={"=HYPERLINK(1)": "R1"})
    ratings.run(ws.results, Warehouse(ws.warehouse), CATALOG, RatingsConfig())
    result = export(ws.root)
    assert "'=HYPERLINK(1)" in result.stdout
    assert all(not line.split(",")[2].startswith("=") for line in result.stdout.splitlines())


def test_export_ratings_before_compute_asks_for_msoko_compute(tmp_path):
    result = export(tmp_path / "empty")
    assert result.exit_code == 1
    assert "msoko compute" in result.output


def test_msoko_compute_stores_ratings_tied_to_its_indicator_run(golden_workspace):
    home = golden_workspace.root
    result = CliRunner().invoke(app, ["compute", "--home", str(home)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Рейтинг муниципалитетов сохранён" in result.stdout
    stored = ratings.Ratings.open(golden_workspace.results)
    manifest = ResultStore(golden_workspace.results).manifest()
    assert stored.meta["indicator_run"] in manifest["runs"]
    assert set(stored.ratings()["system"].to_list()) >= {"total"}
    exported = export(home)
    assert exported.exit_code == 0
    assert {r["municipality_id"] for r in csv.DictReader(io.StringIO(exported.stdout))} == set(
        stored.ratings()["municipality_id"].to_list())


def test_a_broken_ratings_yaml_stops_compute_before_anything_is_written(golden_workspace):
    home = golden_workspace.root
    (home / "ratings.yaml").write_text("dynamics_weight: много\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["compute", "--home", str(home)])
    assert result.exit_code == 1
    assert "ratings.yaml" in result.stderr and "dynamics_weight" in result.stderr
    assert not ResultStore(golden_workspace.results).has_results()
    assert ratings.Ratings.open(golden_workspace.results) is None
    assert not (golden_workspace.results / "detection").exists()


def test_the_user_guide_documents_every_rule_and_its_example_loads(tmp_path):
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "user-guide.ru.md").read_text(encoding="utf-8")
    for name, *_ in ratings.rule_table():
        assert f"| `{name}` |" in guide, name
    section = guide.split("### Рейтинг муниципалитетов", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "ratings.yaml").write_text(example, encoding="utf-8")
    config, issues = ratings.load_config(tmp_path)
    assert issues == [] and config.weight("2.4") == 0 and config.programme == "motivating_monitoring"

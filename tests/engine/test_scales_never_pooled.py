"""Scales are never pooled (issue 14, item 6): a procedure is a key of every result indicator's rows, a mean
is never taken across different maximum scores (`max_score` of results_by_org), a change across a change of
scale is no change, `msoko export indicators --procedure`, and the municipal rating scores per procedure."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

import golden  # noqa: E402

from msoko.cli.main import app  # noqa: E402
from msoko.core.workspace import Workspace  # noqa: E402
from msoko.engine.pipeline import recompute  # noqa: E402
from msoko.engine.results import ResultStore  # noqa: E402
from msoko.engine.schemas import ORGANISATIONS  # noqa: E402
from msoko.engine.warehouse import Warehouse  # noqa: E402

BEL = "Български език и литература"
ORGS = [("s1", "m1"), ("s2", "m1"), ("s3", "m2")]
# year, org, procedure, grade, participants, mean, max_score — НВО-7 2018 was out of 65, later out of 100.
ROWS = [
    (2018, "s1", "НВО", 7, 40, 40.0, 65), (2018, "s2", "НВО", 7, 60, 30.0, 65), (2018, "s3", "НВО", 7, 50, 35.0, 65),
    (2019, "s1", "НВО", 7, 40, 60.0, 100), (2019, "s2", "НВО", 7, 60, 50.5, 100), (2019, "s3", "НВО", 7, 50, 55.0, 100),
    (2018, "s1", "НВО", 4, 30, 70.0, 100),
    (2019, "s1", "ДЗИ", 12, 20, 4.5, 6), (2019, "s3", "ДЗИ", 12, 10, 3.5, 6),
]


@pytest.fixture
def ws(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "home").ensure()
    wh, manifest = Warehouse(ws.warehouse), {"datasets": {}}
    golden._write(wh, manifest, "organisations", pa.Table.from_pylist(
        [{"org_id": o, "name": o, "kind": "school", "municipality_id": m, "municipality_name": m,
          "region_id": "r", "region_name": "r"} for o, m in ORGS], schema=ORGANISATIONS))
    golden._write(wh, manifest, "results_by_org", pa.table({
        "year": pa.array([r[0] for r in ROWS], pa.int16()), "org_id": [r[1] for r in ROWS],
        "procedure": [r[2] for r in ROWS], "subject": [BEL] * len(ROWS),
        "grade": pa.array([r[3] for r in ROWS], pa.int8()),
        "participants": pa.array([r[4] for r in ROWS], pa.int32()),
        "mean_score": pa.array([r[5] for r in ROWS], pa.float64()),
        "max_score": pa.array([r[6] for r in ROWS], pa.float64()),
    }))
    wh.write_manifest(manifest)
    return ws


def _values(ws, **filters):
    return ResultStore(ws.results).indicator_values(indicator="agg_mean_score", breakdowns=True, **filters).to_pylist()


def test_no_mean_pools_procedures_or_maxima_and_a_change_of_scale_is_no_change(ws):
    recompute(ws)
    rows = _values(ws)
    assert rows and all(r["procedure"] in ("НВО", "ДЗИ") for r in rows)
    pooled = {(r["level"], r["id"], r["year"], r["procedure"]): r for r in rows
              if r["subject"] is None and r["grade"] is None}
    # 2019: НВО is one scale (100) → a pooled row; ДЗИ (2–6 marks) is its own row, never mixed in.
    s1 = pooled[("organisation", "s1", 2019, "НВО")]
    assert s1["value"] == pytest.approx(60.0) and s1["denominator"] == 40
    assert pooled[("organisation", "s1", 2019, "ДЗИ")]["value"] == pytest.approx(4.5)
    total = pooled[("total", "total", 2019, "НВО")]
    assert total["value"] == pytest.approx((40 * 60 + 60 * 50.5 + 50 * 55) / 150)
    # 2018: s1's grade 4 (out of 100) and grade 7 (out of 65) are different scales → no pooled mean at all
    assert ("organisation", "s1", 2018, "НВО") not in pooled
    assert ("total", "total", 2018, "НВО") not in pooled
    assert pooled[("organisation", "s2", 2018, "НВО")]["value"] == pytest.approx(30.0)  # one scale: kept
    # the grade 7 rows exist per year, but 2019 over 2018 crosses 65 → 100: no change is reported
    grade7 = {(r["id"], r["year"]): r for r in rows if r["level"] == "organisation" and r["grade"] == 7
              and r["subject"] is None}
    assert grade7[("s1", 2018)]["value"] == pytest.approx(40.0)
    assert grade7[("s1", 2019)]["value"] == pytest.approx(60.0)
    assert all(grade7[(o, 2019)]["change"] is None for o in ("s1", "s2", "s3"))
    assert all(r["change"] is None for r in rows if r["year"] == 2019 and r["procedure"] == "НВО")


def test_a_change_on_the_same_scale_is_reported(ws):
    wh = Warehouse(ws.warehouse)
    manifest = wh.manifest()
    same = [(y, o, p, g, n, m, 100 if p == "НВО" else mx) for y, o, p, g, n, m, mx in ROWS]
    golden._write(wh, manifest, "results_by_org", pa.table({
        "year": pa.array([r[0] for r in same], pa.int16()), "org_id": [r[1] for r in same],
        "procedure": [r[2] for r in same], "subject": [BEL] * len(same),
        "grade": pa.array([r[3] for r in same], pa.int8()),
        "participants": pa.array([r[4] for r in same], pa.int32()),
        "mean_score": pa.array([r[5] for r in same], pa.float64()),
        "max_score": pa.array([r[6] for r in same], pa.float64())}))
    wh.write_manifest(manifest)
    recompute(ws)
    s2 = [r for r in _values(ws, level="organisation", year=2019)
          if r["id"] == "s2" and r["grade"] == 7 and r["subject"] is None]
    assert [r["change"] for r in s2] == [pytest.approx(20.5)]


def test_export_indicators_takes_procedure(ws):
    recompute(ws)
    runner = CliRunner()
    result = runner.invoke(app, ["export", "indicators", "--level", "organisation", "--indicator", "agg_mean_score",
                                 "--year", "2019", "--procedure", "ДЗИ", "--home", str(ws.root)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "procedure" in rows[0]
    assert {(r["id"], r["procedure"]) for r in rows} == {("s1", "ДЗИ"), ("s3", "ДЗИ")}
    assert {r["id"]: float(r["value"]) for r in rows} == {"s1": 4.5, "s3": 3.5}


def test_the_municipal_rating_scores_each_procedure_on_its_own(ws):
    from msoko.engine import ratings
    from msoko.engine.catalog import default_catalog

    recompute(ws)
    catalog = default_catalog()
    config, _ = ratings.load_config(ws.root)
    ratings.run(ws.results, Warehouse(ws.warehouse), catalog, config)
    scores = ratings.Ratings.open(ws.results).scores(2019).filter(
        ratings.pl.col("indicator") == "agg_mean_score")
    by = {(r["municipality_id"], r["procedure"]): r for r in scores.iter_rows(named=True)}
    # m1 (s1, s2) НВО 2019: (40·60 + 60·50.5) / 100 = 54.3; m2 (s3): 55 → m2 best on НВО. ДЗИ: m1 4.5 > m2 3.5.
    assert by[("m1", "НВО")]["value"] == pytest.approx(54.3)
    assert by[("m2", "НВО")]["level_score"] == 100 and by[("m1", "НВО")]["level_score"] == 0
    assert by[("m1", "ДЗИ")]["level_score"] == 100 and by[("m2", "ДЗИ")]["level_score"] == 0

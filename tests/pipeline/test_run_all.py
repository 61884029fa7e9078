"""`engine.pipeline.run_all`: the one recompute sequence and its summary, on the hand-checkable golden warehouse."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.core.issues import RejectedInput
from msoko.core.workspace import Workspace
from msoko.engine import ratings
from msoko.engine.detection.store import TABLES, DetectionResults
from msoko.engine.pipeline import STAGES, run_all
from msoko.engine.results import ResultStore

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))
import golden  # noqa: E402


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "home").ensure()
    golden.build(workspace.warehouse)
    return workspace


def test_the_summary_describes_what_was_stored(ws):
    seen: list[tuple[str, int, int]] = []
    summary = run_all(ws, progress=lambda stage, _name, done, total: seen.append((stage, done, total)))

    # stages ran in the documented order, each finishing (done == total) before the next began
    order = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert order == list(STAGES)
    for stage in STAGES:
        assert [(d, t) for s, d, t in seen if s == stage][-1] == (1, 1)
    assert set(summary.stage_seconds) == set(STAGES)

    # the indicator run is the one the store now serves, with the row count the summary says
    store = ResultStore(ws.results)
    assert summary.run_id in store.manifest()["runs"]
    values = store.indicator_values(breakdowns=True)
    assert pc.count_distinct(values["indicator"]).as_py() == len(summary.computed)
    assert summary.years == sorted({2023, 2024} & set(values["year"].to_pylist()))  # golden holds 2023 and 2024
    # detection's counts are the heights of the tables it stored
    stored = DetectionResults.open(ws.results)
    assert {name: summary.detection[name] for name in TABLES} == {name: stored._read(name).height for name in TABLES}
    # the ratings follow this indicator run; their counts are those of the stored table
    rated = ratings.Ratings.open(ws.results)
    assert rated.meta["indicator_run"] == summary.run_id
    assert summary.ratings["municipalities"] == rated.ratings()["municipality_id"].n_unique() > 0
    assert summary.ratings["rows"] == rated.ratings().height
    assert summary.distributions["run"]

    as_json = json.loads(json.dumps(summary.as_dict()))
    assert as_json["run_id"] == summary.run_id
    assert as_json["computed"] == len(summary.computed) and as_json["rows"] == summary.rows
    assert list(as_json["stages"]) == list(STAGES)


def test_a_broken_ratings_yaml_stops_before_anything_is_written(ws):
    (ws.root / "ratings.yaml").write_text("systems: [unclosed\n", encoding="utf-8")
    with pytest.raises(RejectedInput) as rejected:
        run_all(ws)
    assert rejected.value.issues and any(issue.is_error for issue in rejected.value.issues)
    assert not ResultStore(ws.results).has_results()
    assert DetectionResults.open(ws.results) is None


def test_msoko_compute_prints_the_pipeline_summary(ws):
    result = CliRunner().invoke(app, ["compute", "--home", str(ws.root)])
    assert result.exit_code == 0, result.output
    store = ResultStore(ws.results)
    assert f"Показатели рассчитаны: {len(store.computed_indicators())}" in result.output
    rated = ratings.Ratings.open(ws.results).ratings()
    assert f"Рейтинг муниципалитетов сохранён (муниципалитетов: {rated['municipality_id'].n_unique()}" in result.output

"""The catalog reads what the data hold (issue 14, item 7): every built-in dataset is declared with its
columns (`gia` among them), and the further numeric columns of `context` and `results_by_org` become columns
typed from the data that formulas may use and `msoko catalog check` accepts."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

import golden  # noqa: E402

from msoko.cli.main import app  # noqa: E402
from msoko.core.workspace import Workspace  # noqa: E402
from msoko.engine.catalog import DEFAULT_CATALOG, default_catalog  # noqa: E402
from msoko.engine.catalog.validate import dataset_specs  # noqa: E402
from msoko.engine.datasets import ColumnType  # noqa: E402
from msoko.engine.pipeline import recompute  # noqa: E402
from msoko.engine.results import ResultStore  # noqa: E402
from msoko.engine.sources import data_columns  # noqa: E402
from msoko.engine.warehouse import Warehouse  # noqa: E402

runner = CliRunner()
EXTRA = """
defaults: {system: "1.1", track: key_characteristics, source: kuzbass_267_2021}
indicators:
  - code: ege_220_plus_share
    name: Доля выпускников с суммой 220+ баллов (Москва, count_220_plus)
    kind: share
    unit: доля
    dataset: results_by_org
    formula: sum(count_220_plus) / sum(participants)
    direction: higher_is_better
  - code: ctx_young_teacher_ratio
    name: Доля молодых учителей (переменная контекста региона)
    kind: ratio
    unit: на 1 ученика
    dataset: context
    formula: sum(young_teachers) / sum(students)
    direction: higher_is_better
  - code: gia_mean_primary
    name: Средний первичный балл ГИА (по процедуре)
    kind: mean
    unit: балл
    dataset: gia
    formula: avg(primary_score)
    direction: higher_is_better
"""


@pytest.fixture
def ws(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "home").ensure()
    wh = golden.build(ws.warehouse)
    manifest = wh.manifest()
    golden._write(wh, manifest, "results_by_org", pa.table({
        "year": pa.array([2024, 2024, 2024], pa.int16()), "org_id": ["A", "B", "D"],
        "procedure": ["ЕГЭ"] * 3, "subject": [None, None, None], "grade": pa.array([None] * 3, pa.int8()),
        "participants": pa.array([40, 60, 10], pa.int32()),
        "count_220_plus": pa.array([10, 6, 0], pa.int32()),
        "okrug": ["ЦАО", "САО", "ЮАО"]}))  # text: not a variable
    golden._write(wh, manifest, "context", pa.table({
        "year": pa.array([2024, 2024], pa.int16()), "org_id": ["A", "B"],
        "students": pa.array([300, 100], pa.int32()), "young_teachers": pa.array([6, 1], pa.int64()),
        "spend_per_pupil": pa.array([1.5, 2.0], pa.float64())}))
    wh.write_manifest(manifest)
    own = ws.root / "catalog"
    shutil.copytree(DEFAULT_CATALOG, own)
    (own / "indicators" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return ws


def test_every_builtin_dataset_is_declared_with_its_columns_gia_among_them():
    specs = dataset_specs(default_catalog())
    assert {"vpr", "oge", "ege", "gia", "results_by_org", "context"} <= set(specs)
    assert {"exam", "procedure", "primary_score", "test_score", "mark", "subject"} <= set(specs["gia"].columns)
    assert all(spec.columns for spec in specs.values())


def test_further_numeric_columns_are_typed_from_the_data(ws):
    found = data_columns(Warehouse(ws.warehouse))
    assert found["results_by_org"] == {"count_220_plus": ColumnType.INT}
    assert found["context"] == {"spend_per_pupil": ColumnType.NUMBER, "young_teachers": ColumnType.INT}


def test_catalog_check_accepts_formulas_over_them_and_compute_uses_them(ws):
    result = runner.invoke(app, ["catalog", "check", "--home", str(ws.root)])
    assert result.exit_code == 0, result.output
    recompute(ws)
    store = ResultStore(ws.results)
    total = {r["indicator"]: r for r in store.indicator_values(level="total", year=2024).to_pylist()}
    share = total["ege_220_plus_share"]
    assert (share["numerator"], share["denominator"], share["procedure"]) == (16, 110, "ЕГЭ")
    assert total["ctx_young_teacher_ratio"]["value"] == pytest.approx(7 / 400)
    gia = {r["procedure"]: r for r in store.indicator_values(level="total", year=2024, indicator="gia_mean_primary")
           .to_pylist()}
    # per procedure (exam), never pooled: ОГЭ 2024 primary scores 5, 10, 20, 7, 8, 10, 20 → 80 / 7
    assert set(gia) == {"ОГЭ", "ЕГЭ"}
    assert gia["ОГЭ"]["value"] == pytest.approx(80 / 7)


def test_an_unknown_column_is_still_refused_with_its_place(ws):
    (ws.root / "catalog" / "indicators" / "extra.yaml").write_text(
        EXTRA.replace("sum(count_220_plus)", "sum(count_300_plus)"), encoding="utf-8")
    result = runner.invoke(app, ["catalog", "check", "--home", str(ws.root)])
    assert result.exit_code == 1
    assert "неизвестный столбец «count_300_plus»" in result.output and "extra.yaml" in result.output

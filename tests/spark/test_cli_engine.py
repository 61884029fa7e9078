"""`msoko compute --engine spark`: the whole sequence with the indicators on Spark, and its refusals."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.core.workspace import Workspace
from msoko.engine.results import ResultStore

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def golden_home(tmp_path):
    import golden

    ws = Workspace(tmp_path / "home").ensure()
    golden.build(ws.warehouse)
    return ws


def test_an_unknown_engine_is_a_usage_error(golden_home):
    result = run("compute", "--engine", "polars", "--home", golden_home.root)
    assert result.exit_code == 2
    assert "неизвестный движок «polars»: допустимы duckdb, spark" in result.stderr
    assert not ResultStore(golden_home.results).has_results()


def test_spark_without_pyspark_says_how_to_install_it(golden_home, monkeypatch):
    import msoko.engine.spark as spark

    monkeypatch.setattr(spark, "spark_available", lambda: False)
    result = run("compute", "--engine", "spark", "--home", golden_home.root)
    assert result.exit_code == 2
    assert "uv sync --extra spark" in result.stderr
    assert not ResultStore(golden_home.results).has_results()


@pytest.mark.spark
def test_compute_on_spark_stores_what_duckdb_stores_and_the_rest_runs(spark, golden_home, tmp_path):
    from msoko.engine.spark.differential import compare

    result = run("compute", "--engine", "spark", "--full", "--home", golden_home.root)
    assert result.exit_code == 0, result.output
    assert "Показатели рассчитаны: 27" in result.stdout
    assert "Рейтинг муниципалитетов сохранён" in result.stdout  # ratings (DuckDB) read Spark's values
    other = Workspace(tmp_path / "duckdb").ensure()
    import golden

    golden.build(other.warehouse)
    assert run("compute", "--full", "--home", other.root).exit_code == 0
    difference = compare(ResultStore(golden_home.results), ResultStore(other.results))
    assert difference.equal, str(difference)
    assert not list((golden_home.root / "tmp").glob("spark-*")), "the scratch folder is removed"

"""The same catalog on DuckDB and on Spark: every indicator, every stored column, identical.

Fixtures: the golden warehouse extended with edge-case rows for every dataset of the default catalog
(`edges.py`: NULLs, zeros, ties, groups of one — every one of the catalog's indicators computes), and a small
generated region (realistic volumes, many tied ranks, three years). Integers, flags and text must be equal,
floats within 1e-9 relative (`msoko.engine.spark.differential`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from msoko.core.workspace import Workspace
from msoko.engine.catalog import default_catalog
from msoko.engine.pipeline import recompute
from msoko.engine.results import ResultStore
from msoko.engine.spark.differential import compare

pytestmark = pytest.mark.spark


def _edges(root: Path) -> Workspace:
    import edges

    ws = Workspace(root).ensure()
    edges.build(ws.warehouse)
    return ws


def _region(root: Path) -> Workspace:
    import os
    import uuid

    from msoko.engine.warehouse import Warehouse
    from msoko.synth import generate_country

    ws = Workspace(root).ensure()
    country = generate_country(root / "raw", seed=11, municipalities=3, schools=24, years=3, pupils_factor=0.25)
    wh, manifest = Warehouse(ws.warehouse), {"datasets": {}}
    for name, path in country.files.items():
        if str(path).endswith(".parquet"):
            version = uuid.uuid4().hex
            wh.version_dir(name, version).mkdir(parents=True)
            os.replace(path, wh.version_dir(name, version) / "part-0.parquet")
            manifest["datasets"][name] = {"all": version}
    wh.write_manifest(manifest)
    return ws


BUILDERS = {"edges": _edges, "region": _region}


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def both(request, spark, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    duck, spark_ws = BUILDERS[request.param](root / "duckdb"), BUILDERS[request.param](root / "spark")
    return request.param, (duck, recompute(duck)), (spark_ws, recompute(spark_ws, engine="spark"))


def test_every_stored_value_is_identical_on_both_engines(both):
    name, (duck, on_duck), (spark_ws, on_spark) = both
    assert on_spark.rows == on_duck.rows > 0
    assert sorted(on_spark.computed) == sorted(on_duck.computed)
    assert on_spark.waiting == on_duck.waiting
    assert [str(w) for w in on_spark.warnings] == [str(w) for w in on_duck.warnings]
    assert ResultStore(spark_ws.results).absent() == ResultStore(duck.results).absent()
    difference = compare(ResultStore(duck.results), ResultStore(spark_ws.results))
    assert difference.equal, str(difference)
    assert difference.rows[0] == on_duck.rows


def test_the_fixtures_compute_what_they_should(both):
    """The edge fixture computes every indicator of the default catalog; the generated region (ВПР, ГИА and
    context only) the 33 over those datasets."""
    name, (_, on_duck), _ = both
    if name == "edges":
        assert sorted(on_duck.computed) == sorted(i.code for i in default_catalog().indicators)
    else:
        assert len(on_duck.computed) == 33


def test_the_versions_stamped_are_the_same(both):
    _, (duck, _), (spark_ws, _) = both
    def stamps(ws):
        versions = ResultStore(ws.results).manifest()["versions"]
        return {code: [(e["version"], e["hash"]) for e in entries] for code, entries in versions.items()}

    assert stamps(spark_ws) == stamps(duck)

"""A warehouse of edge cases for every dataset of the default catalog, so every one of its indicators computes.

The golden warehouse (tests/engine/golden.py: ВПР, ГИА, scales, results_by_org; NULL journal marks and test
scores, a one-school municipality and region, tied shares) plus, for `context` and every declared dataset,
two years of rows for each organisation (or municipality) of the golden registry, drawn with a fixed seed
from small value sets: NULLs, zeros (denominators of zero, all-NULL groups), repeated values (ties in the
ranks), a missing row here and there (groups of one).
"""

from __future__ import annotations

import random
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

from msoko.engine.catalog import default_catalog
from msoko.engine.catalog.validate import dataset_specs
from msoko.engine.datasets import ColumnType, Grain
from msoko.engine.warehouse import Warehouse

YEARS = (2023, 2024)
INTS = (None, 0, 0, 1, 2, 2, 3, 5, 8)
NUMBERS = (None, 0.0, 0.0, 0.5, 1.5, 1.5, 2.25, 33.3)
FLAGS = (None, 0, 1, 1)
TEXTS = (None, "а", "б")
ARROW = {ColumnType.INT: pa.int64(), ColumnType.NUMBER: pa.float64(), ColumnType.FLAG: pa.int64(),
         ColumnType.TEXT: pa.string()}
CHOICES = {ColumnType.INT: INTS, ColumnType.NUMBER: NUMBERS, ColumnType.FLAG: FLAGS, ColumnType.TEXT: TEXTS}


def build(root, seed: int = 18) -> Warehouse:
    import golden

    wh = golden.build(root)
    manifest = wh.manifest()
    rng = random.Random(seed)
    orgs = [o for o, *_ in golden.ORGS]
    municipalities = sorted({m for _, _, m, _ in golden.ORGS})
    for name, spec in sorted(dataset_specs(default_catalog()).items()):
        if spec.builtin and name != "context":
            continue
        units = municipalities if spec.grain is Grain.MUNICIPALITY else orgs
        unit = "municipality_id" if spec.grain is Grain.MUNICIPALITY else "org_id"
        rows = []
        for year in YEARS:
            for u in units:
                if rng.random() < 0.15:  # a unit without a row this year
                    continue
                row = {"year": year, unit: u}
                for column, kind in spec.columns.items():
                    if column not in row:
                        row[column] = rng.choice(CHOICES[kind])
                rows.append(row)
        schema = pa.schema([("year", pa.int16()), (unit, pa.string())]
                           + [(c, ARROW[k]) for c, k in spec.columns.items() if c not in ("year", unit)])
        version = uuid.uuid4().hex
        folder = wh.version_dir(spec.source, version)
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-0.parquet")
        manifest["datasets"][spec.source] = {"all": version}
    wh.write_manifest(manifest)
    return wh

"""Load the synthetic region's canonical CSVs straight into a warehouse (benchmark only).

Why not `msoko.ingest`: its canonical path does not yet attach the Б/П level of each task (the synth
writes levels to `vpr_tasks_meta.csv`, which the canonical importer does not read), and the registry
import goes through Django. This loader writes the warehouse datasets with the engine's schemas and one
manifest, which is all `msoko.engine.detection.run` reads. Participant codes are synthetic already.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.workspace import Workspace
from msoko.engine.schemas import DATASETS
from msoko.engine.warehouse import Warehouse


def _cast(df: pl.DataFrame, schema: pa.Schema, keep_extra: bool = False) -> pa.Table:
    table = df.to_arrow()
    fields = [f for f in schema if f.name in table.column_names]
    extra = [n for n in table.column_names if keep_extra and n not in schema.names]
    cols = [table.column(f.name).cast(f.type) for f in fields] + [table.column(n).cast(pa.float64()) for n in extra]
    return pa.Table.from_arrays(cols, names=[f.name for f in fields] + extra)


def load_region(src: Path, ws: Workspace) -> dict[str, int]:
    src = Path(src)
    wh = Warehouse(ws.ensure().warehouse)
    tables: dict[str, pa.Table] = {}
    tables["organisations"] = _cast(pl.read_csv(src / "organisations.csv", infer_schema_length=0)
                                    .with_columns(pl.col(c).cast(pl.Int64, strict=False) for c in
                                                  ("small_school", "remote", "advanced", "correctional",
                                                   "students", "teachers")), DATASETS["organisations"])
    tables["context"] = _cast(pl.read_csv(src / "context.csv", schema_overrides={"org_id": pl.Utf8}),
                              DATASETS["context"], keep_extra=True)
    tables["scales"] = _cast(pl.read_csv(src / "scales.csv", schema_overrides={"mark_or_level": pl.Utf8}),
                             DATASETS["scales"])
    tables["gia"] = _cast(pl.read_csv(src / "gia.csv", schema_overrides={"participant": pl.Utf8}), DATASETS["gia"])
    vpr = pl.read_csv(src / "vpr.csv", infer_schema_length=10000, schema_overrides={"participant": pl.Utf8})
    tables["vpr"] = _cast(vpr, DATASETS["vpr"])
    task_cols = [c for c in vpr.columns if c.startswith("task:")]
    meta = pl.read_csv(src / "vpr_tasks_meta.csv", schema_overrides={"task": pl.Utf8})
    long = (
        vpr.select("year", "org_id", "participant", "subject", "grade", *task_cols)
        .unpivot(index=["year", "org_id", "participant", "subject", "grade"], on=task_cols,
                 variable_name="task", value_name="score")
        .filter(pl.col("score").is_not_null())
        .with_columns(pl.col("task").str.strip_prefix("task:"))
        .join(meta, on=["year", "subject", "grade", "task"], how="left")
    )
    tables["vpr_tasks"] = _cast(long, DATASETS["vpr_tasks"])
    manifest = {"datasets": {}}
    for name, table in tables.items():
        version = uuid.uuid4().hex
        folder = wh.version_dir(name, version)
        folder.mkdir(parents=True)
        pq.write_table(table, folder / "part-0.parquet")
        manifest["datasets"][name] = {"all": version}
    wh.write_manifest(manifest)
    return {name: t.num_rows for name, t in tables.items()}

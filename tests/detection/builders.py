"""Tiny hand-made warehouses: rows → Parquet files with the warehouse schemas → a manifest."""

from __future__ import annotations

import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.workspace import Workspace
from msoko.engine.schemas import DATASETS
from msoko.engine.warehouse import Warehouse


def _table(name: str, rows: list[dict]) -> pa.Table:
    schema = DATASETS[name]
    extra = [k for k in (rows[0] if rows else {}) if k not in schema.names]
    fields = list(schema) + [pa.field(k, pa.float64()) for k in extra]
    full = pa.schema(fields)
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in fields} for r in rows], schema=full)


def write_workspace(root: Path, **datasets: list[dict]) -> Workspace:
    ws = Workspace(root).ensure()
    wh = Warehouse(ws.warehouse)
    manifest = {"datasets": {}}
    for name, rows in datasets.items():
        if not rows:
            continue
        version = uuid.uuid4().hex
        folder = wh.version_dir(name, version)
        folder.mkdir(parents=True)
        pq.write_table(_table(name, rows), folder / "part-0.parquet")
        manifest["datasets"][name] = {"all": version}
    wh.write_manifest(manifest)
    return ws


def org(org_id: str, region: str = "R1", locality: str = "urban", **kw) -> dict:
    return {"org_id": org_id, "name": org_id, "kind": "school", "municipality_id": "M1", "municipality_name": "М",
            "region_id": region, "region_name": "Регион", "locality": locality, **kw}


def pupils(org_id: str, year: int, subject: str, grade: int, scores: list[int], marks: list[int],
           journal: list[int | None] | None = None, prefix: str = "") -> list[dict]:
    journal = journal if journal is not None else [None] * len(scores)
    return [
        {"year": year, "org_id": org_id, "participant": f"{prefix}{org_id}-{year}-{subject}-{grade}-{i}",
         "subject": subject, "grade": grade, "variant": 1, "primary_score": s, "mark": m, "journal_mark": j}
        for i, (s, m, j) in enumerate(zip(scores, marks, journal, strict=True))
    ]


# A simple ВПР scale for tests: «3» from 6, «4» from 10, «5» from 14 (max 18).
BOUNDS = {3: 6, 4: 10, 5: 14}


def mark_of(score: int) -> int:
    return 5 if score >= 14 else 4 if score >= 10 else 3 if score >= 6 else 2


def scale_rows(year: int, subject: str, grade: int) -> list[dict]:
    return [{"year": year, "procedure": "ВПР", "subject": subject, "grade": grade, "mark_or_level": str(m),
             "min_score": b, "max_score": 18, "score_kind": "primary", "source": "test"} for m, b in BOUNDS.items()]


def scored(org_id: str, year: int, scores: list[int], subject: str = "Математика", grade: int = 5,
           journal_delta: list[int] | None = None, prefix: str = "") -> list[dict]:
    marks = [mark_of(s) for s in scores]
    journal = [min(5, max(2, m - d)) for m, d in zip(marks, journal_delta or [0] * len(marks), strict=True)]
    return pupils(org_id, year, subject, grade, scores, marks, journal, prefix)

"""A tiny, hand-checkable warehouse: two regions, three municipalities, four schools and a kindergarten.

Every expected value in test_golden.py is computed by hand from the rows below (see the comments there).
Scales are written into the warehouse so the year-dependent joins are pinned by the fixture itself.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from msoko.engine.schemas import GIA, ORGANISATIONS, SCALES, VPR
from msoko.engine.warehouse import Warehouse

ORGS = [
    # org_id, kind, municipality, region
    ("A", "school", "M1", "R1"),
    ("B", "school", "M1", "R1"),
    ("C", "school", "M2", "R1"),
    ("K", "kindergarten", "M2", "R1"),
    ("D", "school", "M3", "R2"),
]

M, R = "Математика", "Русский язык"
VPR_ROWS = [
    # year, org, subject, grade, mark, journal_mark
    (2024, "A", M, 5, 2, 3), (2024, "A", M, 5, 3, 3), (2024, "A", M, 5, 4, 4), (2024, "A", M, 5, 5, 4),
    (2024, "A", R, 5, 3, None), (2024, "A", R, 5, 3, 4),
    (2024, "B", M, 5, 5, 5), (2024, "B", M, 5, 5, 4),
    (2024, "C", R, 4, 2, 3), (2024, "C", R, 4, 4, 4), (2024, "C", R, 4, 4, 5), (2024, "C", R, 4, 5, 5),
    (2024, "D", M, 5, 4, 4), (2024, "D", M, 5, 2, 2),
    (2023, "A", M, 5, 3, 3), (2023, "A", M, 5, 3, 4),
]

GIA_ROWS = [
    # year, org, subject, exam, primary_score, test_score, file mark
    (2024, "A", M, "ОГЭ", 5, None, 3), (2024, "A", M, "ОГЭ", 10, None, 3), (2024, "A", M, "ОГЭ", 20, None, 4),
    (2024, "B", M, "ОГЭ", 7, None, 2), (2024, "B", M, "ОГЭ", 8, None, 3),
    (2024, "D", R, "ОГЭ", 10, None, 3), (2024, "D", R, "ОГЭ", 20, None, 3),
    (2023, "A", M, "ОГЭ", 5, None, 2),
    (2024, "A", R, "ЕГЭ", 10, 20, None), (2024, "A", R, "ЕГЭ", 40, 80, None), (2024, "A", R, "ЕГЭ", 45, 90, None),
    (2024, "A", "Математика (профильная)", "ЕГЭ", 6, 27, None),
    (2024, "A", "Математика (профильная)", "ЕГЭ", 5, 26, None),
    (2024, "B", R, "ЕГЭ", 42, 85, None), (2024, "B", "Математика (базовая)", "ЕГЭ", 15, None, 4),
    (2024, "D", "Физика", "ЕГЭ", 10, 30, None),
    (2023, "A", R, "ЕГЭ", 12, 30, None),
]

SCALE_ROWS = [
    # year, procedure, subject, mark_or_level, min, max, kind
    (2024, "ОГЭ", M, "2", 0, 7, "primary"), (2024, "ОГЭ", M, "3", 8, 14, "primary"),
    (2024, "ОГЭ", M, "4", 15, 21, "primary"), (2024, "ОГЭ", M, "5", 22, 31, "primary"),
    (2024, "ОГЭ", R, "2", 0, 14, "primary"), (2024, "ОГЭ", R, "3", 15, 22, "primary"),
    (2024, "ОГЭ", R, "4", 23, 28, "primary"), (2024, "ОГЭ", R, "5", 29, 33, "primary"),
    (2023, "ОГЭ", M, "2", 0, 4, "primary"), (2023, "ОГЭ", M, "3", 5, 14, "primary"),
    (2023, "ОГЭ", M, "4", 15, 21, "primary"), (2023, "ОГЭ", M, "5", 22, 31, "primary"),
    (2024, "ЕГЭ", R, "min", 24, 100, "test"), (2024, "ЕГЭ", "Математика (профильная)", "min", 27, 100, "test"),
    (2024, "ЕГЭ", "Физика", "min", 36, 100, "test"), (2023, "ЕГЭ", R, "min", 36, 100, "test"),
]

AGG_ROWS = [
    # year, org, procedure, subject, grade, participants, mean_score
    (2024, "A", "ВПР", M, 5, 20, 15.0), (2024, "A", "ОГЭ", M, None, 10, 12.0),
    (2024, "B", "ВПР", M, 5, 30, 10.0), (2024, "C", "ВПР", R, 4, 5, None),
    (2024, "D", "ВПР", R, 5, 10, 20.0),
]


def _write(wh: Warehouse, manifest: dict, dataset: str, table: pa.Table) -> None:
    version = uuid.uuid4().hex
    folder = wh.version_dir(dataset, version)
    folder.mkdir(parents=True)
    pq.write_table(table, folder / "part-0.parquet")
    manifest["datasets"][dataset] = {"all": version}


def build(root: Path, *, with_agg: bool = True) -> Warehouse:
    wh = Warehouse(root)
    manifest = {"datasets": {}}
    orgs = [{"org_id": o, "name": f"Школа {o}", "kind": k, "municipality_id": m, "municipality_name": m,
             "region_id": r, "region_name": r} for o, k, m, r in ORGS]
    _write(wh, manifest, "organisations", pa.Table.from_pylist(orgs, schema=ORGANISATIONS))
    vpr = [{"year": y, "org_id": o, "participant": f"p{i}", "subject": s, "grade": g, "variant": 1,
            "primary_score": 10, "mark": m, "journal_mark": j} for i, (y, o, s, g, m, j) in enumerate(VPR_ROWS)]
    _write(wh, manifest, "vpr", pa.Table.from_pylist(vpr, schema=VPR))
    gia = [{"year": y, "org_id": o, "participant": f"g{i}", "subject": s, "exam": e, "primary_score": p,
            "test_score": t, "mark": m} for i, (y, o, s, e, p, t, m) in enumerate(GIA_ROWS)]
    _write(wh, manifest, "gia", pa.Table.from_pylist(gia, schema=GIA))
    scales = [{"year": y, "procedure": p, "subject": s, "grade": None, "mark_or_level": k, "min_score": lo,
               "max_score": hi, "score_kind": kind, "source": "golden fixture"}
              for y, p, s, k, lo, hi, kind in SCALE_ROWS]
    _write(wh, manifest, "scales", pa.Table.from_pylist(scales, schema=SCALES))
    if with_agg:
        agg = pa.table({
            "year": pa.array([r[0] for r in AGG_ROWS], pa.int16()),
            "org_id": [r[1] for r in AGG_ROWS], "procedure": [r[2] for r in AGG_ROWS],
            "subject": [r[3] for r in AGG_ROWS], "grade": pa.array([r[4] for r in AGG_ROWS], pa.int8()),
            "participants": pa.array([r[5] for r in AGG_ROWS], pa.int32()),
            "mean_score": pa.array([r[6] for r in AGG_ROWS], pa.float64()),
        })
        _write(wh, manifest, "results_by_org", agg)
    wh.write_manifest(manifest)
    return wh

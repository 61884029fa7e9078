"""Перевод сгенерированных массивов в таблицы: канонический CSV и схемы хранилища.

Turns generated batches into Arrow tables: the warehouse schemas of `msoko.engine.schemas` (VPR, VPR_TASKS,
GIA, ORGANISATIONS, context) and the wide canonical CSV layout of `docs/formats.md` (ВПР with `task:<n>`
columns). Shared by the region and the country generators.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from msoko.engine.schemas import GIA, ORGANISATIONS, VPR, VPR_TASKS
from msoko.synth.gia import GiaBatch
from msoko.synth.vpr import VprBatch

VPR_CSV_BASE = (
    "year",
    "org_id",
    "participant",
    "subject",
    "grade",
    "variant",
    "primary_score",
    "mark",
    "journal_mark",
)
GIA_CSV = ("year", "org_id", "participant", "subject", "exam", "primary_score", "test_score", "mark")


def task_sort_key(code: str) -> tuple:
    """Natural order of task codes: 1, 1K1, 1K2, 2, 3.1, 3.2, 10 …"""
    m = re.match(r"(\d+)(.*)", code)
    return (int(m.group(1)), m.group(2)) if m else (10**6, code)


def _codes(code: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(code, type=pa.int64()), pa.string())


def _const(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _null_where(values: np.ndarray, empty: int, type_: pa.DataType) -> pa.Array:
    return pa.array(values, type=type_, mask=values == empty)


def vpr_table(b: VprBatch, org_ids: pa.Array) -> pa.Table:
    """Schema `VPR` (no task columns)."""
    n = len(b)
    return pa.table(
        {
            "year": pa.array(np.full(n, b.year, dtype=np.int16)),
            "org_id": org_ids.take(pa.array(b.school)),
            "participant": _codes(b.code),
            "subject": _const(b.subject, n),
            "grade": pa.array(np.full(n, b.grade, dtype=np.int8)),
            "variant": pa.array(b.variant, type=pa.int16()),
            "primary_score": pa.array(b.primary, type=pa.int16()),
            "mark": pa.array(b.mark, type=pa.int8()),
            "journal_mark": _null_where(b.journal, 0, pa.int8()),
        },
        schema=VPR,
    )


def vpr_csv_table(b: VprBatch, org_ids: pa.Array) -> pa.Table:
    """The canonical wide layout: `VPR` columns then one `task:<code>` column per task."""
    t = vpr_table(b, org_ids)
    for j, task in enumerate(b.tasks):
        t = t.append_column(f"task:{task.code}", pa.array(b.scores[:, j], type=pa.int16()))
    return t


def vpr_tasks_table(b: VprBatch, org_ids: pa.Array) -> pa.Table:
    """Schema `VPR_TASKS`: one row per participant × task."""
    n, k = b.scores.shape
    rows = np.repeat(np.arange(n), k)
    base = vpr_table(b, org_ids)
    return pa.table(
        {
            "year": base["year"].take(rows),
            "org_id": base["org_id"].take(rows),
            "participant": base["participant"].take(rows),
            "subject": base["subject"].take(rows),
            "grade": base["grade"].take(rows),
            "task": pa.array([t.code for t in b.tasks] * n, type=pa.string()),
            "score": pa.array(b.scores.reshape(-1), type=pa.int16()),
            "max_score": pa.array(np.tile([t.max_score for t in b.tasks], n).astype(np.int16)),
            "level": pa.array([t.level for t in b.tasks] * n, type=pa.string()),
        },
        schema=VPR_TASKS,
    )


def gia_table(b: GiaBatch, year: int, org_ids: pa.Array) -> pa.Table:
    n = len(b)
    return pa.table(
        {
            "year": pa.array(np.full(n, year, dtype=np.int16)),
            "org_id": org_ids.take(pa.array(b.school)),
            "participant": _codes(b.code),
            "subject": _const(b.subject, n),
            "exam": _const(b.exam, n),
            "primary_score": pa.array(b.primary, type=pa.int16()),
            "test_score": _null_where(b.test_score, -1, pa.int16()),
            "mark": _null_where(b.mark, 0, pa.int8()),
        },
        schema=GIA,
    )


def organisations_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=ORGANISATIONS)


def context_table(arrays: dict[str, np.ndarray], org_ids: pa.Array) -> pa.Table:
    cols = {"year": pa.array(arrays["year"]), "org_id": org_ids}
    cols.update({k: pa.array(v) for k, v in arrays.items() if k != "year"})
    return pa.table(cols)


def union_task_columns(tables: list[pa.Table]) -> list[pa.Table]:
    """Give every wide ВПР table the same columns, task columns in natural order (nulls where absent)."""
    tasks = sorted(
        {name for t in tables for name in t.column_names if name.startswith("task:")},
        key=lambda c: task_sort_key(c[5:]),
    )
    out = []
    for t in tables:
        cols = [t[c] for c in VPR_CSV_BASE]
        for c in tasks:
            cols.append(t[c] if c in t.column_names else pa.nulls(t.num_rows, pa.int16()))
        out.append(pa.table(cols, names=[*VPR_CSV_BASE, *tasks]))
    return out

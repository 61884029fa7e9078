"""The documented length of a cell: a text value longer than `MAX_CELL_CHARS` characters is an error with
its row and column (no code, name or subject is that long; such cells bloat every page that shows them)."""

from __future__ import annotations

import polars as pl

from msoko.core.issues import Severity
from msoko.ingest.canonical import Reporter
from msoko.ingest.frames import LINE

MAX_CELL_CHARS = 1000


def check_cell_lengths(frame: pl.DataFrame, report: Reporter, skip: set[str] = frozenset()) -> None:
    columns = [c for c, t in frame.schema.items() if t == pl.String and c != LINE and c not in skip]
    if not columns:
        return
    longest = frame.select(pl.col(c).str.len_chars().max() for c in columns).row(0)
    for column, length in zip(columns, longest, strict=True):
        if length is None or length <= MAX_CELL_CHARS:
            continue
        rows = frame.filter(pl.col(column).str.len_chars() > MAX_CELL_CHARS).select(
            LINE, pl.col(column).str.len_chars().cast(pl.String).alias("value")
        )
        report.rows(
            Severity.ERROR,
            (Severity.ERROR, column, f"значение длиннее {MAX_CELL_CHARS} знаков"),
            rows,
            column,
            lambda n: f"значение длиннее {MAX_CELL_CHARS} знаков ({n}); такие значения не загружаются",
        )

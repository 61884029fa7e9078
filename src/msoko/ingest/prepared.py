"""What every reader hands to the import pipeline: string frames in canonical column names plus what is
known about the file (dataset, partitioning, task metadata, a derived registry)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from msoko.core.issues import Issue
from msoko.ingest.canonical import Spec
from msoko.ingest.frames import Source

META_SCHEMA = {
    "year": pl.Int16,
    "subject": pl.String,
    "grade": pl.Int8,
    "task": pl.String,
    "max_score": pl.Int16,
    "level": pl.String,
}


@dataclass
class Prepared:
    spec: Spec
    file: str
    header_line: int | None
    found: dict[str, str]  # canonical column → column as written in the file (for messages)
    extras: list[str]  # further columns to keep (task:<n>, numeric context variables…)
    frames: Iterator[pl.DataFrame]  # string frames with `_line`
    read_issues: list[Issue] = field(default_factory=list)  # reading problems, appended while iterating
    tasks_meta: pl.DataFrame | None = None  # year, subject, grade, task, max_score, level (when known)
    registry_rows: list[dict] | None = None  # organisations derived from the file itself (profiles)
    profile: str | None = None
    header: list[str] = field(default_factory=list)  # the file's header as written (name-column check)
    dropped: list[str] = field(default_factory=list)  # personal-name columns explicitly dropped
    grid_rows: list[tuple[int, list[str]]] | None = None  # whole file, when it was read into memory
    source: Source | None = None  # canonical files: streamed from here (frames are then ignored)

"""Stored runs of named polars tables: each run a folder of `<name>.parquet` files that appears whole
(`core.atomic.staged_folder`), made current by `CURRENT.json` (`core.atomic.publish_run`). Detection and the
municipal ratings store their results this way; the indicator values and the ВПР distributions have layouts
of their own (a manifest per indicator × year, a pointer per year)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import polars as pl

from msoko.core.atomic import current_run, new_run_id, publish_run, staged_folder


def publish_tables(base: Path, tables: Mapping[str, pl.DataFrame], meta: dict) -> str:
    """Write `tables` as a new run under `base`, make it current with `meta`; its run id."""
    run_id = new_run_id()
    with staged_folder(base / run_id) as staging:
        for name, table in tables.items():
            table.write_parquet(staging / f"{name}.parquet")
    publish_run(base, run_id, meta)
    return run_id


@dataclass(frozen=True)
class TableRun:
    """Read access to the current run under a base folder."""

    folder: Path
    meta: dict

    @classmethod
    def current(cls, base: Path) -> Self | None:
        """The current run, or None when none has been published."""
        found = current_run(base)
        return cls(*found) if found else None

    def table(self, name: str, year: int | None = None, org_id: str | None = None) -> pl.DataFrame:
        """Table `name`, only `year` and only `org_id` when given."""
        df = pl.read_parquet(self.folder / f"{name}.parquet")
        if year is not None:
            df = df.filter(pl.col("year") == year)
        if org_id is not None:
            df = df.filter(pl.col("org_id") == org_id)
        return df

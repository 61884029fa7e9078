"""Stored detection results and the reader pages and reports use.

Layout under `ws.results / "detection"`::

    CURRENT.json              {"run": "<run id>", "created": "…", "years": […]} — replaced atomically
    <run id>/objectivity.parquet   one row per organisation × ВПР × subject × grade × year (flag, signs, explanation)
    <run id>/signs.parquet         every sign measured: value and reference, fired or not
    <run id>/risk.parquet          one row per school × year: ШНОР, ШНСУ, their grounds, explanation
    <run id>/lists.parquet         list movement per year: entered / stayed / left
    <run id>/risk_profile.parquet  the 10 risk factors of «500+» per school × year
    <run id>/social.parquet        the social well-being index and its normalised variables
    <run id>/aggregate_<name>.parquet  the per-year group aggregates the rules read (`data.YEARLY`), kept so
                                   an incremental run rebuilds only the years whose data changed

A run is written into a hidden folder, fsynced and renamed into place, then CURRENT.json is replaced: a
reader sees the old run or the new one, never a half-written one. The run it replaces is kept (a reader that opened it can
finish); older ones are removed.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from msoko.core.atomic import POINTER as POINTER  # readers key their caches on it
from msoko.engine.table_runs import TableRun, publish_tables

TABLES = ("objectivity", "signs", "risk", "lists", "risk_profile", "social")
AGGREGATE_PREFIX = "aggregate_"


def root(results_dir: Path) -> Path:
    return Path(results_dir) / "detection"


def write(results_dir: Path, tables: dict[str, pl.DataFrame], meta: dict,
          aggregates: dict[str, pl.DataFrame] | None = None) -> Path:
    """Store a run: the result `tables`, and the per-year `aggregates` they were computed from (`meta`
    then says under "aggregates" what they were built with)."""
    base = root(results_dir)
    stored = {name: tables[name] for name in TABLES}
    stored |= {AGGREGATE_PREFIX + name: frame for name, frame in (aggregates or {}).items()}
    return base / publish_tables(base, stored, meta)


class DetectionResults(TableRun):
    """Read access to the current stored run; every method returns a polars DataFrame."""

    @classmethod
    def open(cls, results_dir: Path) -> DetectionResults | None:
        """The current run, or None when `run` has never stored one."""
        return cls.current(root(results_dir))

    def _read(self, name: str, year: int | None = None, org_id: str | None = None) -> pl.DataFrame:
        return self.table(name, year, org_id)

    def aggregates(self, names) -> dict[str, pl.DataFrame] | None:
        """The stored per-year aggregates `names`, or None when this run kept none of them (an older run)."""
        paths = {name: self.folder / f"{AGGREGATE_PREFIX}{name}.parquet" for name in names}
        if not all(path.exists() for path in paths.values()):
            return None
        return {name: pl.read_parquet(path) for name, path in paths.items()}

    def years(self) -> list[int]:
        return sorted(set(self._read("risk")["year"].to_list()) | set(self._read("objectivity")["year"].to_list()))

    def objectivity(self, year: int | None = None, org_id: str | None = None, flagged_only: bool = False) -> pl.DataFrame:
        df = self._read("objectivity", year, org_id)
        return df.filter(pl.col("flagged")) if flagged_only else df

    def signs(self, year: int | None = None, org_id: str | None = None) -> pl.DataFrame:
        return self._read("signs", year, org_id)

    def risk(self, year: int | None = None, org_id: str | None = None) -> pl.DataFrame:
        return self._read("risk", year, org_id)

    def lists(self, year: int | None = None, list_name: str | None = None) -> pl.DataFrame:
        df = self._read("lists", year)
        return df.filter(pl.col("list") == list_name) if list_name else df

    def risk_profile(self, year: int | None = None, org_id: str | None = None) -> pl.DataFrame:
        return self._read("risk_profile", year, org_id)

    def social(self, year: int | None = None, org_id: str | None = None) -> pl.DataFrame:
        return self._read("social", year, org_id)

    def explanations(self, org_id: str, year: int | None = None) -> list[str]:
        """Every Russian explanation stored for a school: its ШНОР/ШНСУ grounds, then each group with signs."""
        texts = [t for t in self.risk(year, org_id).sort("year")["explanation"].to_list() if t]
        groups = self.objectivity(year, org_id).filter(pl.col("signs") != "").sort(["year", "subject", "grade"])
        return texts + [t for t in groups["explanation"].to_list() if t]

    def flagged_schools(self, year: int | None = None) -> list[str]:
        """Organisations with at least one flagged group (in `year`, or in any year)."""
        return sorted(set(self.objectivity(year, flagged_only=True)["org_id"].to_list()))

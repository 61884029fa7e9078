"""One read of the stored results per result run, shared by every page request.

Pages never recompute: they slice a `Snapshot` — the active indicator values (every level and breakdown,
read once through `ResultStore`), the current detection run and the catalog. The snapshot is cached under a
key made of the identity of the two pointer files (indicator manifest, detection CURRENT.json) and of the
warehouse manifest (a registry import changes it). All are replaced atomically (a new inode, new mtime), so
a new run gives a new key at the next request: never stale.

Only the rows of the registry's region, its municipalities and organisations are kept (and the workspace
total): pages show nothing else, and a results store computed for a whole country would not fit each server
process otherwise.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

import polars as pl
from django.conf import settings

from msoko.engine.catalog.model import Catalog, Indicator
from msoko.engine.detection.store import POINTER, DetectionResults
from msoko.engine.detection.store import root as detection_root
from msoko.engine.pipeline import catalog_path, workspace_catalog
from msoko.engine.results import ResultStore, empty_values
from msoko.web.registry.models import Municipality, Organisation, Region

FEW_ORGANISATIONS = 20  # up to this many, a slice reads the organisations' own frames
T = TypeVar("T")


class LatestOnly(Generic[T]):
    """One value per process, for the current key (a stored run's identity): built once under a lock — other
    threads wait for it rather than read the run again — and dropped when the key changes, never served again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[tuple, T] | None = None  # (key, value), replaced whole so one read sees both

    def get(self, key: tuple, build: Callable[[], T]) -> T:
        entry = self._entry
        if entry is not None and entry[0] == key:
            return entry[1]
        with self._lock:
            entry = self._entry
            if entry is None or entry[0] != key:
                entry = (key, build())
                self._entry = entry
            return entry[1]


_snapshots: LatestOnly[Snapshot] = LatestOnly()


def results_dir() -> Path:
    """The workspace's results folder (tests point `MSOKO_RESULTS_DIR` at their own)."""
    return Path(getattr(settings, "MSOKO_RESULTS_DIR", None) or settings.WORKSPACE.results)


def file_identity(path: Path) -> tuple:
    """Path, inode, mtime and size: changes whenever the file is replaced (pointers and manifests are
    replaced atomically by every run), so it keys what was read from it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return (str(path), None)
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class Snapshot:
    key: tuple
    values: pl.DataFrame
    risk: pl.DataFrame
    objectivity: pl.DataFrame
    lists: pl.DataFrame
    catalog: Catalog | None
    indicators: dict[str, Indicator] = field(default_factory=dict)

    @cached_property
    def by_level(self) -> dict[str, pl.DataFrame]:
        """The values split by level once, so a page filters only its level's rows."""
        return {key[0]: part for key, part in self.values.partition_by("level", as_dict=True).items()}

    @cached_property
    def by_organisation(self) -> dict[str, pl.DataFrame]:
        """The organisation rows split by organisation once: a school's page then reads its own rows, not
        a filter over every school's (≈ 12 ms a page for a region of a thousand schools)."""
        rows = self.by_level.get("organisation")
        if rows is None:
            return {}
        return {key[0]: part for key, part in rows.partition_by("id", as_dict=True).items()}

    @cached_property
    def computed(self) -> list[str]:
        """Computed indicator codes in catalog order (then any the catalog no longer has)."""
        present = set(self.values["indicator"].unique().to_list())
        ordered = [code for code in self.indicators if code in present]
        return ordered + sorted(present - set(ordered))

    @cached_property
    def years(self) -> list[int]:
        return sorted(self.values["year"].unique().to_list())

    @cached_property
    def subjects(self) -> list[str]:
        return sorted(s for s in self.values["subject"].unique().to_list() if s)

    @cached_property
    def grades(self) -> list[int]:
        return sorted(g for g in self.values["grade"].unique().to_list() if g is not None)

    def _rows(self, level: str | None, ids: list[str] | None) -> pl.DataFrame:
        """The rows a slice filters: a few organisations' own frames, else the level's (or all) rows."""
        if level == "organisation" and ids is not None and len(ids) <= FEW_ORGANISATIONS:
            parts = [self.by_organisation[i] for i in ids if i in self.by_organisation]
            return pl.concat(parts) if parts else self.values.clear()
        return self.values if level is None else self.by_level.get(level, self.values.clear())

    def slice(self, *, level: str | None = None, year: int | None = None, subject: str | None = None,
              grade: int | None = None, indicators: list[str] | None = None,
              ids: list[str] | None = None) -> pl.DataFrame:
        """Values of one breakdown: without subject/grade the pooled rows, with them that breakdown."""
        df = self._rows(level, ids)
        conditions = [pl.col("subject").is_null() if subject is None else pl.col("subject") == subject,
                      pl.col("grade").is_null() if grade is None else pl.col("grade") == grade]
        if year is not None:
            conditions.append(pl.col("year") == year)
        if indicators is not None:
            conditions.append(pl.col("indicator").is_in(indicators))
        if ids is not None:
            conditions.append(pl.col("id").is_in(ids))
        return df.filter(*conditions)


    def breakdowns(self, *, level: str, year: int | None, indicators: list[str], ids: list[str]) -> pl.DataFrame:
        """Rows of one subject and one grade each (the ВПР breakdowns of a school or the region)."""
        df = self._rows(level, ids)
        if year is None:
            return df.clear()
        return df.filter(pl.col("subject").is_not_null(), pl.col("grade").is_not_null(), pl.col("year") == year,
                         pl.col("indicator").is_in(indicators), pl.col("id").is_in(ids))


def registry_ids() -> set[str] | None:
    """Codes of the registry's regions, municipalities and organisations; None when the registry is empty
    (then nothing is filtered)."""
    codes = {
        *Region.objects.values_list("code", flat=True),
        *Municipality.objects.values_list("code", flat=True),
        *Organisation.objects.values_list("code", flat=True),
    }
    return codes or None


def _read_detection(folder: Path, ids: set[str] | None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    detection = DetectionResults.open(folder)
    if detection is None:
        return pl.DataFrame(), pl.DataFrame(), pl.DataFrame()
    frames = detection.risk(), detection.objectivity(), detection.lists()
    if ids is None:
        return frames
    keep = sorted(ids)
    return tuple(df.filter(pl.col("org_id").is_in(keep)) if "org_id" in df.columns else df for df in frames)


def _build(folder: Path, key: tuple) -> Snapshot:
    ids = registry_ids()
    values = pl.from_arrow(ResultStore(folder).indicator_values(breakdowns=True, ids=ids))
    if values.is_empty():
        values = pl.from_arrow(empty_values())
    risk, objectivity, lists = _read_detection(folder, ids)
    catalog, _issues = workspace_catalog(settings.WORKSPACE)
    indicators = {i.code: i for i in catalog.indicators} if catalog is not None else {}
    return Snapshot(key, values, risk, objectivity, lists, catalog, indicators)


def _catalog_identity() -> tuple:
    """A region's own catalog folder can be edited between runs: its files are part of the key."""
    folder = catalog_path(settings.WORKSPACE)
    if folder != settings.WORKSPACE.root / "catalog":
        return ("shipped",)
    return tuple(sorted(file_identity(path) for path in folder.rglob("*") if path.is_file()))


def snapshot() -> Snapshot:
    """The snapshot of the current result runs (read once per run, then shared)."""
    folder = results_dir()
    key = (file_identity(ResultStore(folder).manifest_path), file_identity(detection_root(folder) / POINTER),
           file_identity(settings.WORKSPACE.warehouse / "manifest.json"), _catalog_identity())

    def build() -> Snapshot:
        snap = _build(folder, key)
        _ = snap.by_level, snap.by_organisation, snap.computed, snap.years, snap.subjects, snap.grades
        return snap

    return _snapshots.get(key, build)

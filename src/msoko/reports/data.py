"""What a report is built from, read once: stored indicator values, detection results, the registry, the
catalog, and the versions of all of them (recorded in every report).

`ReportSource.load(...)` reads the workspace's result store, detection run, registry (the warehouse's
`organisations` dataset, unless the caller passes one — the web passes its own) and catalog; a batch of
reports shares one source. Nothing is recomputed: every figure of a report is a stored value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path

import polars as pl

from msoko.core.workspace import Workspace
from msoko.engine.catalog.model import Catalog, Indicator
from msoko.engine.detection.store import DetectionResults
from msoko.engine.pipeline import catalog_path, workspace_catalog
from msoko.engine.ratings import Ratings
from msoko.engine.results import ResultStore
from msoko.engine.warehouse import Warehouse

SCOPES = ("region", "municipality", "organisation")
KIND_RU = {"school": "общеобразовательная организация", "kindergarten": "дошкольная образовательная организация",
           "additional": "организация дополнительного образования"}


class ReportError(Exception):
    """Bad input a user can fix (unknown id, no results): the message is Russian and shown as is.
    `usage` marks a wrong request (unknown scope, format or id) rather than a workspace not ready for it."""

    def __init__(self, message: str, *, usage: bool = False):
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Org:
    code: str
    name: str
    kind: str
    municipality: str
    locality: str | None = None
    students: int | None = None
    teachers: int | None = None


@dataclass
class Registry:
    region_code: str
    region_name: str
    municipalities: dict[str, str]  # code → name
    organisations: dict[str, Org]

    def in_municipality(self, code: str) -> list[Org]:
        return sorted((o for o in self.organisations.values() if o.municipality == code), key=lambda o: o.name)

    @classmethod
    def from_rows(cls, rows: list[dict]) -> Registry:
        """From rows of the canonical `organisations` columns (org_id, name, kind, municipality_id, …)."""
        if not rows:
            raise ReportError("реестр организаций пуст: загрузите его («msoko import registry»).")
        regions = {(r["region_id"], r["region_name"]) for r in rows}
        region_code, region_name = sorted(regions)[0]
        rows = [r for r in rows if r["region_id"] == region_code]
        return cls(region_code, region_name,
                   {r["municipality_id"]: r["municipality_name"] for r in rows},
                   {r["org_id"]: Org(r["org_id"], r["name"], r.get("kind") or "school", r["municipality_id"],
                                     r.get("locality"), r.get("students"), r.get("teachers")) for r in rows})


def _file_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class ReportSource:
    catalog: Catalog
    registry: Registry
    values: pl.DataFrame  # every active stored value (all levels, pooled and breakdowns)
    risk: pl.DataFrame
    objectivity: pl.DataFrame
    lists: pl.DataFrame
    provenance: dict = field(default_factory=dict)
    data_date: date = field(default_factory=lambda: date(2000, 1, 1))
    waiting: dict[str, str] = field(default_factory=dict)  # indicator → dataset it waits for
    ratings: pl.DataFrame = field(default_factory=pl.DataFrame)  # the stored municipal rating (engine/ratings.py)

    @classmethod
    def load(cls, ws: Workspace, *, results_dir: Path | None = None, registry: Registry | None = None) -> ReportSource:
        results_dir = Path(results_dir or ws.results)
        store = ResultStore(results_dir)
        if not store.has_results():
            raise ReportError("показатели ещё не рассчитаны: выполните «msoko compute» и повторите.")
        catalog, _issues = workspace_catalog(ws)
        if catalog is None:
            raise ReportError("каталог показателей рабочего пространства не читается: проверьте «msoko catalog check».")
        warehouse = Warehouse(ws.warehouse)
        if registry is None:
            files = warehouse.files("organisations")
            if not files:
                raise ReportError("реестр организаций не загружен: выполните «msoko import registry».")
            registry = Registry.from_rows(pl.read_parquet(files).to_dicts())
        values = pl.from_arrow(store.indicator_values(breakdowns=True))
        detection = DetectionResults.open(results_dir)
        empty = pl.DataFrame()
        risk, objectivity, lists = ((detection.risk(), detection.objectivity(), detection.lists())
                                    if detection else (empty, empty, empty))
        rating = Ratings.open(results_dir)
        manifest = store.manifest()
        used_runs = sorted({slot["run"] for years in manifest["active"].values() for slot in years.values()})
        created = [manifest["runs"].get(r, {}).get("created_at") for r in used_runs]
        stamp = max((c for c in created if c), default=None)
        data_day = (datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).date()
                    if stamp else date(2000, 1, 1))
        folder = catalog_path(ws)
        provenance = {
            "warehouse": warehouse.manifest().get("datasets", {}),
            "result_runs": used_runs,
            "indicator_versions": {code: {y: s["version"] for y, s in sorted(years.items())}
                                   for code, years in sorted(manifest["active"].items())},
            "detection_run": detection.meta.get("run") if detection else None,
            "ratings_run": rating.meta.get("run") if rating else None,
            "catalog": {"source": "shipped" if folder.name == "default" else "workspace",
                        "fingerprint": _file_digest(folder)},
        }
        waiting = {i.code: i.dataset for i in catalog.indicators if i.code not in store.computed_indicators()}
        return cls(catalog, registry, values, risk, objectivity, lists, provenance, data_day, waiting,
                   rating.ratings() if rating else pl.DataFrame())

    # ---- lookups --------------------------------------------------------------------------------
    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.catalog.indicators}

    @cached_property
    def _pooled(self) -> dict[tuple[str, str], dict[str, dict[int, dict]]]:
        """(level, id) → indicator → year → row, for the pooled rows (no subject/grade breakdown)."""
        out: dict[tuple[str, str], dict[str, dict[int, dict]]] = {}
        pooled = self.values.filter(pl.col("subject").is_null(), pl.col("grade").is_null())
        for row in pooled.iter_rows(named=True):
            out.setdefault((row["level"], row["id"]), {}).setdefault(row["indicator"], {})[row["year"]] = row
        return out

    def rows(self, level: str, code: str) -> dict[str, dict[int, dict]]:
        return self._pooled.get((level, code), {})

    def value(self, level: str, code: str, indicator: str, year: int) -> dict | None:
        return self._pooled.get((level, code), {}).get(indicator, {}).get(year)

    @cached_property
    def years(self) -> list[int]:
        return sorted(self.values["year"].unique().to_list()) if not self.values.is_empty() else []

    def latest_year(self, level: str, code: str) -> int | None:
        years = {y for per_year in self.rows(level, code).values() for y in per_year}
        return max(years) if years else None

    def risk_rows(self, org_codes: set[str] | None = None) -> list[dict]:
        if self.risk.is_empty():
            return []
        df = self.risk if org_codes is None else self.risk.filter(pl.col("org_id").is_in(sorted(org_codes)))
        return df.sort(["year", "org_id"]).to_dicts()

    def objectivity_rows(self, org_codes: set[str] | None = None) -> list[dict]:
        if self.objectivity.is_empty():
            return []
        df = self.objectivity if org_codes is None else self.objectivity.filter(
            pl.col("org_id").is_in(sorted(org_codes)))
        return df.sort(["year", "org_id", "procedure", "subject", "grade"]).to_dicts()

    def list_rows(self, org_codes: set[str]) -> list[dict]:
        if self.lists.is_empty():
            return []
        return self.lists.filter(pl.col("org_id").is_in(sorted(org_codes))).sort(["year", "list", "org_id"]).to_dicts()

    def provenance_json(self) -> str:
        return json.dumps(self.provenance, ensure_ascii=False, sort_keys=True)

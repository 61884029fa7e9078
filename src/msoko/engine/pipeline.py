"""One call for a full recompute: catalog → values → result store. Used by the CLI, the web and benchmarks.

The catalog is the workspace's own `catalog/` folder when present (a region's edited copy), else the
shipped default.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from msoko.core.issues import Issue, RejectedInput, has_errors
from msoko.core.workspace import Workspace
from msoko.engine.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from msoko.engine.compute import Progress, compute, connect
from msoko.engine.results import ResultStore
from msoko.engine.warehouse import Warehouse


def catalog_path(ws: Workspace) -> Path:
    own = ws.root / "catalog"
    return own if own.exists() else DEFAULT_CATALOG


def workspace_catalog(ws: Workspace) -> tuple[Catalog | None, list[Issue]]:
    return load_catalog(catalog_path(ws))


@dataclass
class RunSummary:
    run_id: str | None
    rows: int
    computed: list[str]
    waiting: dict[str, str]
    years: list[int]
    seconds: float
    warnings: list[Issue] = field(default_factory=list)
    detection: dict | None = None  # filled by the caller that also runs detection
    distributions: dict | None = None  # filled by the caller that also stores the ВПР distributions


def recompute(ws: Workspace, *, catalog: Catalog | None = None, years: list[int] | None = None,
              progress: Progress | None = None, memory_limit: str | None = None) -> RunSummary:
    """Recompute every indicator with data; raises RejectedInput when the catalog has errors."""
    started = time.perf_counter()
    warnings: list[Issue] = []
    if catalog is None:
        catalog, issues = workspace_catalog(ws)
        if catalog is None or has_errors(issues):
            raise RejectedInput(issues)
        warnings = issues
    store = ResultStore(ws.results)
    versions = store.resolve_versions(catalog)
    spill = ws.root / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con = connect(memory_limit or "4GB", temp_dir=str(spill))
    try:
        outcome = compute(Warehouse(ws.warehouse), catalog, years=years, versions=versions, progress=progress,
                          con=con)
        run_id = store.write_run_from(con, outcome.table, catalog, versions) if outcome.rows else None
    finally:
        con.close()
    return RunSummary(run_id=run_id, rows=outcome.rows, computed=outcome.computed,
                      waiting=outcome.waiting, years=outcome.years, seconds=time.perf_counter() - started,
                      warnings=warnings + outcome.warnings)

"""The `organisations` warehouse dataset (partition "all"), written from registry rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.workspace import Workspace
from msoko.engine.schemas import ORGANISATIONS
from msoko.engine.warehouse import Warehouse
from msoko.ingest import store


def registry_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in ORGANISATIONS.names} for row in rows], schema=ORGANISATIONS
    )


def current_registry(ws: Workspace) -> pa.Table | None:
    files = Warehouse(ws.warehouse).files("organisations")
    if not files:
        return None
    return pa.concat_tables([pq.read_table(f).select(ORGANISATIONS.names).cast(ORGANISATIONS) for f in files])


def merged_registry_table(ws: Workspace, derived: list[dict]) -> pa.Table | None:
    """The current registry plus derived organisations it does not know yet; None when nothing is new."""
    current = current_registry(ws)
    known = set(current["org_id"].to_pylist()) if current is not None else set()
    new = [row for row in derived if row.get("org_id") and row["org_id"] not in known]
    if not new:
        return None
    table = registry_table(new)
    return table if current is None else pa.concat_tables([current, table])


def write_registry_dataset(ws: Workspace, rows: list[dict], actor: str = "registry") -> str | None:
    """Replace the `organisations` dataset with `rows` (as returned by `read_registry`).

    Called after a registry import commits to the database. Returns the import id recorded in the journal,
    or None when the content is identical to the active version (nothing written).
    """
    table = registry_table(rows)
    import_id = store.new_id()
    with store.import_lock(ws):
        staging = store.Staging(ws, import_id)
        staging.write("organisations", "all", table)
        staging.close()
        part = staging.partitions.get(("organisations", "all"))
        active = Warehouse(ws.warehouse).active_versions("organisations").get("all")
        if part is not None and active is not None:
            files = sorted(Warehouse(ws.warehouse).version_dir("organisations", active).glob("*.parquet"))
            part.content_hash = store.content_hash(part.directory / "part-0.parquet")
            if files and store.content_hash(files[0]) == part.content_hash:
                staging.discard()
                return None
        if part is None:
            staging.discard()
            return None
        record = {
            "id": import_id,
            "when": store.now_iso(),
            "actor": actor,
            "file": "organisations",
            "checksum": part.content_hash or store.content_hash(part.directory / "part-0.parquet"),
            "archived": None,
            "kind": "registry",
            "dataset": "organisations",
            "profile": None,
            "rows": table.num_rows,
            "warnings": [],
            "warning_count": 0,
        }
        store.commit(ws, staging, record)
    return import_id

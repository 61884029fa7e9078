"""The `organisations` warehouse dataset (partition "all"), written from registry rows."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.workspace import Workspace
from msoko.engine.schemas import ORGANISATIONS
from msoko.engine.warehouse import Warehouse
from msoko.ingest import store


def name_key(text: str) -> str:
    """The identity of a region or municipality name: case, spacing and ё/е ignored («ДОБРИЧ» = «Добрич»)."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()


def harmonise_names(rows: list[dict]) -> list[dict]:
    """Every row of one region (municipality) id shows the same name: the most frequent spelling among the
    rows (the first seen on a tie)."""
    for id_field, name_field in (("region_id", "region_name"), ("municipality_id", "municipality_name")):
        spellings: dict[str, Counter] = {}
        for row in rows:
            if row.get(id_field) and row.get(name_field):
                spellings.setdefault(row[id_field], Counter())[row[name_field]] += 1
        chosen = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
        for row in rows:
            if row.get(id_field) in chosen:
                row[name_field] = chosen[row[id_field]]
    return rows


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
    rows = (current.to_pylist() if current is not None else []) + new
    return registry_table(harmonise_names(rows))


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

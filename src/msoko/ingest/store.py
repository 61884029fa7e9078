"""Writing accepted imports into the warehouse: immutable versions, the manifest switch, the journal.

Order of a commit (see docs/decisions/0004-ingest-and-warehouse.md):

1. every partition's Parquet file is written into `<workspace>/.staging/<import_id>/…`, fsynced;
2. each staged version directory is renamed into `warehouse/<dataset>/<version_id>` (atomic, same disk);
3. a `pending` line is appended to `warehouse/imports.jsonl`;
4. the manifest is replaced atomically (`Warehouse.write_manifest`) — this is the commit point;
5. a `committed` line is appended to the journal.

A `kill -9` before 4 leaves only unreferenced files (staging is swept by the next import); after 4 the import
is active even if line 5 is missing (`list_imports` recovers the status from the manifest).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.issues import Issue
from msoko.core.locks import file_lock
from msoko.core.workspace import Workspace
from msoko.engine.warehouse import Warehouse

JOURNAL = "imports.jsonl"
STAGING = ".staging"
LOCK = ".ingest.lock"
OWNER = "owner.pid"
# datasets a result import may add to (derived organisations): a later registry version is not a
# reason to refuse rolling the result import back, and is left in place
ADDITIVE = ("organisations",)


def new_id() -> str:
    """Time-ordered, unique: 13 hex digits of milliseconds + 6 random hex digits."""
    return f"{int(time.time() * 1000):013x}{secrets.token_hex(3)}"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def import_lock(ws: Workspace) -> Iterator[None]:
    """One import at a time per workspace (the lock file lives outside the warehouse tree)."""
    with file_lock(ws.root / LOCK):
        yield


def sweep_staging(ws: Workspace) -> None:
    """Remove what interrupted imports left in staging: folders whose owning process is gone."""
    staging = ws.root / STAGING
    if not staging.exists():
        return
    for child in staging.iterdir():
        owner = child / OWNER
        try:
            pid = int(owner.read_text(encoding="ascii"))
        except (OSError, ValueError):
            pid = None
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        if pid == os.getpid():
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------------------------- staging


@dataclass
class StagedPartition:
    dataset: str
    partition: str
    version_id: str
    directory: Path
    rows: int = 0
    content_hash: str = ""


@dataclass
class Staging:
    """Parquet writers for the partitions of one import, all under `<ws>/.staging/<import_id>/`."""

    ws: Workspace
    import_id: str
    partitions: dict[tuple[str, str], StagedPartition] = field(default_factory=dict)
    _writers: dict[tuple[str, str], pq.ParquetWriter] = field(default_factory=dict)
    _pending: dict[tuple[str, str], list[pa.Table]] = field(default_factory=dict)
    row_group_rows: int = 256_000
    # distinct replacement keys of the staged rows with their row counts, per (dataset, partition)
    noted: dict[tuple[str, str], list] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root(self) -> Path:
        return self.ws.root / STAGING / self.import_id

    def write(self, dataset: str, partition: str, table: pa.Table) -> None:
        """Buffer `table` for the partition; Parquet row groups are written in ~256k-row pieces."""
        if table.num_rows == 0:
            return
        key = (dataset, partition)
        buffered = self._pending.setdefault(key, [])
        buffered.append(table)
        if sum(t.num_rows for t in buffered) >= self.row_group_rows:
            self._flush(key)

    def _flush(self, key: tuple[str, str]) -> None:
        buffered = self._pending.pop(key, [])
        if not buffered:
            return
        table = buffered[0] if len(buffered) == 1 else pa.concat_tables(buffered)
        dictionaries = any(pa.types.is_dictionary(f.type) for f in table.schema)
        if dictionaries and len(buffered) > 1:
            table = table.combine_chunks()  # one dictionary per column: Parquet keeps dictionary pages
        dataset, partition = key
        writer = self._writers.get(key)
        if writer is None:
            self.ensure_root()
            version_id = new_id()
            directory = self.root / dataset / version_id
            directory.mkdir(parents=True, exist_ok=True)
            part = StagedPartition(dataset, partition, version_id, directory)
            self.partitions[key] = part
            # dictionary-typed columns are written as plain strings: without the stored Arrow schema
            # they read back as `string`, the dataset's type
            writer = pq.ParquetWriter(
                directory / "part-0.parquet",
                table.schema,
                compression="zstd",
                store_schema=not dictionaries,
                **(_long_form_options(table.schema) if dictionaries else {}),
            )
            self._writers[key] = writer
        else:
            part = self.partitions[key]
            if table.schema != writer.schema:
                table = table.select(writer.schema.names).cast(writer.schema)
        writer.write_table(table)
        part.rows += table.num_rows

    def close(self) -> None:
        for key in list(self._pending):
            self._flush(key)
        for key, writer in self._writers.items():
            writer.close()
            part = self.partitions[key]
            path = part.directory / "part-0.parquet"
            fsync_file(path)
        self._writers.clear()

    def note(self, dataset: str, partition: str, counts) -> None:
        """Remember the replacement keys (with row counts, column `len`) of rows staged for a partition."""
        self.noted.setdefault((dataset, partition), []).append(counts)

    def add_file(self, dataset: str, partition: str, table: pa.Table, name: str) -> None:
        """One more Parquet file in the partition's staged version (created when absent); after `close`."""
        key = (dataset, partition)
        part = self.partitions.get(key)
        if part is None:
            self.ensure_root()
            version_id = new_id()
            part = StagedPartition(dataset, partition, version_id, self.root / dataset / version_id)
            part.directory.mkdir(parents=True, exist_ok=True)
            self.partitions[key] = part
        path = part.directory / name
        pq.write_table(table, path, compression="zstd")
        fsync_file(path)
        part.rows += table.num_rows

    def ensure_root(self) -> Path:
        """The staging folder, created with its owner file (so that other imports' sweeps leave it alone)."""
        with self._lock:  # two writer threads (vpr, vpr_tasks) may start at once
            if not self.root.exists():
                self.root.mkdir(parents=True, exist_ok=True)
                (self.root / OWNER).write_text(str(os.getpid()), encoding="ascii")
        return self.root

    def reset(self) -> None:
        """Forget every staged version (the import starts over); the raw copy being archived stays."""
        self._pending.clear()
        self.noted.clear()
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self._writers.clear()
        for part in self.partitions.values():
            shutil.rmtree(part.directory, ignore_errors=True)
        self.partitions.clear()

    def discard(self) -> None:
        self._pending.clear()
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self._writers.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _long_form_options(schema: pa.Schema) -> dict:
    """Writer options for a long table given with dictionary-typed text (`vpr_tasks`): the text keeps its
    dictionary pages, numbers are written plain (cheaper than hashing 10⁸ small integers), and statistics
    are kept for the numbers only (string statistics over dictionary columns cost a third of the write)."""
    text = [f.name for f in schema if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)]
    return {
        "use_dictionary": text,
        "write_statistics": [f.name for f in schema if f.name not in text],
    }


def content_hash(parquet_path: Path) -> str:
    """Hash of the data (not the file bytes, which carry writer metadata)."""
    table = pq.read_table(parquet_path)
    digest = hashlib.sha256()
    digest.update(str(table.schema).encode())
    for batch in table.to_batches(max_chunksize=1 << 16):
        for column in batch.columns:
            for buffer in column.buffers():
                if buffer is not None:
                    digest.update(buffer)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------- keyed replace


@dataclass
class KeyedReplace:
    """What `replace_keyed` did to one partition: rows of the previous data removed per organisation
    (replaced by the new rows), rows kept, and the finer partitions folded in (to be deactivated)."""

    removed_per_org: dict[str, int] = field(default_factory=dict)
    kept: int = 0
    folded: list[str] = field(default_factory=list)
    had_previous: bool = False


def previous_rows(ws: Workspace, dataset: str, partition: str) -> tuple[pl.DataFrame | None, list[str]]:
    """The active rows of `partition` and of finer partitions under it (`partition|…`), and their keys."""
    active = Warehouse(ws.warehouse).active_versions(dataset)
    keys = [k for k in active if k == partition or k.startswith(partition + "|")]
    warehouse = Warehouse(ws.warehouse)
    files = [f for k in keys for f in sorted(warehouse.version_dir(dataset, active[k]).glob("*.parquet"))]
    if not files:
        return None, keys
    frames = [pl.read_parquet(f) for f in files]
    return (frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")), keys


def replace_keyed(
    ws: Workspace,
    staging: Staging,
    dataset: str,
    partition: str,
    keys: list[str],
    replaced: pl.DataFrame | None,
) -> KeyedReplace:
    """Carry into the staged version of `dataset`/`partition` every active row whose `keys` values are not
    among `replaced` (distinct key tuples of the new data; None = nothing new); the rows of those keys are
    replaced by the staged ones. Reusable by any keyed import (call inside `import_lock`, after
    `staging.close()`, then `commit` with `supersede={dataset: result.folded}`)."""
    result = KeyedReplace()
    old, folded = previous_rows(ws, dataset, partition)
    result.folded = [k for k in folded if k != partition]
    if old is None:
        return result
    result.had_previous = True
    if replaced is not None and replaced.height:
        wanted = replaced.select(keys).unique()
        wanted = wanted.cast({k: old.schema[k] for k in keys if k in old.columns})
        gone = old.join(wanted, on=keys, how="semi", nulls_equal=True)
        kept = old.join(wanted, on=keys, how="anti", nulls_equal=True)
        if gone.height and "org_id" in gone.columns:
            result.removed_per_org = dict(gone.group_by("org_id").len().iter_rows())
    else:
        kept = old
    result.kept = kept.height
    if kept.height:
        staging.add_file(dataset, partition, kept.to_arrow(), "part-kept.parquet")
    elif (dataset, partition) not in staging.partitions and partition in folded:
        result.folded.append(partition)  # every previous row replaced and nothing new: the partition goes
    return result


# --------------------------------------------------------------------------------------------- journal


def journal_path(ws: Workspace) -> Path:
    return ws.warehouse / JOURNAL


def append_journal(ws: Workspace, record: dict) -> None:
    ws.warehouse.mkdir(parents=True, exist_ok=True)
    path = journal_path(ws)
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read_journal(ws: Workspace) -> list[dict]:
    path = journal_path(ws)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line torn by a crash mid-append
    return records


def list_imports(ws: Workspace) -> list[dict]:
    """Every import, oldest first, with its current `status`: committed, rolled_back, superseded, failed.

    Each entry: id, when, actor, file, checksum, archived, kind, profile, rows, warnings, datasets
    (dataset → partition → version), superseded (dataset → partition → previous version or None), status.
    """
    manifest = Warehouse(ws.warehouse).manifest()["datasets"]
    imports: dict[str, dict] = {}
    for record in read_journal(ws):
        event = record.get("event")
        if event == "pending":
            imports[record["id"]] = {**record, "status": "pending"}
        elif event == "committed" and record.get("id") in imports:
            imports[record["id"]]["status"] = "committed"
        elif event == "rollback" and record.get("id") in imports:
            imports[record["id"]]["status"] = "rolled_back"
            imports[record["id"]]["rolled_back_at"] = record.get("when")
    for entry in imports.values():
        active = [
            manifest.get(dataset, {}).get(partition) == version
            for dataset, parts in entry.get("datasets", {}).items()
            for partition, version in parts.items()
        ]
        if entry["status"] == "pending":
            entry["status"] = "committed" if active and all(active) else "failed"
        if entry["status"] == "committed" and active and not any(active):
            entry["status"] = "superseded"
        entry.pop("event", None)
    return list(imports.values())


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------- commit


def commit(
    ws: Workspace,
    staging: Staging,
    record: dict,
    supersede: dict[str, list[str]] | None = None,
) -> tuple[dict, dict]:
    """Move staged versions into the warehouse and switch the manifest. Returns (versions, superseded).

    `supersede` lists, per dataset, further partition keys to deactivate (finer partitions covered by a
    coarser new one).
    """
    staging.close()
    warehouse = Warehouse(ws.warehouse)
    manifest = warehouse.manifest()
    datasets = manifest.setdefault("datasets", {})
    versions: dict[str, dict[str, str]] = {}
    superseded: dict[str, dict[str, str | None]] = {}
    for (dataset, partition), part in staging.partitions.items():
        target = warehouse.version_dir(dataset, part.version_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part.directory, target)
        fsync_dir(target.parent)
        versions.setdefault(dataset, {})[partition] = part.version_id
        active = datasets.setdefault(dataset, {})
        superseded.setdefault(dataset, {})[partition] = active.get(partition)
        active[partition] = part.version_id
    for dataset, keys in (supersede or {}).items():
        active = datasets.setdefault(dataset, {})
        for key in keys:
            if key in active and key not in versions.get(dataset, {}):
                superseded.setdefault(dataset, {})[key] = active.pop(key)
                versions.setdefault(dataset, {})
    record = {**record, "event": "pending", "datasets": versions, "superseded": superseded}
    append_journal(ws, record)
    warehouse.write_manifest(manifest)
    append_journal(ws, {"event": "committed", "id": record["id"], "when": now_iso()})
    shutil.rmtree(staging.root, ignore_errors=True)
    return versions, superseded


def rollback(ws: Workspace, import_id: str, actor: str = "cli") -> list[Issue]:
    """Deactivate an import's versions and re-activate what it superseded. Returns issues (empty = done)."""
    with import_lock(ws):
        entries = {entry["id"]: entry for entry in list_imports(ws)}
        entry = entries.get(import_id)
        if entry is None:
            return [Issue.error(f"загрузка «{import_id}» не найдена в журнале")]
        if entry["status"] == "rolled_back":
            return [Issue.error(f"загрузка «{import_id}» уже отменена")]
        if entry["status"] == "failed":
            return [Issue.error(f"загрузка «{import_id}» не была завершена, отменять нечего")]
        warehouse = Warehouse(ws.warehouse)
        manifest = warehouse.manifest()
        datasets = manifest.setdefault("datasets", {})
        blocking = []
        for dataset, parts in entry.get("datasets", {}).items():
            for partition, version in parts.items():
                current = datasets.get(dataset, {}).get(partition)
                if current != version:
                    if dataset in ADDITIVE and entry.get("kind") != "registry":
                        continue  # organisations a result import derived: a later registry owns them now
                    later = next(
                        (
                            other["id"]
                            for other in entries.values()
                            if other.get("datasets", {}).get(dataset, {}).get(partition) == current
                            and other["status"] == "committed"
                        ),
                        None,
                    )
                    if later:
                        blocking.append(later)
        if blocking:
            return [
                Issue.error(
                    f"загрузку «{import_id}» нельзя отменить: её данные уже заменены более поздней загрузкой "
                    f"«{sorted(set(blocking))[-1]}»; сначала отмените её"
                )
            ]
        for dataset, parts in entry.get("superseded", {}).items():
            active = datasets.setdefault(dataset, {})
            for partition, previous in parts.items():
                mine = entry.get("datasets", {}).get(dataset, {}).get(partition)
                if dataset in ADDITIVE and mine is not None and active.get(partition) != mine:
                    continue
                if previous is None:
                    active.pop(partition, None)
                else:
                    active[partition] = previous
        for dataset, parts in entry.get("datasets", {}).items():
            for partition, version in parts.items():
                if partition not in entry.get("superseded", {}).get(dataset, {}):
                    if datasets.get(dataset, {}).get(partition) == version:
                        datasets[dataset].pop(partition, None)
        append_journal(ws, {"event": "rollback-pending", "id": import_id, "when": now_iso(), "actor": actor})
        warehouse.write_manifest(manifest)
        append_journal(ws, {"event": "rollback", "id": import_id, "when": now_iso(), "actor": actor})
        return []


# --------------------------------------------------------------------------------------------- archive


def sha256_and_copy(source: Path, copy: Path | None) -> str:
    """The file's sha256; with `copy`, the bytes are also written there in the same pass (the raw file's
    archive copy is made while the file is being checked, and moved into the archive at commit)."""
    digest = hashlib.sha256()
    with contextlib.ExitStack() as stack:
        handle = stack.enter_context(Path(source).open("rb"))
        out = stack.enter_context(copy.open("wb")) if copy is not None else None
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
    return digest.hexdigest()


def archive_copy(ws: Workspace, copy: Path, checksum: str, suffix: str) -> tuple[str, Path]:
    """Move a copy made by `sha256_and_copy` into the archive (fsync, rename), like `archive_file`."""
    folder = ws.archive / checksum[:2]
    target = folder / f"{checksum}{suffix}"
    if target.exists():
        copy.unlink(missing_ok=True)
        return checksum, target
    folder.mkdir(parents=True, exist_ok=True)
    fsync_file(copy)
    os.replace(copy, target)
    fsync_dir(folder)
    return checksum, target


def archive_file(ws: Workspace, source: Path, suffix: str, checksum: str | None = None) -> tuple[str, Path]:
    """Copy `source` into the archive under its checksum (write aside, fsync, rename). Returns (sha256, path).
    `checksum`: the file's sha256 when already known."""
    checksum = checksum or sha256_file(source)
    folder = ws.archive / checksum[:2]
    target = folder / f"{checksum}{suffix}"
    if target.exists():
        return checksum, target
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{checksum}.tmp-{secrets.token_hex(4)}"
    shutil.copyfile(source, tmp)
    fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(folder)
    return checksum, target

"""`msoko maintenance` — remove what interrupted work left behind in the workspace: warehouse versions no
one references (an import killed between moving its versions into the warehouse and switching the
manifest) and abandoned import staging folders.

A version is kept when the manifest names it or any import the journal records (committed, superseded or
rolled back: `msoko import rollback` may re-activate what an import superseded) names it among its versions
or the versions it superseded. Only the versions of imports that never committed (`failed`) and versions no
record names are removed. The sweep holds the import lock, so no import runs meanwhile, and leaves alone
anything younger than `--min-age` minutes as well (a writer outside the lock, a clock oddity).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import HomeOption, console, workspace
from msoko.core.workspace import Workspace

MinAgeOption = Annotated[int, typer.Option("--min-age", min=0,
                                           help="Не трогать версии моложе стольких минут.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Только показать, что было бы удалено.")]


@dataclass
class Sweep:
    removed: list[Path] = field(default_factory=list)  # version folders removed (or, dry, to remove)
    kept_young: int = 0
    bytes: int = 0


def referenced_versions(ws: Workspace) -> set[tuple[str, str]]:
    """(dataset, version id) the manifest or a committed, superseded or rolled-back import names."""
    from msoko.engine.warehouse import Warehouse
    from msoko.ingest.store import list_imports

    keep = {(dataset, version) for dataset, parts in Warehouse(ws.warehouse).manifest()["datasets"].items()
            for version in parts.values()}
    for entry in list_imports(ws):
        if entry["status"] == "failed":
            continue
        for key in ("datasets", "superseded"):
            for dataset, parts in (entry.get(key) or {}).items():
                keep |= {(dataset, version) for version in parts.values() if version}
    return keep


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def sweep_orphans(ws: Workspace, *, min_age_seconds: float = 3600, dry_run: bool = False) -> Sweep:
    """Remove unreferenced version folders under the warehouse (and stale staging) under the import lock."""
    from msoko.ingest.store import import_lock, sweep_staging

    found = Sweep()
    now = time.time()
    with import_lock(ws):
        if not dry_run:
            sweep_staging(ws)
        keep = referenced_versions(ws)
        root = Path(ws.warehouse)
        for dataset_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else ():
            for version_dir in sorted(p for p in dataset_dir.iterdir() if p.is_dir()):
                if (dataset_dir.name, version_dir.name) in keep:
                    continue
                if now - version_dir.stat().st_mtime < min_age_seconds:
                    found.kept_young += 1
                    continue
                found.bytes += _size(version_dir)
                found.removed.append(version_dir)
                if not dry_run:
                    shutil.rmtree(version_dir)
    return found


def maintenance(home: HomeOption = None, min_age: MinAgeOption = 60, dry_run: DryRunOption = False) -> None:
    """Удалить из хранилища версии данных, на которые не ссылается ни манифест, ни журнал загрузок
    (остатки прерванных загрузок), и брошенные временные папки загрузок."""
    ws = workspace(home)
    found = sweep_orphans(ws, min_age_seconds=min_age * 60, dry_run=dry_run)
    verb = "Будет удалено" if dry_run else "Удалено"
    for path in found.removed:
        console.print(f"{verb}: {path.relative_to(ws.warehouse)}", markup=False)
    console.print(f"{verb} версий без ссылок: {len(found.removed)} ({found.bytes / 1024 / 1024:.1f} МБ); "
                  f"оставлено моложе {min_age} мин: {found.kept_young}.", markup=False)

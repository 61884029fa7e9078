"""Writing atomically: write aside, fsync, rename.

Manifests and pointers (the warehouse manifest, the result store's manifest, detection's CURRENT.json)
name what is active; a reader must see the old file or the new one, never half of one, even after a crash.
A stored run (indicator values, detection, distributions) is a folder that appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path


def new_run_id() -> str:
    """A run's name: sortable by time, unique by its random tail."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A folder to fill, then renamed to `target` whole once its files are fsynced. It is written aside as
    a hidden sibling (`.tmp-<name>`, which the stores' clean-ups skip); on any error it is removed and
    `target` never appears."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".tmp-{target.name}"
    staging.mkdir()
    try:
        yield staging
        for path in staging.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


POINTER = "CURRENT.json"


def publish_run(base: Path, run_id: str, meta: dict) -> None:
    """Point `base/CURRENT.json` at the run `run_id` (already in place, e.g. by `staged_folder`), with `meta`
    and the time. The run it replaces is kept — a reader that opened it a moment ago can finish — and older
    ones are removed."""
    try:
        previous = json.loads((base / POINTER).read_text(encoding="utf-8")).get("run")
    except (FileNotFoundError, json.JSONDecodeError):
        previous = None
    write_json(base / POINTER, {**meta, "run": run_id, "created": datetime.now(UTC).isoformat(timespec="seconds")})
    for old in base.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name not in {run_id, previous}:
            shutil.rmtree(old, ignore_errors=True)


def current_run(base: Path) -> tuple[Path, dict] | None:
    """(folder, pointer) of the run `base/CURRENT.json` names; None when nothing was published yet."""
    try:
        meta = json.loads((base / POINTER).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    folder = base / meta["run"]
    return (folder, meta) if folder.is_dir() else None

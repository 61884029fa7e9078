"""The warehouse as the engine sees it: named datasets resolved to immutable Parquet files.

Layout under the warehouse root::

    manifest.json                      which version is active for each dataset and partition
    <dataset>/<version_id>/*.parquet   one immutable version (never modified once the manifest names it)

`manifest.json` looks like::

    {"format": 1,
     "datasets": {"vpr": {"2024|ВПР|Математика|5|edu1": "0193…", …}, "organisations": {"all": "0192…"}}}

A partition key says what a version covers (the ingest layer decides it; see docs/decisions); the active
data of a dataset is the union of the active versions of all its partitions. The manifest is replaced
atomically (write aside, fsync, rename), so a reader sees either the old or the new state, never a mix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from msoko.core.atomic import write_json

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Warehouse:
    root: Path

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": MANIFEST_FORMAT, "datasets": {}}
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"{self.manifest_path}: unsupported manifest format {data.get('format')!r}")
        return data

    def version_dir(self, dataset: str, version_id: str) -> Path:
        return self.root / dataset / version_id

    def active_versions(self, dataset: str) -> dict[str, str]:
        """Partition key → active version id."""
        return dict(self.manifest()["datasets"].get(dataset, {}))

    def files(self, dataset: str) -> list[Path]:
        """The Parquet files that make up the active state of `dataset` (empty when never imported)."""
        paths: list[Path] = []
        for version_id in sorted(set(self.active_versions(dataset).values())):
            paths.extend(sorted(self.version_dir(dataset, version_id).glob("*.parquet")))
        return paths

    def has(self, dataset: str) -> bool:
        return bool(self.files(dataset))

    def datasets(self) -> list[str]:
        return sorted(name for name in self.manifest()["datasets"] if self.has(name))

    def write_manifest(self, manifest: dict) -> None:
        """Replace the manifest atomically."""
        write_json(self.manifest_path, {**manifest, "format": MANIFEST_FORMAT})

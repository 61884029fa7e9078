"""Load the synthetic region's canonical CSVs into a workspace through `msoko.ingest` (benchmark only).

The registry goes through `msoko.ingest.registry` (read and check) and `registry_store` (the warehouse
`organisations` dataset) — the same path as `msoko import registry` without the Django database, which
detection does not read. Context, scales, ВПР (with `vpr_tasks_meta.csv` next to it for the Б/П levels)
and ГИА go through `msoko.ingest.pipeline.import_file`, exactly as `msoko import …` does.
"""

from __future__ import annotations

from pathlib import Path

from msoko.core.workspace import Workspace
from msoko.ingest.pipeline import import_file
from msoko.ingest.registry import read_registry
from msoko.ingest.registry_store import write_registry_dataset


def load_region(src: Path, ws: Workspace) -> dict[str, int]:
    src = Path(src)
    ws.ensure()
    rows, issues = read_registry(src / "organisations.csv")
    errors = [i.format() for i in issues if i.is_error]
    if errors:
        raise RuntimeError("registry rejected: " + "; ".join(errors[:5]))
    write_registry_dataset(ws, rows, actor="benchmark")
    counts = {"organisations": len(rows)}
    for name, kind in (("context", "context"), ("scales", "scales"), ("vpr", "results"), ("gia", "results")):
        outcome = import_file(ws, src / f"{name}.csv", kind=kind, actor="benchmark")
        if outcome.rejected:
            raise RuntimeError(f"{name}.csv rejected: " + "; ".join(i.format() for i in outcome.issues[:5]))
        counts[name] = outcome.rows
    return counts

"""`kill -9` in the middle of an import leaves the workspace consistent, and the next import works."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from msoko.core.workspace import Workspace
from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file, list_imports

ROWS = 400_000

SCRIPT = """
import sys
from pathlib import Path
from msoko.core.workspace import Workspace
from msoko.ingest import import_file
ws = Workspace.resolve(sys.argv[1]).ensure()
print("started", flush=True)
import_file(ws, Path(sys.argv[2]))
print("done", flush=True)
"""


def assert_consistent(ws: Workspace) -> None:
    warehouse = Warehouse(ws.warehouse)
    manifest = warehouse.manifest()  # parses: never half-written
    for dataset, partitions in manifest["datasets"].items():
        for version in partitions.values():
            files = sorted(warehouse.version_dir(dataset, version).glob("*.parquet"))
            assert files, (dataset, version)
            for file in files:
                pq.read_table(file)  # complete, readable
    for entry in list_imports(ws):
        assert entry["status"] in ("committed", "failed", "superseded", "rolled_back")
    journal = ws.warehouse / "imports.jsonl"
    if journal.exists():
        lines = journal.read_text(encoding="utf-8").splitlines()
        for line in lines[:-1]:
            json.loads(line)  # only the very last line may be torn


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "ingest"))
    from run import generate

    path = tmp_path_factory.mktemp("kill") / "vpr.csv"
    generate(path, ROWS, tasks=2)
    return path


def test_kill_9_at_any_moment_leaves_the_workspace_consistent_and_the_next_import_works(tmp_path, big_file):
    ws = Workspace.resolve(tmp_path / "ws").ensure()
    first = import_file(ws, big_file)  # something active to protect
    assert first.status == "committed", [i.format() for i in first.errors]
    base = big_file.read_text(encoding="utf-8")
    killed_after = []
    for attempt, delay in enumerate((0.05, 0.2, 0.4, 0.8, 1.2)):
        # a different file each time (one extra pupil), so every run does the whole work
        changed = tmp_path / f"vpr-{attempt}.csv"
        changed.write_text(base + f"2024,edu100000,77777{attempt},История,5,1,0,2,2,0,0\n", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(ws.root), str(changed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        process.stdout.readline()  # "started": the interpreter and msoko are loaded
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_after.append(delay)
        process.wait(timeout=60)
        assert_consistent(ws)
        # the active data is always one whole file: the first or one of the corrected ones
        data = Warehouse(ws.warehouse).files("vpr")
        assert sum(pq.read_metadata(f).num_rows for f in data) in (ROWS, ROWS + 1)
    assert killed_after, "every import finished before it could be killed"
    outcome = import_file(ws, changed)
    assert outcome.status in ("committed", "unchanged"), [i.format() for i in outcome.errors]
    assert_consistent(ws)
    assert not [p for p in (ws.root / ".staging").iterdir()]  # leftovers of killed imports swept

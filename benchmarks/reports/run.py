"""Замер формирования аналитических справок.

Targets (issue 7): a municipality report (≈60 organisations) in under 20 s; every organisation report of a
1,000-organisation region in under 10 minutes.

A region of 1,000 schools in 16 municipalities (≈62 each) is generated once (`msoko.synth.generate_country`,
as benchmarks/compute does), computed (`recompute`) and checked by detection, then:

- the report of the municipality closest to 60 organisations, in DOCX, PDF and XLSX (each timed from a cold
  process: reading the stored results included);
- every organisation report of the region in one ZIP (`write_batch`, 2 worker processes), DOCX.

    python3 -m uv run python benchmarks/reports/run.py [--data DIR] [--formats docx,pdf] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "compute"))


def prepare(data: Path) -> Path:
    from run import prepare as prepare_warehouse  # benchmarks/compute/run.py

    from msoko.core.workspace import Workspace
    from msoko.engine.detection import run as detect
    from msoko.engine.pipeline import recompute
    from msoko.engine.results import ResultStore

    home = prepare_warehouse(data, schools=1000, municipalities=16, years=3)
    ws = Workspace(home)
    if not ResultStore(ws.results).has_results():
        started = time.perf_counter()
        recompute(ws)
        detect(ws)
        print(f"  computed and detected in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return home


def child_one(home: str, municipality: str, fmt: str, out: str) -> dict:
    from msoko.core.workspace import Workspace
    from msoko.reports import ReportSource, write_report

    started = time.perf_counter()
    ws = Workspace(Path(home))
    source = ReportSource.load(ws)
    loaded = time.perf_counter() - started
    write_report(source, "municipality", municipality, fmt, Path(out), root=ws.root)
    return {"seconds": round(time.perf_counter() - started, 2), "load_seconds": round(loaded, 2),
            "bytes": Path(out).stat().st_size}


def child_batch(home: str, fmt: str, out: str, limit: int | None, kind: str | None = None) -> dict:
    from msoko.core.workspace import Workspace
    from msoko.reports import ReportSource, write_batch

    started = time.perf_counter()
    ws = Workspace(Path(home))
    source = ReportSource.load(ws)
    codes = sorted(c for c, o in source.registry.organisations.items() if kind is None or o.kind == kind)
    codes = codes[:limit] if limit else codes
    write_batch(source, codes, fmt, Path(out), root=ws.root, workers=2)
    seconds = time.perf_counter() - started
    return {"organisations": len(codes), "seconds": round(seconds, 1), "per_report": round(seconds / len(codes), 3),
            "bytes": Path(out).stat().st_size}


def in_child(*args: str) -> dict:
    result = subprocess.run([sys.executable, str(HERE), "--child", *args], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(HERE.parents[1] / "out" / "reports"))
    parser.add_argument("--formats", default="docx,pdf,xlsx")
    parser.add_argument("--batch-format", default="docx")
    parser.add_argument("--limit", type=int, default=None, help="only the first N organisations in the batch")
    parser.add_argument("--kind", default=None, help="only organisations of this kind in the batch (e.g. school)")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "one":
            print(json.dumps(child_one(*rest)))
        else:
            print(json.dumps(child_batch(rest[0], rest[1], rest[2], int(rest[3]) if rest[3] != "-" else None,
                                         rest[4] if rest[4] != "-" else None)))
        return
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    home = prepare(data)

    from msoko.core.workspace import Workspace
    from msoko.reports import ReportSource

    source = ReportSource.load(Workspace(home))
    sizes = {code: len(source.registry.in_municipality(code)) for code in source.registry.municipalities}
    municipality = min(sizes, key=lambda c: (abs(sizes[c] - 60), c))
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print(f"region: {len(source.registry.organisations)} organisations, {len(sizes)} municipalities")
    for fmt in args.formats.split(","):
        got = in_child("one", str(home), municipality, fmt, str(data / f"municipality.{fmt}"))
        print(f"municipality {municipality} ({sizes[municipality]} organisations), {fmt}: {got['seconds']} s "
              f"(reading results {got['load_seconds']} s), {got['bytes'] / 1e6:.1f} MB — target < 20 s")
    got = in_child("batch", str(home), args.batch_format, str(data / "organisations.zip"),
                   str(args.limit) if args.limit else "-", args.kind or "-")
    which = f"{args.kind} " if args.kind else ""
    print(f"every {which}organisation report ({got['organisations']}), {args.batch_format}, 2 workers: {got['seconds']} s, "
          f"{got['per_report']} s per report, ZIP {got['bytes'] / 1e6:.0f} MB — target < 600 s; "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

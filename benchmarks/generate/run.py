"""Замер генератора: строки в секунду и пиковая память для региона и для страны (в масштабе).

Benchmark of the synthetic generator: rows/s and peak memory (resource.getrusage) of a region run and of a
scaled country run, each in its own process so the peaks are separate.

    python3 -m uv run python benchmarks/generate/run.py                       # region + country at 1/10
    python3 -m uv run python benchmarks/generate/run.py --only country --scale 1 --years 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_region(args) -> dict:
    from msoko.synth import generate_region

    with tempfile.TemporaryDirectory() as d:
        started = time.perf_counter()
        r = generate_region(d, seed=args.seed, schools=args.region_schools)
        seconds = time.perf_counter() - started
    rows = r.rows["vpr"] + r.rows["gia"]
    return {
        "run": "region",
        "schools": args.region_schools,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mib": round(peak_mib()),
    }


def run_country(args) -> dict:
    from msoko.synth import generate_country

    municipalities = max(1, round(2400 * args.scale))
    schools = max(municipalities * 2, round(40000 * args.scale))
    with tempfile.TemporaryDirectory(dir=args.tmp) as d:
        started = time.perf_counter()
        c = generate_country(
            d,
            seed=args.seed,
            municipalities=municipalities,
            schools=schools,
            years=args.years,
            with_tasks=args.tasks,
            write_csv=args.csv,
            pupils_factor=args.pupils,
        )
        seconds = time.perf_counter() - started
        sizes = {name: os.path.getsize(p) for name, p in c.files.items()}
    rows = c.rows["vpr"] + c.rows["gia"]
    return {
        "run": "country",
        "scale": args.scale,
        "municipalities": municipalities,
        "schools": schools,
        "years": args.years,
        "pupils_factor": args.pupils,
        "tasks": args.tasks,
        "csv": args.csv,
        "rows": c.rows,
        "result_rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "result_rows_per_year": rows // args.years,
        "peak_mib": round(peak_mib()),
        "bytes": sizes,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--only", choices=["region", "country"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--region-schools", type=int, default=60)
    p.add_argument("--scale", type=float, default=0.1, help="fraction of 2400 municipalities / 40000 schools")
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--tasks", action="store_true", help="also write vpr_tasks.parquet")
    p.add_argument("--csv", action="store_true", help="also write canonical CSV")
    p.add_argument(
        "--pupils", type=float, default=1.0, help="pupils_factor (1.0 ≈ 29 M result rows/year at full size)"
    )
    p.add_argument("--tmp", default=None, help="where to write (default: system temp)")
    args = p.parse_args()
    if args.only:
        result = run_region(args) if args.only == "region" else run_country(args)
        print(json.dumps(result, ensure_ascii=False))
        return
    for only in ("region", "country"):
        cmd = [sys.executable, __file__, "--only", only] + sys.argv[1:]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()

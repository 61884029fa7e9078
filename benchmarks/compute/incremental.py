"""Замер инкрементального пересчёта: полный `run_all` против пересчёта после загрузки одной школы.

Benchmark of issue 18's incremental recompute on the generated region of `run.py` (1,000 schools, 40
municipalities, 3 years): the region's warehouse is re-partitioned the way imports partition it (ВПР by
year, ГИА by year × exam, context by year, the registry whole), then, `--rounds` times:

1. `run_all(ws, full=True)` in a child process — the full recompute (detection, indicators, ratings, ВПР
   distributions), which also records the state the next run compares with;
2. one school's ВПР rows of one year re-imported with other marks, through the ingest layer's staging and
   commit (a keyed replacement: the partition's new version carries every other school's rows, as a real
   import does; not timed);
3. `run_all(ws)` in a child process — the incremental recompute.

Each child reports wall and CPU seconds, its stages and peak memory. After the last round a fresh workspace
over a copy of the same warehouse is computed in full and every stored result compared with the
incremental one's: every indicator row and column at every level (exact), the ratings and the
distributions (exact), detection's tables (floats to 1e-12 relative: detection's parallel sums are not
reproducible to the last bit even between two full runs).

    python3 -m uv run python benchmarks/compute/incremental.py                 # last year changed, 3 rounds
    python3 -m uv run python benchmarks/compute/incremental.py --changed-year first
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM): `ru_maxrss` survives fork and exec, so a child started by
    a parent that generated the data would report the parent's peak."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def partitioned(source: Path, target: Path) -> Path:
    """A workspace over `source`'s generated region with the warehouse partitioned as imports do it."""
    import polars as pl

    from msoko.core.workspace import Workspace
    from msoko.engine.warehouse import Warehouse
    from msoko.ingest import store

    marker = target / "READY"
    if marker.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    ws = Workspace(target).ensure()
    wh = Warehouse(source / "warehouse")
    staging = store.Staging(ws, store.new_id())
    for dataset in wh.datasets():
        df = pl.read_parquet(wh.files(dataset))
        if dataset == "organisations":
            staging.write(dataset, "all", df.to_arrow())
            continue
        keys = ["year", "exam"] if dataset == "gia" else ["year"]
        for key, part in df.partition_by(keys, as_dict=True).items():
            name = {"vpr": f"{key[0]}|ВПР", "gia": f"{key[0]}|{key[-1]}"}.get(dataset, str(key[0]))
            staging.write(dataset, name, part.to_arrow())
    store.commit(ws, staging, {"id": staging.import_id, "when": store.now_iso(), "kind": "benchmark"})
    marker.write_text("ok", encoding="utf-8")
    return target


def reimport_school(home: Path, which: str, seed: int) -> dict:
    """One school's ВПР of the first or last year re-imported with other marks (keyed replacement)."""
    import polars as pl

    from msoko.core.workspace import Workspace
    from msoko.engine.warehouse import Warehouse
    from msoko.ingest import store

    ws = Workspace(home)
    wh = Warehouse(ws.warehouse)
    keys = sorted(wh.active_versions("vpr"))
    key = keys[-1] if which == "last" else keys[0]
    df = pl.read_parquet(sorted(wh.version_dir("vpr", wh.active_versions("vpr")[key]).glob("*.parquet")))
    rng = random.Random(seed)
    school = rng.choice(sorted(set(df["org_id"].to_list())))
    mine = pl.col("org_id") == school
    changed = df.with_columns(pl.when(mine & pl.col("mark").is_not_null())
                              .then((pl.col("mark") + rng.choice([1, 3])) % 4 + 2).otherwise(pl.col("mark"))
                              .cast(df.schema["mark"]).alias("mark"))
    staging = store.Staging(ws, store.new_id())
    staging.write("vpr", key, changed.to_arrow())
    store.commit(ws, staging, {"id": staging.import_id, "when": store.now_iso(), "kind": "benchmark"})
    return {"partition": key, "school": school, "rows": int(df.filter(mine).height)}


def child(home: str, full: bool) -> dict:
    # Every module the run imports is imported before the clock starts, as in run.py (≈1 s in a fresh
    # process, the same for a full and an incremental run).
    import msoko.engine.detection  # noqa: F401
    import msoko.engine.distributions  # noqa: F401
    import msoko.engine.incremental  # noqa: F401
    import msoko.engine.ratings  # noqa: F401
    from msoko.core.workspace import Workspace
    from msoko.engine.pipeline import run_all

    ws = Workspace(Path(home))
    started, cpu = time.perf_counter(), time.process_time()
    summary = run_all(ws, full=full)
    return {"seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
            "stages": summary.stage_seconds, "value_rows": summary.rows, "peak_mib": round(peak_mib()),
            "plan": {k: summary.plan[k] for k in ("mode", "reasons", "indicator_datasets", "indicator_years",
                                                  "distribution_years", "changed_orgs", "seconds")}}


def run_child(home: Path, full: bool) -> dict:
    proc = subprocess.run([sys.executable, str(HERE), "--child", "full" if full else "incremental",
                           "--home", str(home)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- equality ----------------------------------------------------------------------------------------------
def stored(home: Path) -> dict:
    import polars as pl
    import pyarrow.parquet as pq

    from msoko.engine import distributions, ratings
    from msoko.engine.detection.store import TABLES, DetectionResults
    from msoko.engine.results import ResultStore

    def canonical(df: pl.DataFrame) -> pl.DataFrame:
        exact = [c for c, t in df.schema.items() if not t.is_float()]
        return df.sort([*exact, *[c for c in df.columns if c not in exact]], nulls_last=True)

    results = home / "results"
    store = ResultStore(results)
    out: dict = {"indicators": canonical(pl.from_arrow(store.indicator_values(breakdowns=True))),
                 "active": {c: sorted(y) for c, y in store.manifest()["active"].items()}, "absent": store.absent()}
    found = DetectionResults.open(results)
    for name in TABLES:
        out[f"detection/{name}"] = canonical(found._read(name))
    rated = ratings.Ratings.open(results)
    out["ratings"], out["ratings/scores"] = canonical(rated.ratings()), canonical(rated.scores())
    dist = distributions.StoredDistributions.open(results)
    out["distributions/years"] = dist.years()
    for year in dist.years():
        for name in distributions.TABLES:
            path = dist.folder / dist.meta["years"][str(year)] / str(year) / f"{name}.parquet"
            out[f"distributions/{year}/{name}"] = canonical(pl.from_arrow(pq.read_table(path)))
    return out


def differences(a: dict, b: dict) -> dict:
    import polars as pl

    def close(x: pl.Series, y: pl.Series) -> bool:
        frame = pl.DataFrame({"x": x, "y": y})
        if not x.is_null().equals(y.is_null()):
            return False
        frame = frame.drop_nulls().filter(~(pl.col("x").is_nan() & pl.col("y").is_nan()))
        return bool(((frame["x"] - frame["y"]).abs() <= 1e-12 * frame["x"].abs().clip(lower_bound=1.0)).all())

    bad, rows = {}, 0
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if not isinstance(x, pl.DataFrame):
            if x != y:
                bad[key] = "differs"
            continue
        rows += x.height
        if x.columns != y.columns or x.height != y.height:
            bad[key] = f"{x.height} vs {y.height} rows"
        elif not x.equals(y, null_equal=True):
            floats = [c for c, t in x.schema.items() if t.is_float()]
            approximate = key.startswith("detection/") and x.drop(floats).equals(y.drop(floats), null_equal=True) \
                and all(close(x[c], y[c]) for c in floats)
            if not approximate:
                bad[key] = [c for c in x.columns if not x[c].equals(y[c], null_equal=True)]
    return {"rows_compared": rows, "indicator_rows": a["indicators"].height, "mismatches": bad, "equal": not bad}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("/tmp/msoko-bench-compute"))
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changed-year", choices=["first", "last"], default="last")
    parser.add_argument("--child", choices=["full", "incremental"])
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(str(args.home), args.child == "full"), ensure_ascii=False))
        return
    import run as compute_benchmark

    source = compute_benchmark.prepare(args.data, args.schools, max(1, args.schools // 25), args.years)
    home = partitioned(source, args.data / f"incr-{args.schools}-{args.years}")
    rounds = []
    for i in range(args.rounds):
        load = os.getloadavg()[0]
        full = run_child(home, True)
        changed = reimport_school(home, args.changed_year, seed=i)
        incremental = run_child(home, False)
        rounds.append({"load_before": round(load, 2), "full": full, "import": changed, "incremental": incremental,
                       "ratio_wall": round(incremental["seconds"] / full["seconds"], 3),
                       "ratio_cpu": round(incremental["cpu_seconds"] / full["cpu_seconds"], 3)})
        print(json.dumps(rounds[-1], ensure_ascii=False), flush=True)
    reference = args.data / f"incr-{args.schools}-{args.years}-reference"
    shutil.rmtree(reference, ignore_errors=True)
    (reference / "results").mkdir(parents=True)
    shutil.copytree(home / "warehouse", reference / "warehouse")
    run_child(reference, True)
    equality = differences(stored(home), stored(reference))
    median = sorted(r["ratio_wall"] for r in rounds)[len(rounds) // 2]
    report = {"machine": f"{os.cpu_count()} cores", "schools": args.schools, "years": args.years,
              "changed_year": args.changed_year, "rounds": len(rounds),
              "full_seconds": [r["full"]["seconds"] for r in rounds],
              "incremental_seconds": [r["incremental"]["seconds"] for r in rounds],
              "ratio_wall": [r["ratio_wall"] for r in rounds], "ratio_cpu": [r["ratio_cpu"] for r in rounds],
              "median_ratio_wall": median, "target": "< 0.4", "equality": equality}
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

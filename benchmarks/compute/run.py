"""Замер пересчёта каталога: регион и страна; сравнение с прямолинейной реализацией на pandas.

Benchmark of a full recompute of the default catalog (every indicator with data, every year, every level,
with subject and grade breakdowns, ranks, changes and intervals, written to the result store):

- a generated region (≈1,000 schools, 3 years) and a generated country (≈40,000 schools, ≈30 million
  ВПР+ГИА rows a year, 3 years; `--fraction` scales it down when time is short);
- the stable indicators (vpr_*, oge_fail, ege_*) computed by a straightforward pandas implementation on the
  region, for a ratio.

Data come from `msoko.synth.generate_country` (Parquet in the warehouse schemas), cached under --data.
Each measured step runs in its own process, so wall time and peak memory (ru_maxrss) are its own.

    python3 -m uv run python benchmarks/compute/run.py                       # region + pandas + country 1/10
    python3 -m uv run python benchmarks/compute/run.py --only country --fraction 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------- data
def prepare(data: Path, schools: int, municipalities: int, years: int, seed: int = 7) -> Path:
    """A workspace whose warehouse points at a generated country (generated once, then reused)."""
    from msoko.core.workspace import Workspace
    from msoko.engine.warehouse import Warehouse
    from msoko.synth import generate_country

    home = data / f"ws-{schools}-{years}"
    marker = home / "READY"
    if marker.exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    ws = Workspace(home).ensure()
    raw = home / "raw"
    started = time.perf_counter()
    country = generate_country(raw, seed=seed, municipalities=municipalities, schools=schools, years=years)
    print(f"  generated {sum(country.rows.values()):,} rows in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    wh = Warehouse(ws.warehouse)
    manifest = {"datasets": {}}
    for name, path in country.files.items():
        if not str(path).endswith(".parquet"):
            continue
        version = uuid.uuid4().hex
        folder = wh.version_dir(name, version)
        folder.mkdir(parents=True)
        os.replace(path, folder / "part-0.parquet")
        manifest["datasets"][name] = {"all": version}
    wh.write_manifest(manifest)
    marker.write_text(json.dumps(country.rows), encoding="utf-8")
    return home


# ---------------------------------------------------------------------------------- measured steps
STABLE = ("vpr_base", "vpr_quality", "vpr_high", "vpr_confirmed", "vpr_raised", "vpr_lowered", "oge_fail",
          "ege_below_min", "ege_80plus", "ege_mean")


def child_engine(home: str, memory: str, stable_only: bool = False) -> dict:
    from msoko.core.workspace import Workspace
    from msoko.engine.catalog import default_catalog
    from msoko.engine.pipeline import recompute

    ws = Workspace(Path(home))
    shutil.rmtree(ws.results, ignore_errors=True)
    ws.ensure()
    started = time.perf_counter()
    catalog = default_catalog()
    if stable_only:  # the same indicators as the pandas baseline (the engine still adds grades, ranks, CIs…)
        catalog = catalog.model_copy(update={"indicators": tuple(i for i in catalog.indicators
                                                                 if i.code in STABLE)})
    summary = recompute(ws, catalog=catalog, memory_limit=memory)
    return {"seconds": round(time.perf_counter() - started, 2), "value_rows": summary.rows,
            "indicators": len(summary.computed), "years": summary.years, "peak_mib": round(peak_mib())}


def child_pandas(home: str) -> dict:
    """The stable result indicators, pooled and by subject, at the four levels — the plain pandas way."""
    import numpy as np
    import pandas as pd

    from msoko.engine.reference import default_scales
    from msoko.engine.warehouse import Warehouse

    started = time.perf_counter()
    wh = Warehouse(Path(home) / "warehouse")
    orgs = pd.read_parquet(wh.files("organisations")[0], columns=["org_id", "municipality_id", "region_id"])
    vpr = pd.read_parquet(wh.files("vpr")[0], columns=["year", "org_id", "subject", "mark", "journal_mark"])
    gia = pd.read_parquet(wh.files("gia")[0],
                          columns=["year", "org_id", "subject", "exam", "primary_score", "test_score", "mark"])
    scales = default_scales().to_pandas()

    vpr = vpr.merge(orgs, on="org_id")
    has_j = vpr["journal_mark"].notna()
    vpr = vpr.assign(
        base=(vpr["mark"] >= 3).astype(int), quality=vpr["mark"].isin([4, 5]).astype(int),
        high=(vpr["mark"] == 5).astype(int), j=has_j.astype(int),
        confirmed=(has_j & (vpr["mark"] == vpr["journal_mark"])).astype(int),
        raised=(has_j & (vpr["mark"] > vpr["journal_mark"])).astype(int),
        lowered=(has_j & (vpr["mark"] < vpr["journal_mark"])).astype(int), n=1)

    oge = gia[gia["exam"] == "ОГЭ"].merge(orgs, on="org_id")
    bands = scales[(scales["procedure"] == "ОГЭ") & scales["mark_or_level"].isin(["2", "3", "4", "5"])]
    bands = bands.assign(scale_mark=bands["mark_or_level"].astype(int))[
        ["year", "subject", "scale_mark", "min_score", "max_score"]]
    oge = oge.reset_index(drop=True).reset_index().merge(bands, on=["year", "subject"], how="left")
    inside = oge["scale_mark"].isna() | oge["primary_score"].between(oge["min_score"], oge["max_score"])
    oge = oge[inside].drop_duplicates("index")
    oge = oge.assign(mark2=np.where(oge["scale_mark"].notna(), oge["scale_mark"], oge["mark"]))
    oge = oge.assign(fail=(oge["mark2"] == 2).astype(int), m=oge["mark2"].notna().astype(int))

    ege = gia[gia["exam"] == "ЕГЭ"].merge(orgs, on="org_id")
    mins = scales[(scales["procedure"] == "ЕГЭ") & (scales["mark_or_level"] == "min")][
        ["year", "subject", "min_score"]].drop_duplicates(["year", "subject"])
    ege = ege.merge(mins, on=["year", "subject"], how="left")
    t = ege["test_score"]
    ege = ege.assign(below=(t < ege["min_score"]).astype(int),
                     known=(t.notna() & ege["min_score"].notna()).astype(int),
                     p80=(t >= 80).astype(int), tn=t.notna().astype(int), ts=t.fillna(0))

    out = []
    for level, key in (("organisation", "org_id"), ("municipality", "municipality_id"),
                       ("region", "region_id"), ("total", None)):
        for by_subject in (False, True):
            keys = ([key] if key else []) + ["year"] + (["subject"] if by_subject else [])
            v = vpr.groupby(keys).sum(numeric_only=True)
            for code, num, den in (("vpr_base", "base", "n"), ("vpr_quality", "quality", "n"),
                                   ("vpr_high", "high", "n"), ("vpr_confirmed", "confirmed", "j"),
                                   ("vpr_raised", "raised", "j"), ("vpr_lowered", "lowered", "j")):
                out.append(pd.DataFrame({"level": level, "indicator": code, "value": v[num] / v[den]}))
            o = oge.groupby(keys).sum(numeric_only=True)
            out.append(pd.DataFrame({"level": level, "indicator": "oge_fail", "value": o["fail"] / o["m"]}))
            e = ege.groupby(keys).sum(numeric_only=True)
            out.append(pd.DataFrame({"level": level, "indicator": "ege_below_min", "value": e["below"] / e["known"]}))
            out.append(pd.DataFrame({"level": level, "indicator": "ege_80plus", "value": e["p80"] / e["tn"]}))
            out.append(pd.DataFrame({"level": level, "indicator": "ege_mean", "value": e["ts"] / e["tn"]}))
    rows = sum(len(f) for f in out)
    return {"seconds": round(time.perf_counter() - started, 2), "value_rows": rows, "peak_mib": round(peak_mib())}


def run_child(kind: str, home: Path, memory: str) -> dict:
    proc = subprocess.run([sys.executable, str(HERE), "--child", kind, "--home", str(home), "--memory", memory],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["region", "country"], default=None)
    parser.add_argument("--fraction", type=float, default=0.1, help="share of the 40,000-school country")
    parser.add_argument("--region-schools", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path("/tmp/msoko-bench-compute"))
    parser.add_argument("--memory", default="6GB", help="DuckDB memory limit")
    parser.add_argument("--child", choices=["engine", "engine-stable", "pandas"])
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.child:
        if args.child == "pandas":
            result = child_pandas(str(args.home))
        else:
            result = child_engine(str(args.home), args.memory, stable_only=args.child == "engine-stable")
        print(json.dumps(result))
        return
    args.data.mkdir(parents=True, exist_ok=True)
    report = {"machine": f"{os.cpu_count()} cores", "years": args.years}
    if args.only in (None, "region"):
        home = prepare(args.data, args.region_schools, max(1, args.region_schools // 25), args.years)
        rows = json.loads((home / "READY").read_text())
        engine = run_child("engine", home, args.memory)
        stable = run_child("engine-stable", home, args.memory)
        pandas = run_child("pandas", home, args.memory)
        report["region"] = {"schools": args.region_schools, "result_rows": rows, "engine": engine,
                            "engine_stable_only": stable, "pandas_stable_only": pandas,
                            "ratio_pandas_over_engine_stable": round(pandas["seconds"] / stable["seconds"], 2),
                            "ratio_pandas_over_engine_full": round(pandas["seconds"] / engine["seconds"], 2)}
        print(json.dumps(report["region"], ensure_ascii=False), flush=True)
    if args.only in (None, "country"):
        schools = round(40000 * args.fraction)
        home = prepare(args.data, schools, max(1, round(2400 * args.fraction)), args.years)
        rows = json.loads((home / "READY").read_text())
        engine = run_child("engine", home, args.memory)
        report["country"] = {"fraction": args.fraction, "schools": schools, "result_rows": rows, "engine": engine}
        print(json.dumps(report["country"], ensure_ascii=False), flush=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

"""Benchmark of detection: precision and recall on generated regions with planted truth; country-scale time.

    python3 -m uv run python benchmarks/detection/run.py                       # regions only
    python3 -m uv run python benchmarks/detection/run.py --country /tmp/country  # + an existing country dir
    python3 -m uv run python benchmarks/detection/run.py --country-fraction 0.1  # + generate 10 % of a country

Regions: `msoko.synth.region.generate_region` for each seed, loaded into a fresh workspace
(`load.py`), `msoko.engine.detection.run`, then school-level precision and recall:

- objectivity: schools with a flagged group in any year vs `ground_truth.json["non_objective"]`; and how
  many honest lyceums (`honest_advanced`) and honest low performers (`low_results`, `adverse_social`) got flagged;
- ШНОР: the list of the last year vs `low_results` (every school meeting the generator's documented
  low-result criterion, planted or natural — docs/decisions/0003), the recall of the planted ones alone,
  each stored reason alone, and a ceiling: the same `standing` method with the generator's true latent
  adversity in place of the social index (diagnostic only; the product never sees it);
- ШНСУ: the list of the last year vs `adverse_social`, and vs latent adversity ≥ 0.75.

Country: the Parquet files of `msoko.synth.country.generate_country` are linked into a warehouse and
`run` is timed in a child process; peak memory is the child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.detection.load import load_region  # noqa: E402

from msoko.core.workspace import Workspace  # noqa: E402
from msoko.engine.detection import DetectionResults, data, objectivity, run, standing  # noqa: E402
from msoko.engine.detection.config import DetectionConfig  # noqa: E402
from msoko.engine.warehouse import Warehouse  # noqa: E402
from msoko.synth import plants  # noqa: E402
from msoko.synth.region import generate_region  # noqa: E402


def _score(selected: set[str], truth: set[str]) -> dict:
    tp = len(selected & truth)
    return {"tp": tp, "selected": len(selected), "truth": len(truth)}


def _add(total: dict, key: str, part: dict) -> None:
    acc = total.setdefault(key, {"tp": 0, "selected": 0, "truth": 0})
    for k in acc:
        acc[k] += part[k]


def _pr(acc: dict) -> str:
    p = acc["tp"] / acc["selected"] if acc["selected"] else float("nan")
    r = acc["tp"] / acc["truth"] if acc["truth"] else float("nan")
    return f"precision {p:.2f} recall {r:.2f} (tp {acc['tp']}, selected {acc['selected']}, truth {acc['truth']})"


def region_benchmark(seeds: list[int], schools: int, work: Path) -> dict:
    total: dict = {}
    seconds = []
    for seed in seeds:
        src, home = work / f"region-{seed}", work / f"ws-{seed}"
        region = generate_region(src, seed=seed, schools=schools)
        ws = Workspace(home).ensure()
        load_region(src, ws)
        started = time.perf_counter()
        run(ws)
        seconds.append(time.perf_counter() - started)
        res = DetectionResults.open(ws.results)
        gt = region.ground_truth
        planted_no, low, adv, lyceums = (
            {x["org_id"] for x in gt[key]} for key in ("non_objective", "low_results", "adverse_social", "honest_advanced")
        )
        planted_low = {x["org_id"] for x in gt["low_results"] if x.get("planted")}
        # diagnostic (decision 0003, «considered, not adopted»): the criterion with the region's own ordinary
        # schools of the same locality as reference instead of the model's population constant
        regional_low = _regional_low(seed, region.schools, region.years)
        sch = region.schools
        latent = pl.DataFrame({"org_id": list(sch.org_id), "adversity": sch.adversity})
        latent_adv = set(latent.filter(pl.col("adversity") >= 0.75)["org_id"]) | adv

        flagged = set(res.flagged_schools())
        _add(total, "objectivity", _score(flagged, planted_no))
        _add(total, "objectivity: honest lyceums flagged", _score(flagged, lyceums))
        _add(total, "objectivity: honest low performers flagged", _score(flagged, low | adv))
        risk = res.risk()
        last = risk.filter(pl.col("year") == risk["year"].max())
        shnor = set(last.filter(pl.col("shnor"))["org_id"])
        shnsu = set(last.filter(pl.col("shnsu"))["org_id"])
        _add(total, "ШНОР vs low_results (criterion)", _score(shnor, low))
        _add(total, "ШНОР: planted low-result schools found", _score(shnor, planted_low))
        _add(total, "  ШНОР vs a regional reference (diagnostic)", _score(shnor, regional_low))
        for reason in ("low_standing", "cluster_bottom", "region_bottom", "below_expected", "federal_risk"):
            _add(total, f"  {reason} alone vs low_results", _score(set(last.filter(pl.col(reason))["org_id"]), low))
        _add(total, "  ceiling: standing with true adversity", _score(_oracle_standing(ws, latent, res), low))
        _add(total, "ШНСУ vs planted", _score(shnsu, adv))
        _add(total, "ШНСУ vs latent truth", _score(shnsu, latent_adv))
        print(f"seed {seed}: detection {seconds[-1]:.2f} s", flush=True)
    return {"seeds": seeds, "schools": schools, "scores": total, "seconds": seconds}


def _regional_low(seed: int, sch, years) -> set[str]:
    """Schools whose latent standing is ≤ the threshold below the mean of the region's ordinary schools
    (not advanced, not correctional) of the same locality — the alternative reference of decision 0003."""
    value = plants.standing(seed, sch, years)
    ordinary = (sch.advanced == 0) & (sch.correctional == 0)
    reference = np.zeros(len(value))
    for rural in (0, 1):
        here = sch.rural == rural
        if (here & ordinary).any():
            reference[here] = value[here & ordinary].mean()
    low = (value - reference <= plants.LOW_RESULTS_THRESHOLD) & (sch.correctional == 0)
    return {sch.org_id[i] for i in np.flatnonzero(low)}


def _oracle_standing(ws: Workspace, latent: pl.DataFrame, res: DetectionResults) -> set[str]:
    """The `standing` rule of the last year with the generator's latent adversity as the context index."""
    con = data.connect(Warehouse(ws.warehouse))
    try:
        frames = data.build(con, 2, 2)
    finally:
        con.close()
    vpr = objectivity.with_effect(frames["vpr"], ["region_id", "year", "subject", "grade"])
    gia = objectivity.with_effect(frames["gia"], ["region_id", "year", "exam", "subject"])
    years = sorted(set(vpr["year"].to_list()))
    soc = pl.concat([latent.select(pl.lit(y, dtype=pl.Int32).alias("year"), "org_id",
                                   (-pl.col("adversity")).alias("social_index")) for y in years])
    flagged = res.objectivity().select(*standing.FLAG_KEY, "flagged")
    out = standing.evaluate(vpr, gia, soc, frames["organisations"], DetectionConfig().standing, flagged=flagged)
    return set(out.filter(pl.col("year") == max(years), pl.col("low_standing"))["org_id"])


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from msoko.core.workspace import Workspace
from msoko.engine.detection import run
ws = Workspace(Path(sys.argv[1]))
t = time.perf_counter()
summary = run(ws, progress=lambda step, done, total: print(f"  {done}/{total} {step} {time.perf_counter() - t:.1f} s",
                                                             flush=True))
summary["wall"] = time.perf_counter() - t
print("RESULT " + json.dumps(summary), flush=True)
"""


def country_workspace(country_dir: Path, home: Path) -> Workspace:
    ws = Workspace(home).ensure()
    wh = Warehouse(ws.warehouse)
    manifest = {"datasets": {}}
    for name in ("organisations", "context", "vpr", "gia", "vpr_tasks"):
        src = country_dir / f"{name}.parquet"
        if not src.exists():
            continue
        version = uuid.uuid4().hex
        folder = wh.version_dir(name, version)
        folder.mkdir(parents=True)
        os.symlink(src.resolve(), folder / "part-0.parquet")
        manifest["datasets"][name] = {"all": version}
    wh.write_manifest(manifest)
    return ws


def country_benchmark(country_dir: Path, work: Path) -> dict:
    ws = country_workspace(country_dir, work / "ws-country")
    rows = {}
    import pyarrow.parquet as pq

    for name in ("organisations", "context", "vpr", "gia", "vpr_tasks"):
        path = country_dir / f"{name}.parquet"
        if path.exists():
            rows[name] = pq.ParquetFile(path).metadata.num_rows
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ws.root)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(proc.stdout, proc.stderr[-3000:], flush=True)
    result = next((json.loads(line[7:]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")), None)
    return {"rows": rows, "wall_seconds": wall, "peak_rss_mib": max(peak, before) / 1024, "summary": result,
            "returncode": proc.returncode}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="11,12,13,14,15,16,17,18,19,20")
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--country", type=Path, default=None, help="an existing generate_country output folder")
    parser.add_argument("--country-fraction", type=float, default=None, help="generate this share of a country")
    parser.add_argument("--skip-regions", action="store_true")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="msoko-detection-bench-"))
    out: dict = {"machine": f"{os.cpu_count()} cores"}
    try:
        if not args.skip_regions:
            seeds = [int(s) for s in args.seeds.split(",") if s]
            out["regions"] = region_benchmark(seeds, args.schools, work)
            print("\nGenerated regions:", len(seeds), "seeds ×", args.schools, "schools")
            for key, acc in out["regions"]["scores"].items():
                print(f"  {key:45s} {_pr(acc)}")
            secs = out["regions"]["seconds"]
            print(f"  detection run time: mean {sum(secs) / len(secs):.2f} s, max {max(secs):.2f} s")
        country_dir = args.country
        if country_dir is None and args.country_fraction:
            from msoko.synth.country import generate_country

            country_dir = work / "country"
            frac = args.country_fraction
            gen = generate_country(country_dir, municipalities=max(1, round(2400 * frac)),
                                   schools=max(25, round(40000 * frac)), with_tasks=True)
            out["country_generation_seconds"] = gen.seconds
        if country_dir is not None:
            out["country"] = country_benchmark(Path(country_dir), work)
            c = out["country"]
            print(f"\nCountry ({country_dir}): rows {c['rows']}")
            print(f"  detection wall time {c['wall_seconds']:.1f} s, peak RSS {c['peak_rss_mib']:.0f} MiB")
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

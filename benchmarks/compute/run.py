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
    # the last year is 2026 whatever the length, so every year has the shipped scales (2022–2026)
    country = generate_country(raw, seed=seed, municipalities=municipalities, schools=schools, years=years,
                               first_year=min(2024, 2027 - years))
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
    started, cpu = time.perf_counter(), time.process_time()
    catalog = default_catalog()
    if stable_only:  # the same indicators as the pandas baseline (the engine still adds grades, ranks, CIs…)
        catalog = catalog.model_copy(update={"indicators": tuple(i for i in catalog.indicators
                                                                 if i.code in STABLE)})
    summary = recompute(ws, catalog=catalog, memory_limit=memory)
    return {"seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
            "value_rows": summary.rows,
            "indicators": len(summary.computed), "years": summary.years, "peak_mib": round(peak_mib())}


# The ten stable result indicators: code → (dataset, numerator column, denominator column, direction, is_share).
# Column names are the per-row 0/1 (or score) columns child_pandas derives; the formulas they implement are
# the catalog's (src/msoko/engine/catalog/default/indicators/1.1.yaml). Each value rests on count(*) results.
PANDAS_INDICATORS = {
    "vpr_base": ("vpr", "base", "n", "higher_is_better", True),  # count_if(mark >= 3) / count(*)
    "vpr_quality": ("vpr", "quality", "n", "higher_is_better", True),  # count_if(mark IN (4, 5)) / count(*)
    "vpr_high": ("vpr", "high", "n", "higher_is_better", True),  # count_if(mark = 5) / count(*)
    "vpr_confirmed": ("vpr", "confirmed", "j", "higher_is_better", True),  # count_if(mark = journal) / count(journal)
    "vpr_raised": ("vpr", "raised", "j", "neutral", True),  # count_if(mark > journal_mark) / count(journal_mark)
    "vpr_lowered": ("vpr", "lowered", "j", "lower_is_better", True),  # count_if(mark < journal) / count(journal)
    "oge_fail": ("oge", "fail", "m", "lower_is_better", True),  # count_if(mark = 2) / count(mark), mark by scale
    "ege_below_min": ("ege", "below", "known", "lower_is_better", True),  # test < year's minimum / both known
    "ege_80plus": ("ege", "p80", "tn", "higher_is_better", True),  # count_if(test_score >= 80) / count(test_score)
    "ege_mean": ("ege", "ts", "tn", "higher_is_better", False),  # avg(test_score) = sum / count
}
MIN_GROUP = 10  # min_group_size of all ten
Z = 1.959963984540054  # 97.5 % normal quantile, for the 95 % Wilson interval
BREAKDOWNS = {"vpr": ([], ["subject"], ["grade"], ["subject", "grade"]), "oge": ([], ["subject"]),
              "ege": ([], ["subject"])}
KEYS = ["level", "id", "year", "subject", "grade", "indicator"]
COMPARED = ("value", "numerator", "denominator", "group_size", "under_min_group", "change", "target", "attainment",
            "rank", "peers", "percentile", "best_value", "ci_low", "ci_high")


def pandas_values(home: str, preaggregate: bool = False):
    """The ten stable indicators the plain pandas way: the same rows and columns as the engine's run
    (except the version stamps), one groupby per level × breakdown over the row-level frames — or, with
    `preaggregate`, over each frame first summed per organisation × year × breakdown (the engine's plan)."""
    import numpy as np
    import pandas as pd

    from msoko.engine.reference import SCALES_CSV
    from msoko.engine.warehouse import Warehouse

    wh = Warehouse(Path(home) / "warehouse")
    if wh.files("scales"):
        raise SystemExit("the pandas baseline reads only the shipped scales; this warehouse has its own")
    orgs = pd.read_parquet(wh.files("organisations"),
                           columns=["org_id", "municipality_id", "region_id"]).drop_duplicates()
    vpr = pd.read_parquet(wh.files("vpr"), columns=["year", "org_id", "subject", "grade", "mark", "journal_mark"])
    gia = pd.read_parquet(wh.files("gia"),
                          columns=["year", "org_id", "subject", "exam", "primary_score", "test_score", "mark"])
    scales = pd.read_csv(SCALES_CSV, dtype={"grade": "Int64"})

    def flag(condition, defined):  # count_if's part: 1/0, NULL where the condition is NULL (as in SQL)
        return condition.astype(float).where(defined)

    # Per-row parts of every formula (count(*) = n); sums skip NULLs and are NULL when all are (min_count=1),
    # as SQL's sum and DuckDB's count_if are.
    vpr = vpr.merge(orgs, on="org_id")
    mark, journal = vpr["mark"], vpr["journal_mark"]
    both = mark.notna() & journal.notna()
    vpr = vpr.assign(n=1, base=flag(mark >= 3, mark.notna()), quality=flag(mark.isin([4, 5]), mark.notna()),
                     high=flag(mark == 5, mark.notna()), j=journal.notna().astype(int),
                     confirmed=flag(mark == journal, both), raised=flag(mark > journal, both),
                     lowered=flag(mark < journal, both))

    # ОГЭ: the mark by that year's primary-score scale for the subject; the file's mark where no band fits.
    oge = gia[gia["exam"] == "ОГЭ"].merge(orgs, on="org_id").reset_index(drop=True)
    bands = scales[(scales["procedure"] == "ОГЭ") & (scales["score_kind"] == "primary")
                   & scales["mark_or_level"].isin(["2", "3", "4", "5"])]
    bands = bands.assign(scale_mark=bands["mark_or_level"].astype(int))[
        ["year", "subject", "scale_mark", "min_score", "max_score"]]
    fits = oge[["year", "subject", "primary_score"]].reset_index().merge(bands, on=["year", "subject"])
    fits = fits[fits["primary_score"].between(fits["min_score"], fits["max_score"])]
    oge = oge.merge(fits[["index", "scale_mark"]], left_index=True, right_on="index", how="left")
    oge = oge.assign(mark=oge["scale_mark"].fillna(oge["mark"]))
    oge = oge.assign(n=1, fail=flag(oge["mark"] == 2, oge["mark"].notna()), m=oge["mark"].notna().astype(int))

    # ЕГЭ: that year's minimum test score for the subject.
    mins = (scales[(scales["procedure"] == "ЕГЭ") & (scales["mark_or_level"] == "min")]
            .groupby(["year", "subject"], as_index=False)["min_score"].max())
    ege = gia[gia["exam"] == "ЕГЭ"].merge(orgs, on="org_id").merge(mins, on=["year", "subject"], how="left")
    t = ege["test_score"]
    known = t.notna() & ege["min_score"].notna()
    ege = ege.assign(n=1, below=flag(t < ege["min_score"], known), known=known.astype(int),
                     p80=flag(t >= 80, t.notna()), tn=t.notna().astype(int), ts=t.astype(float))

    frames = {"vpr": vpr, "oge": oge, "ege": ege}
    out = []
    for dataset, frame in frames.items():
        codes = [c for c, spec in PANDAS_INDICATORS.items() if spec[0] == dataset]
        parts = sorted({"n"} | {PANDAS_INDICATORS[c][1] for c in codes} | {PANDAS_INDICATORS[c][2] for c in codes})
        if preaggregate:
            units = ["org_id", "municipality_id", "region_id", "year", *BREAKDOWNS[dataset][-1]]
            frame = frame.groupby(units, dropna=False)[parts].sum(min_count=1).reset_index()
        for level, key in (("organisation", "org_id"), ("municipality", "municipality_id"),
                           ("region", "region_id"), ("total", None)):
            for by in BREAKDOWNS[dataset]:
                keys = ([key] if key else []) + ["year"] + by
                sums = frame.groupby(keys)[parts].sum(min_count=1).reset_index()
                sums = sums.rename(columns={key: "id"}) if key else sums.assign(id="total")
                for code in codes:
                    _, num, den, _, _ = PANDAS_INDICATORS[code]
                    out.append(pd.DataFrame({
                        "level": level, "id": sums["id"], "year": sums["year"].astype("int64"),
                        "subject": sums["subject"] if "subject" in by else None,
                        "grade": sums["grade"].astype("Int64") if "grade" in by else pd.NA,
                        "indicator": code, "numerator": sums[num].astype(float),
                        "denominator": sums[den].astype(float), "group_size": sums["n"].astype("int64")}))
    values = pd.concat(out, ignore_index=True)
    values["grade"] = values["grade"].astype("Int64")
    values["value"] = values["numerator"] / values["denominator"].where(values["denominator"] != 0)
    direction = values["indicator"].map({c: s[3] for c, s in PANDAS_INDICATORS.items()})
    values["under_min_group"] = values["group_size"] < MIN_GROUP

    # Change from the immediately previous year of the same series.
    series = ["level", "id", "indicator", "subject", "grade"]
    previous = values[[*series, "year", "value"]].assign(year=values["year"] + 1)
    values = values.merge(previous.rename(columns={"value": "previous"}), on=[*series, "year"], how="left")
    values["change"] = values["value"] - values["previous"]
    values["target"] = np.nan  # none of the ten has a target
    values["attainment"] = np.nan

    # Rank, peers, percentile and best value among the same level, year, indicator and breakdown.
    direction = values["indicator"].map({c: s[3] for c, s in PANDAS_INDICATORS.items()})
    ranked = values["value"].notna() & (values["group_size"] >= MIN_GROUP) & (direction != "neutral")
    order_key = values["value"].where(direction == "lower_is_better", -values["value"]).where(ranked)
    peers = values[["level", "year", "indicator", "subject", "grade"]].assign(order_key=order_key)
    grouped = peers.groupby(["level", "year", "indicator", "subject", "grade"], dropna=False)["order_key"]
    rank = grouped.rank(method="min")
    count = grouped.transform("count").where(ranked)
    best = grouped.transform("min").where(ranked)
    values["rank"], values["peers"] = rank.astype("Int64"), count.astype("Int64")
    values["best_value"] = best.where(direction == "lower_is_better", -best)
    values["percentile"] = (100.0 * (count - rank) / (count - 1)).where(count > 1, 100.0).where(ranked)

    # 95 % Wilson interval for shares.
    share = values["indicator"].map({c: s[4] for c, s in PANDAS_INDICATORS.items()})
    p, d = values["value"], values["denominator"].where(share & (values["denominator"] > 0))
    centre, spread = p + Z**2 / (2 * d), Z * np.sqrt(p * (1 - p) / d + Z**2 / (4 * d * d))
    values["ci_low"] = (centre - spread) / (1 + Z**2 / d)
    values["ci_high"] = (centre + spread) / (1 + Z**2 / d)
    return values[[*KEYS, *COMPARED]]


def child_pandas(home: str, preaggregate: bool = False) -> dict:
    """Times pandas_values (imports excluded, as for the engine); the frame is written afterwards, untimed."""
    import numpy  # noqa: F401 — imported before the clock starts, like the engine's modules
    import pandas  # noqa: F401

    started, cpu = time.perf_counter(), time.process_time()
    values = pandas_values(home, preaggregate)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    written = time.perf_counter()
    values.to_parquet(Path(home) / pandas_file(preaggregate), index=False)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "value_rows": len(values),
            "peak_mib": round(peak_mib()),
            "write_seconds_untimed": round(time.perf_counter() - written, 2)}


def pandas_file(preaggregate: bool) -> str:
    return "pandas-values-preaggregated.parquet" if preaggregate else "pandas-values.parquet"


def compare(home: Path, preaggregate: bool = False) -> dict:
    """Engine run (the stable-only one, still in the workspace) against the pandas frame: every row by its
    keys, every compared column equal (numbers within 1e-9, NULL only where the other is NULL)."""
    import duckdb

    runs = sorted((home / "results" / "indicators" / "runs").glob("*/*.parquet"))
    con = duckdb.connect()
    con.execute(f"CREATE TABLE e AS SELECT * FROM read_parquet({[str(r) for r in runs]}) "
                f"WHERE indicator IN {STABLE}")  # noqa: S608
    con.execute(f"CREATE TABLE p AS SELECT * FROM read_parquet('{home / pandas_file(preaggregate)}')")  # noqa: S608
    on = " AND ".join(f"e.{k} IS NOT DISTINCT FROM p.{k}" for k in KEYS)
    result = {"engine_rows": con.execute("SELECT count(*) FROM e").fetchall()[0][0],
              "pandas_rows": con.execute("SELECT count(*) FROM p").fetchall()[0][0]}
    result["only_engine"] = con.execute(f"SELECT count(*) FROM e ANTI JOIN p ON {on}").fetchall()[0][0]
    result["only_pandas"] = con.execute(f"SELECT count(*) FROM p ANTI JOIN e ON {on}").fetchall()[0][0]
    checks = []
    for c in COMPARED:
        checks.append(f"count_if((e.{c} IS NULL) <> (p.{c} IS NULL)) AS {c}_null")
        checks.append(f"coalesce(max(abs(CAST(e.{c} AS DOUBLE) - CAST(p.{c} AS DOUBLE))), 0) AS {c}_diff")
    row = con.execute(f"SELECT {', '.join(checks)} FROM e JOIN p ON {on}").fetchall()[0]  # noqa: S608
    names = [d[0] for d in con.description]
    bad = {n: v for n, v in zip(names, row, strict=True) if v}
    by_level = con.execute("SELECT level, CASE WHEN grade IS NULL THEN coalesce(subject IS NOT NULL, false) "
                           "ELSE 2 + (subject IS NOT NULL)::INT END AS breakdown, count(*) FROM e "
                           "GROUP BY ALL ORDER BY ALL").fetchall()
    result["rows_by_level_breakdown"] = {f"{lv}/{['pooled', 'subject', 'grade', 'subject×grade'][int(b)]}": n
                                         for lv, b, n in by_level}
    result["mismatches"] = bad
    result["equal"] = (not bad and not result["only_engine"] and not result["only_pandas"]
                       and result["engine_rows"] == result["pandas_rows"])
    return result


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
    parser.add_argument("--child", choices=["engine", "engine-stable", "pandas", "pandas-preaggregated"])
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.child:
        if args.child.startswith("pandas"):
            result = child_pandas(str(args.home), preaggregate=args.child == "pandas-preaggregated")
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
        equality = compare(home)
        pre = run_child("pandas-preaggregated", home, args.memory)
        pre["equal"] = compare(home, preaggregate=True)["equal"]
        report["region"] = {"schools": args.region_schools, "result_rows": rows, "engine": engine,
                            "engine_stable_only": stable, "pandas_stable_only": pandas, "equality": equality,
                            "pandas_preaggregated": pre,
                            "ratio_preaggregated_over_engine_stable": round(pre["seconds"] / stable["seconds"], 2),
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

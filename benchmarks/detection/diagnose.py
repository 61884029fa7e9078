"""ШНОР diagnostics: per-school table of the `standing` numbers against the generator's latent standing.

    python3 -m uv run python benchmarks/detection/diagnose.py --seeds 11,12 --cache /tmp/msoko-shnor-cache

For each seed the region is generated and loaded once into `--cache` (kept between runs); the group
aggregates with effects, the social index and the registry are stored there as Parquet together with the
generator's latent numbers (standing, adversity, size, type). `--show` prints every school that is a false
positive or a false negative of the default ШНОР list of the last year with its numbers.
Diagnostic only: the product never sees the latent numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.detection.load import load_region  # noqa: E402

from msoko.core.workspace import Workspace  # noqa: E402
from msoko.engine.detection import data, objectivity, social, standing  # noqa: E402
from msoko.engine.detection.config import DetectionConfig, StandingConfig  # noqa: E402
from msoko.engine.warehouse import Warehouse  # noqa: E402
from msoko.synth.plants import standing as latent_standing  # noqa: E402
from msoko.synth.region import generate_region  # noqa: E402


def cached(seed: int, cache: Path) -> dict[str, pl.DataFrame]:
    folder = cache / f"seed-{seed}"
    names = ("vpr", "gia", "social", "organisations", "latent", "objectivity")
    if not all((folder / f"{n}.parquet").exists() for n in names):
        src, home = folder / "region", folder / "ws"
        region = generate_region(src, seed=seed, schools=60)
        ws = Workspace(home).ensure()
        load_region(src, ws)
        con = data.connect(Warehouse(ws.warehouse))
        try:
            frames = data.build(con, 2, 2)
        finally:
            con.close()
        cfg = DetectionConfig()
        vpr = objectivity.with_effect(frames["vpr"], ["region_id", "year", "subject", "grade"])
        gia = objectivity.with_effect(frames["gia"], ["region_id", "year", "exam", "subject"])
        soc, _used = social.index(frames["context"], frames["organisations"], cfg.social)
        groups, _signs = objectivity.evaluate(frames["vpr"], frames["gia"], cfg.objectivity)
        sch = region.schools
        gt = region.ground_truth
        low = {x["org_id"] for x in gt["low_results"]}
        planted = {x["org_id"] for x in gt["low_results"] if x.get("planted")}
        latent = pl.DataFrame({
            "org_id": list(sch.org_id),
            "latent_standing": latent_standing(seed, sch, region.years),
            "adversity": sch.adversity, "effect": sch.effect, "small": sch.small.astype(int),
            "advanced": sch.advanced.astype(int), "rural": sch.rural.astype(int),
            "top_grade": sch.top_grade.astype(int), "students": sch.students.astype(int),
            "correctional": sch.correctional.astype(int),
        }).with_columns(pl.col("org_id").is_in(list(low)).alias("truth"),
                        pl.col("org_id").is_in(list(planted)).alias("planted"))
        for name, df in (("vpr", vpr), ("gia", gia), ("social", soc), ("organisations", frames["organisations"]),
                         ("latent", latent), ("objectivity", groups)):
            df.write_parquet(folder / f"{name}.parquet")
        (folder / "ground_truth.json").write_text(json.dumps(gt, ensure_ascii=False), encoding="utf-8")
    return {n: pl.read_parquet(folder / f"{n}.parquet") for n in names}


def table(f: dict[str, pl.DataFrame], cfg: StandingConfig, evaluate=standing.evaluate) -> pl.DataFrame:
    """The last year's standing of every school joined with its latent numbers."""
    out = evaluate(f["vpr"], f["gia"], f["social"], f["organisations"], cfg,
                   flagged=f["objectivity"].select(*standing.FLAG_KEY, "flagged"))
    last = out["year"].max()
    soc = f["social"].filter(pl.col("year") == last).select("org_id", "social_index")
    return (f["latent"].filter(pl.col("correctional") == 0)
            .join(out.filter(pl.col("year") == last), on="org_id", how="left")
            .join(soc, on="org_id", how="left")
            .with_columns(pl.col("low_standing").fill_null(False)))


def score(tabs: list[pl.DataFrame], col: str = "low_standing") -> tuple[float, float, int, int, int]:
    tp = sel = tru = 0
    for t in tabs:
        tp += t.filter(pl.col(col) & pl.col("truth")).height
        sel += t.filter(pl.col(col)).height
        tru += t.filter(pl.col("truth")).height
    return (tp / sel if sel else float("nan"), tp / tru if tru else float("nan"), tp, sel, tru)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="11,12,13,14,15,16,17,18,19,20")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/msoko-shnor-cache"))
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s]
    cfg = DetectionConfig().standing
    tabs = []
    for seed in seeds:
        t = table(cached(seed, args.cache), cfg).with_columns(pl.lit(seed).alias("seed"))
        tabs.append(t)
    p, r, tp, sel, tru = score(tabs)
    print(f"default standing: precision {p:.2f} recall {r:.2f} (tp {tp}, selected {sel}, truth {tru})")
    if args.show:
        err = pl.concat(tabs).filter(pl.col("low_standing") != pl.col("truth")).with_columns(
            pl.when(pl.col("truth")).then(pl.lit("FN")).otherwise(pl.lit("FP")).alias("err"))
        with pl.Config(tbl_rows=200, tbl_cols=30, tbl_width_chars=250):
            print(err.select("seed", "err", "org_id", "latent_standing", "standing_z", "standing_gap",
                             "standing_result", "standing_expected", "standing_n", "standing_years", "adversity",
                             "social_index", "small", "top_grade", "rural", "planted").sort("err", "latent_standing"))


if __name__ == "__main__":
    main()

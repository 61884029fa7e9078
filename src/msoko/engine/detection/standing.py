"""ШНОР: the school's standing against schools of comparable context over several years (the default list).

Seed 004: a low-result school «в течение продолжительного периода демонстрирует … учебные результаты хуже,
чем все школы в кластере». Bands of the social index (`clusters`) state that in one sentence but cut a
continuous context into a few steps and judge every year on its own; with ~60 schools a region's yearly
ranks are too noisy for a precise list. This module measures the same thing in one step per list year:

1. **Result over the window.** For the list year Y and each school: every ВПР (subject × grade) and ОГЭ/ЕГЭ
   (subject) group of the configured subjects in the years Y − `years` + 1 … Y; each group's effect (mean
   standardised score minus the region's, in pupil σ) is averaged, weighted by participants. A school
   needs `min_years` years with data and `min_participants` participants in the window. With
   `exclude_flagged`, ВПР groups flagged for signs of non-objective results (`objectivity`) are left out:
   marked-up checking is not a measure of what pupils can do, it would hide a low school behind its own
   inflated ВПР and, in the line of step 2, lift the expected result of every school of that context.
   The school's ОГЭ/ЕГЭ and unflagged ВПР still count.
2. **Expected result for the context.** Within the region, the window result is regressed (least squares)
   on the window mean of the social well-being index and, when the registry has both, urban/rural. The
   line is fitted on schools that are not lyceums/gymnasiums/in-depth schools (`advanced`): their results
   come from selection, not from context, and would tilt the line; they are then compared with the same
   line. `gap` = result − expected.
3. **Shrinkage (empirical Bayes).** A small school's gap is mostly sampling noise: with v = 1/n the sampling
   variance of a mean of standardised scores and τ² = var(gap) − mean(v) the spread between schools beyond
   it, the gap is shrunk to gap·τ²/(τ² + v). `z` = shrunk gap / τ: how many between-school SDs the school
   stands under schools of comparable context.
4. **Low standing.** `z ≤ −threshold_sd`.

Everything is per region: a school is only ever compared with schools of its own region and window.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from msoko.engine.detection.config import StandingConfig

SCHEMA = {
    "year": pl.Int32, "org_id": pl.Utf8, "standing_years": pl.Int32, "standing_n": pl.Int64,
    "standing_result": pl.Float64, "standing_expected": pl.Float64, "standing_gap": pl.Float64,
    "standing_z": pl.Float64, "standing_tau": pl.Float64, "low_standing": pl.Boolean,
}


def _subject_ok(col: str, subjects: list[str]) -> pl.Expr:
    expr = pl.lit(False)
    for s in subjects:
        expr = expr | pl.col(col).str.starts_with(s)
    return expr


FLAG_KEY = ["year", "org_id", "subject", "grade"]


def _without_flagged(vpr: pl.DataFrame, flagged: pl.DataFrame | None) -> pl.DataFrame:
    """ВПР groups minus those in `flagged` (year, org_id, subject, grade — e.g. objectivity groups with
    `flagged`); no-op when nothing is flagged."""
    if flagged is None or flagged.is_empty() or vpr.is_empty() or not set(FLAG_KEY) <= set(vpr.columns):
        return vpr
    if "flagged" in flagged.columns:
        flagged = flagged.filter(pl.col("flagged"))
    keys = flagged.select(pl.col("year").cast(pl.Int32), pl.col("org_id").cast(pl.Utf8),
                          pl.col("subject").cast(pl.Utf8), pl.col("grade").cast(pl.Int32)).unique()
    probe = vpr.select(pl.col("year").cast(pl.Int32), pl.col("org_id").cast(pl.Utf8),
                       pl.col("subject").cast(pl.Utf8), pl.col("grade").cast(pl.Int32))
    hit = probe.join(keys.with_columns(pl.lit(True).alias("_hit")), on=FLAG_KEY, how="left")["_hit"].is_not_null()
    return vpr.filter(~hit)


def _units(vpr: pl.DataFrame, gia: pl.DataFrame, subjects: list[str]) -> pl.DataFrame:
    cols = ["year", "org_id", "region_id", "n", "effect"]
    parts = []
    for df in (vpr, gia):
        if df.is_empty() or "effect" not in df.columns:
            continue
        parts.append(df.filter(_subject_ok("subject", subjects), pl.col("effect").is_not_null(), pl.col("n") > 0)
                     .select(pl.col("year").cast(pl.Int32), "org_id", pl.col("region_id").cast(pl.Utf8),
                             pl.col("n").cast(pl.Int64), pl.col("effect").cast(pl.Float64)).select(cols))
    if not parts:
        return pl.DataFrame(schema={"year": pl.Int32, "org_id": pl.Utf8, "region_id": pl.Utf8, "n": pl.Int64,
                                    "effect": pl.Float64})
    return pl.concat(parts)


def evaluate(vpr: pl.DataFrame, gia: pl.DataFrame, social: pl.DataFrame, organisations: pl.DataFrame,
             cfg: StandingConfig, flagged: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per school × list year: window result, expected, gap, shrunk z and `low_standing` (see module doc).

    `flagged`: ВПР groups with signs of non-objective results (year, org_id, subject, grade and optionally
    `flagged`), left out of the window when `cfg.exclude_flagged`."""
    if cfg.exclude_flagged:
        vpr = _without_flagged(vpr, flagged)
    units = _units(vpr, gia, cfg.subjects)
    if units.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    orgs = organisations.select(
        "org_id",
        (pl.col("locality") == "urban").cast(pl.Float64).alias("_urban") if "locality" in organisations.columns
        else pl.lit(None, dtype=pl.Float64).alias("_urban"),
        (pl.col("advanced").cast(pl.Int64).fill_null(0) == 1).alias("_advanced") if "advanced" in organisations.columns
        else pl.lit(False).alias("_advanced"),
    ).unique("org_id", keep="first")
    soc = (social.select(pl.col("year").cast(pl.Int32), "org_id", "social_index")
           if not social.is_empty() else pl.DataFrame(schema={"year": pl.Int32, "org_id": pl.Utf8,
                                                              "social_index": pl.Float64}))
    out = []
    for year in sorted(set(units["year"].to_list())):
        first = year - cfg.years + 1
        win = units.filter(pl.col("year").is_between(first, year))
        res = win.group_by("org_id").agg(
            pl.col("region_id").first(),
            ((pl.col("effect") * pl.col("n")).sum() / pl.col("n").sum()).alias("standing_result"),
            pl.col("n").sum().alias("standing_n"),
            pl.col("year").n_unique().cast(pl.Int32).alias("standing_years"),
        ).filter(pl.col("standing_years") >= cfg.min_years, pl.col("standing_n") >= cfg.min_participants)
        ctx = soc.filter(pl.col("year").is_between(first, year)).group_by("org_id").agg(
            pl.col("social_index").mean().alias("_index"))
        res = res.join(ctx, on="org_id", how="left").join(orgs, on="org_id", how="left")
        for _region, part in res.group_by("region_id", maintain_order=True):
            out.append(_fit(part.sort("org_id"), year, cfg))
    out = [o for o in out if o is not None]
    return pl.concat(out).cast(SCHEMA) if out else pl.DataFrame(schema=SCHEMA)


def _fit(part: pl.DataFrame, year: int, cfg: StandingConfig) -> pl.DataFrame | None:
    part = part.filter(pl.col("_index").is_not_null())
    cols = [np.ones(part.height), part["_index"].to_numpy().astype(float)]
    urban = part["_urban"]
    if cfg.locality and urban.null_count() < part.height and urban.drop_nulls().n_unique() > 1:
        cols.append(urban.fill_null(urban.mean()).to_numpy().astype(float))
    design = np.column_stack(cols)
    fit = ~part["_advanced"].fill_null(False).to_numpy() if cfg.exclude_advanced else np.ones(part.height, bool)
    if fit.sum() < design.shape[1] + 5:
        return None
    y = part["standing_result"].to_numpy().astype(float)
    beta, *_ = np.linalg.lstsq(design[fit], y[fit], rcond=None)
    expected = design @ beta
    gap = y - expected
    v = 1.0 / part["standing_n"].to_numpy().astype(float)
    dof = max(1, int(fit.sum()) - design.shape[1])
    tau2 = max(float((gap[fit] ** 2).sum() / dof - v[fit].mean()), 1e-6)
    shrunk = gap * tau2 / (tau2 + v) if cfg.shrinkage else gap
    z = shrunk / np.sqrt(tau2)
    return part.select("org_id", "standing_years", "standing_n", "standing_result").with_columns(
        pl.lit(year, dtype=pl.Int32).alias("year"),
        pl.Series("standing_expected", expected),
        pl.Series("standing_gap", gap),
        pl.Series("standing_z", z),
        pl.lit(float(np.sqrt(tau2))).alias("standing_tau"),
        pl.Series("low_standing", z <= -cfg.threshold_sd),
    ).select(list(SCHEMA))

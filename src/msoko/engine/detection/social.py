"""ШНСУ: the social well-being index (индекс социального благополучия) from the context data.

Variables (seed 004): shares of students registered with ПДН/КДН, from migrant families or with low Russian,
not attested, with systematic absences, with ОВЗ (counts divided by the school's students); remoteness, small
school, infrastructure and internet deficit (0/1); staff vacancies (per teacher). Each variable has a direction
(adverse by default: more = worse) and a weight. Each is normalised within the region and year — by rank
(percentile, robust to outliers; default) or min–max — to an adversity in [0, 1]; the index is
100 × (1 − weighted mean adversity) over the variables the school has, so 100 = most favourable.
Shares of small schools are noisy (3 of 40 pupils is not the same evidence as 30 of 400), so with
`shrinkage` each share is first pulled towards the region's mean by its reliability (empirical Bayes,
as for results). The ШНСУ list is the configured share of the region's schools with the lowest index, or those at or below
a configured threshold.
"""

from __future__ import annotations

import math

import polars as pl

from msoko.engine.detection.config import SocialConfig


def _raw(context: pl.DataFrame, organisations: pl.DataFrame, cfg: SocialConfig) -> tuple[pl.DataFrame, list[str]]:
    orgs = organisations.select(
        "org_id",
        *[pl.col(c).alias(f"_org_{c}") for c in ("students", "teachers", "remote", "small_school", "locality",
                                                  "region_id") if c in organisations.columns],
    )
    df = context.join(orgs, on="org_id", how="left")
    for c in ("students", "teachers"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
        if f"_org_{c}" in df.columns:
            df = df.with_columns(pl.coalesce(pl.col(c).cast(pl.Float64), pl.col(f"_org_{c}").cast(pl.Float64)).alias(c))
    for c in ("remote", "small_school"):
        if f"_org_{c}" in df.columns:
            if c in df.columns:
                df = df.with_columns(pl.coalesce(pl.col(c).cast(pl.Float64), pl.col(f"_org_{c}").cast(pl.Float64)).alias(c))
            else:
                df = df.with_columns(pl.col(f"_org_{c}").cast(pl.Float64).alias(c))
    if "_org_region_id" in df.columns:
        df = df.with_columns(pl.col("_org_region_id").fill_null("").alias("region_id"))
    else:
        df = df.with_columns(pl.lit("").alias("region_id"))
    used = []
    exprs = []
    for var in cfg.variables:
        if var.name not in df.columns:
            continue
        x = pl.col(var.name).cast(pl.Float64)
        if var.per != "none":
            x = x / pl.when(pl.col(var.per) > 0).then(pl.col(var.per)).otherwise(None)
        if var.direction == "favourable":
            x = -x
        exprs.append(x.alias(f"v_{var.name}"))
        used.append(var.name)
    return df.with_columns(exprs), used


def index(context: pl.DataFrame, organisations: pl.DataFrame, cfg: SocialConfig) -> tuple[pl.DataFrame, list[str]]:
    """Per school × year: `v_<var>` (raw), `a_<var>` (adversity 0–1), `social_index` (0–100), `shnsu`."""
    if context.is_empty():
        return pl.DataFrame(schema={"year": pl.Int32, "org_id": pl.Utf8, "region_id": pl.Utf8,
                                    "social_index": pl.Float64, "shnsu": pl.Boolean}), []
    df, used = _raw(context.with_columns(pl.col("year").cast(pl.Int32)), organisations, cfg)
    part = ["region_id", "year"]
    if cfg.shrinkage:
        shrunk = []
        for var in cfg.variables:
            if var.name not in used or var.per != "students":
                continue
            x, n = pl.col(f"v_{var.name}"), pl.col("students").cast(pl.Float64)
            m = x.mean().over(part)
            v = pl.when(n > 0).then((m * (1 - m)).abs() / n).otherwise(None)
            tau2 = pl.max_horizontal(x.var().over(part) - v.mean().over(part), pl.lit(1e-9))
            shrunk.append((m + (x - m) * tau2 / (tau2 + v)).alias(f"v_{var.name}"))
        df = df.with_columns(shrunk)
    norm = []
    for name in used:
        v = pl.col(f"v_{name}")
        if cfg.normalisation == "rank":
            r = v.rank("average").over(part)
            cnt = v.count().over(part)
            a = pl.when(cnt > 1).then((r - 1) / (cnt - 1)).otherwise(0.5)
        else:
            lo, hi = v.min().over(part), v.max().over(part)
            a = pl.when(hi > lo).then((v - lo) / (hi - lo)).otherwise(0.0)
        norm.append(a.alias(f"a_{name}"))
    df = df.with_columns(norm)
    weights = {v.name: v.weight for v in cfg.variables if v.name in used}
    if used:
        num = pl.sum_horizontal([pl.col(f"a_{n}").fill_null(0) * weights[n] for n in used])
        den = pl.sum_horizontal([pl.col(f"a_{n}").is_not_null().cast(pl.Float64) * weights[n] for n in used])
        df = df.with_columns(pl.when(den > 0).then(100 * (1 - num / den)).otherwise(None).alias("social_index"))
    else:
        df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias("social_index"))
    if cfg.mode == "threshold":
        shnsu = pl.col("social_index") <= cfg.threshold
    else:
        rank = pl.col("social_index").rank("ordinal").over(part)
        n = pl.col("social_index").count().over(part)
        shnsu = rank <= (n * cfg.share).ceil() if cfg.share > 0 else pl.lit(False)
    df = df.with_columns(shnsu.fill_null(False).alias("shnsu"))
    keep = ["year", "org_id", "region_id", "social_index", "shnsu"]
    keep += [f"v_{n}" for n in used] + [f"a_{n}" for n in used]
    return df.select(keep), used


def share_count(n: int, share: float) -> int:
    return math.ceil(n * share)

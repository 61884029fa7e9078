"""The school's result per year on the configured result indicators, and their composite.

Indicators (seed 004: ЕГЭ, ОГЭ and ВПР in mathematics and Russian): `vpr_effect` — mean standardised ВПР
score relative to the region (σ), `vpr_share_2` — share of «2» at ВПР, `gia_effect` — mean standardised
ОГЭ/ЕГЭ score relative to the region, `gia_below_min` — share under the «3» boundary / ЕГЭ minimum.
Small schools' indicators are noisy, so before comparing, each indicator is shrunk towards the region's
mean by its reliability (empirical Bayes): x̂ = m + (x − m)·τ²/(τ² + v), with v the sampling variance of
the school's value (1/n for a mean of standardised scores, p(1 − p)/n for a share) and τ² the variance
between schools beyond sampling noise. A school of 15 pupils has to be much lower than one of 150 to
rank as low. Each (shrunk) indicator is turned into a z-score across the region's schools that year (sign flipped for «lower is
better»), and the composite is the mean of the z-scores the school has.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.config import ClusterConfig

LOWER_IS_BETTER = {"vpr_share_2", "gia_below_min"}


def _subject_ok(col: str, subjects: list[str]) -> pl.Expr:
    expr = pl.lit(False)
    for s in subjects:
        expr = expr | pl.col(col).str.starts_with(s)
    return expr


def composite(vpr: pl.DataFrame, gia: pl.DataFrame, cfg: ClusterConfig) -> pl.DataFrame:
    """Per school × year: the indicators (as measured), their participants, `composite`.

    `vpr`/`gia` need `effect`. The shrunk values used for the composite are kept as `shrunk_<indicator>`.
    """
    key = ["year", "org_id"]
    v = vpr.filter(_subject_ok("subject", cfg.subjects)).group_by(key).agg(
        ((pl.col("effect") * pl.col("n")).sum() / pl.col("n").sum()).alias("vpr_effect"),
        (pl.col("n2").sum() / pl.col("n").sum()).alias("vpr_share_2"),
        pl.col("n").sum().alias("vpr_n"),
        pl.col("region_id").first(),
    )
    if gia.is_empty():
        g = pl.DataFrame(schema={"year": pl.Int32, "org_id": pl.Utf8, "gia_effect": pl.Float64,
                                 "gia_below_min": pl.Float64, "gia_n": pl.Int64, "g_region": pl.Utf8})
    else:
        g = gia.filter(_subject_ok("subject", cfg.subjects)).group_by(key).agg(
            ((pl.col("effect") * pl.col("n")).sum() / pl.col("n").sum()).alias("gia_effect"),
            (pl.col("n_below").sum() / pl.col("n_known").sum()).alias("gia_below_min"),
            pl.col("n").sum().alias("gia_n"),
            pl.col("region_id").first().alias("g_region"),
        )
    df = v.with_columns(pl.col("year").cast(pl.Int32)).join(
        g.with_columns(pl.col("year").cast(pl.Int32)), on=key, how="full", coalesce=True)
    df = df.with_columns(pl.coalesce("region_id", "g_region").alias("region_id")).drop("g_region")
    df = df.with_columns(pl.col("vpr_n").fill_null(0), pl.col("gia_n").fill_null(0))
    df = df.filter((pl.col("vpr_n") + pl.col("gia_n")) >= cfg.min_participants)
    part = ["region_id", "year"]
    if cfg.shrinkage:
        sizes = {"vpr_effect": "vpr_n", "vpr_share_2": "vpr_n", "gia_effect": "gia_n", "gia_below_min": "gia_n"}
        shrunk = []
        for ind in cfg.indicators:
            if ind not in df.columns:
                continue
            x, n = pl.col(ind), pl.col(sizes.get(ind, "vpr_n")).cast(pl.Float64)
            m = x.mean().over(part)
            v = (m * (1 - m) / n) if ind in LOWER_IS_BETTER else (1 / n)
            v = pl.when(n > 0).then(v).otherwise(None)
            tau2 = pl.max_horizontal(x.var().over(part) - v.mean().over(part), pl.lit(1e-6))
            shrunk.append((m + (x - m) * tau2 / (tau2 + v)).alias(f"shrunk_{ind}"))
        df = df.with_columns(shrunk)
    zs = []
    for ind in cfg.indicators:
        if ind not in df.columns:
            continue
        x = pl.col(f"shrunk_{ind}") if cfg.shrinkage else pl.col(ind)
        sd = x.std().over(["region_id", "year"])
        z = (x - x.mean().over(["region_id", "year"])) / pl.when(sd > 0).then(sd).otherwise(None)
        zs.append((-z if ind in LOWER_IS_BETTER else z).alias(f"z_{ind}"))
    df = df.with_columns(zs)
    names = [f"z_{i}" for i in cfg.indicators if i in df.columns]
    if names:
        num = pl.sum_horizontal([pl.col(n).fill_null(0) for n in names])
        den = pl.sum_horizontal([pl.col(n).is_not_null().cast(pl.Float64) for n in names])
        df = df.with_columns(pl.when(den > 0).then(num / den).otherwise(None).alias("composite"))
    else:
        df = df.with_columns(pl.lit(None, dtype=pl.Float64).alias("composite"))
    return df.filter(pl.col("composite").is_not_null())

"""ШНОР, context-fair: clusters of schools in comparable context, and who stays at the bottom of its cluster.

Method (transparent on purpose, so that a school can be told why it sits where it sits): within each region
and year, schools are split into `bands` equal-count bands of the social well-being index (quantiles), and
each band into urban and rural schools when the registry says which. A cluster smaller than `min_size`
schools falls back to its whole band. Schools without context data form their own band «нет данных».
Within its cluster a school is «at the bottom» in a year when its composite result is among the
`bottom_share` worst of the cluster (at least one school) and at least `min_gap` (in σ of the composite)
below the cluster's median — so that the «bottom» of a cluster of similar schools is not a school
that is only a hair under the rest. It is low-result (ШНОР by cluster) when it has
been at the bottom in each of the last `years` years that have data (at least `min_years` of them).
The same is computed against the whole region (`region_bottom`, the `region_bottom_share` lowest): seed
004 asks both for «the lowest results of ЕГЭ, ОГЭ and ВПР over the last 2 years» and for «worse than the
schools of its cluster»; by default a school is ШНОР when both hold (config `shnor.all_of`) — low in
absolute terms, and not explained by its context.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.config import ClusterConfig


def assign(schools: pl.DataFrame, social: pl.DataFrame, organisations: pl.DataFrame, cfg: ClusterConfig) -> pl.DataFrame:
    """`schools` has year, org_id, region_id, composite; adds `band`, `cluster`."""
    df = schools.join(social.select("year", "org_id", "social_index"), on=["year", "org_id"], how="left")
    loc = organisations.select("org_id", "locality") if "locality" in organisations.columns else None
    df = df.join(loc, on="org_id", how="left") if loc is not None else df.with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("locality"))
    part = ["region_id", "year"]
    r = pl.col("social_index").rank("average").over(part)
    cnt = pl.col("social_index").count().over(part)
    band = ((r - 1) / cnt * cfg.bands).floor().cast(pl.Int32) + 1
    df = df.with_columns(
        pl.when(pl.col("social_index").is_null()).then(pl.lit("нет данных"))
        .otherwise(pl.format("{} из {}", band, pl.lit(cfg.bands))).alias("band"))
    if cfg.split_by_locality:
        df = df.with_columns(pl.format("{}|{}", "band", pl.col("locality").fill_null("?")).alias("cluster"))
        size = pl.len().over([*part, "cluster"])
        df = df.with_columns(pl.when(size >= cfg.min_size).then(pl.col("cluster")).otherwise(pl.col("band"))
                             .alias("cluster"))
    else:
        df = df.with_columns(pl.col("band").alias("cluster"))
    return df


def _persistent(df: pl.DataFrame, flag: str, cfg: ClusterConfig) -> list[bool]:
    """At the bottom in every year of the window (the last `years`) that has data, with ≥ `min_years` of them."""
    present = set(zip(df["year"], df["org_id"], strict=True))
    at = df.filter(pl.col(flag)).select("year", "org_id")
    at_set = set(zip(at["year"], at["org_id"], strict=True))
    out = []
    for y, o in zip(df["year"], df["org_id"], strict=True):
        years = [y - k for k in range(cfg.years) if (y - k, o) in present]
        out.append(len(years) >= cfg.min_years and all((yy, o) in at_set for yy in years))
    return out


def _mark(df: pl.DataFrame, grp: list[str], value: str, share: float, min_gap: float, prefix: str) -> pl.DataFrame:
    return df.with_columns(
        pl.col(value).rank("ordinal").over(grp).alias(f"{prefix}_rank"),
        pl.col(value).count().over(grp).alias(f"{prefix}_size"),
        (pl.col(value) - pl.col(value).median().over(grp)).alias(f"{prefix}_gap"),
    ).with_columns(
        (
            (pl.col(f"{prefix}_rank") <= (pl.col(f"{prefix}_size") * share + 1e-9).floor().clip(1, None))
            & (pl.col(f"{prefix}_gap") <= -min_gap)
        ).fill_null(False).alias(f"{prefix}_at_bottom")
    )


def bottom(df: pl.DataFrame, cfg: ClusterConfig) -> pl.DataFrame:
    """Adds, for the cluster and for the whole region: rank (1 = worst), size, gap to the median, whether at
    the bottom this year, and whether persistently (`cluster_bottom`, `region_bottom`).

    `persistence = each_year`: at the bottom in each year of the window that has data. `persistence = mean`:
    the composite averaged over the window is at the bottom (less sensitive to one noisy year).
    """
    value = "composite"
    if cfg.persistence == "mean":
        hist = pl.concat([df.select(pl.col("year") + k, "org_id", "composite") for k in range(cfg.years)])
        avg = hist.group_by("year", "org_id").agg(pl.col("composite").mean().alias("persistent"),
                                                  pl.len().alias("_k"))
        df = df.join(avg, on=["year", "org_id"], how="left").with_columns(
            pl.when(pl.col("_k") >= cfg.min_years).then(pl.col("persistent")).otherwise(None).alias("persistent")
        ).drop("_k")
        value = "persistent"
    df = _mark(df, ["region_id", "year", "cluster"], value, cfg.bottom_share, cfg.min_gap, "cluster")
    df = _mark(df, ["region_id", "year"], value, cfg.region_bottom_share, 0.0, "region")
    if cfg.persistence == "mean":
        return df.with_columns(pl.col("cluster_at_bottom").alias("cluster_bottom"),
                               pl.col("region_at_bottom").alias("region_bottom"))
    return df.with_columns(
        pl.Series("cluster_bottom", _persistent(df, "cluster_at_bottom", cfg), dtype=pl.Boolean),
        pl.Series("region_bottom", _persistent(df, "region_at_bottom", cfg), dtype=pl.Boolean),
    )

"""ШНОР, context-fair: clusters of schools in comparable context, and who stays at the bottom of its cluster.

Method (transparent on purpose, so that a school can be told why it sits where it sits): within each region
and year, schools are split into `bands` equal-count bands of the social well-being index (quantiles), and
each band into urban and rural schools when the registry says which. A cluster smaller than `min_size`
schools falls back to its whole band. Schools without context data form their own band «нет данных».
Within its cluster a school is «at the bottom» in a year when its composite result is among the
`bottom_share` worst of the cluster (at least one school). It is low-result (ШНОР by cluster) when it has
been at the bottom in each of the last `years` years.
"""

from __future__ import annotations

import math

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


def bottom(df: pl.DataFrame, cfg: ClusterConfig) -> pl.DataFrame:
    """Adds `cluster_rank` (1 = worst), `cluster_size`, `at_bottom`, `cluster_bottom` (over `years`)."""
    grp = ["region_id", "year", "cluster"]
    df = df.with_columns(
        pl.col("composite").rank("ordinal").over(grp).alias("cluster_rank"),
        pl.len().over(grp).alias("cluster_size"),
    ).with_columns(
        (pl.col("cluster_rank") <= pl.col("cluster_size").map_elements(
            lambda n: max(1, math.floor(n * cfg.bottom_share + 1e-9)), return_dtype=pl.Int64)).alias("at_bottom")
    )
    at = df.filter(pl.col("at_bottom")).select("year", "org_id")
    at_set = set(zip(at["year"], at["org_id"], strict=True))
    flags = [all((y - k, o) in at_set for k in range(cfg.years)) for y, o in zip(df["year"], df["org_id"], strict=True)]
    return df.with_columns(pl.Series("cluster_bottom", flags, dtype=pl.Boolean))

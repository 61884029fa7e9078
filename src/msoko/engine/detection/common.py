"""What the objectivity rules share: the group key, the shape of a sign, region references, a z-test."""

from __future__ import annotations

import polars as pl

KEY = ["year", "org_id", "subject", "grade"]
REGION_KEY = ["region_id", "year", "subject", "grade"]

SIGN_SCHEMA = {
    "year": pl.Int32,
    "org_id": pl.Utf8,
    "procedure": pl.Utf8,
    "subject": pl.Utf8,
    "grade": pl.Int32,
    "sign": pl.Utf8,
    "fired": pl.Boolean,
    "value": pl.Float64,
    "reference": pl.Float64,
    "value2": pl.Float64,
    "reference2": pl.Float64,
    "stat": pl.Float64,
    "detail": pl.Utf8,
}


def region_sums(groups: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Sum the given counts over each region × year × subject × grade (shares from sums, never averages)."""
    return groups.group_by(REGION_KEY).agg([pl.col(c).sum().alias(f"r_{c}") for c in columns])


def binomial_z(k: pl.Expr, n: pl.Expr, p0: pl.Expr) -> pl.Expr:
    """z of observing k successes in n trials when the reference rate is p0 (p0 kept inside [0.01, 0.99])."""
    p = p0.clip(0.01, 0.99)
    return (k - n * p) / (n * p * (1 - p)).sqrt()


def sign_frame(df: pl.DataFrame, sign: str, fired: pl.Expr, value: pl.Expr, reference: pl.Expr,
               value2: pl.Expr | None = None, reference2: pl.Expr | None = None,
               stat: pl.Expr | None = None, detail: pl.Expr | None = None) -> pl.DataFrame:
    null = pl.lit(None, dtype=pl.Float64)
    out = df.select(
        pl.col("year").cast(pl.Int32),
        pl.col("org_id"),
        pl.lit("ВПР").alias("procedure"),
        pl.col("subject"),
        pl.col("grade").cast(pl.Int32),
        pl.lit(sign).alias("sign"),
        fired.fill_null(False).alias("fired"),
        value.cast(pl.Float64).alias("value"),
        reference.cast(pl.Float64).alias("reference"),
        (value2 if value2 is not None else null).cast(pl.Float64).alias("value2"),
        (reference2 if reference2 is not None else null).cast(pl.Float64).alias("reference2"),
        (stat if stat is not None else null).cast(pl.Float64).alias("stat"),
        (detail if detail is not None else pl.lit(None, dtype=pl.Utf8)).alias("detail"),
    )
    return out.cast(SIGN_SCHEMA)


def empty_signs() -> pl.DataFrame:
    return pl.DataFrame(schema=SIGN_SCHEMA)

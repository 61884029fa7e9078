"""Sign (d) `basic_vs_advanced`: worse than the region on basic (Б) tasks while better on advanced (П) ones.

Completion of a level = points scored / maximum points over the group's tasks of that level. In honest
results the two move together (a strong school is better on both); being below the region on Б and above it
on П at the same time is the pattern of help given on the hard tasks.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.common import REGION_KEY, region_sums, sign_frame
from msoko.engine.detection.config import TasksConfig

CODE = "basic_vs_advanced"


def evaluate(groups: pl.DataFrame, cfg: TasksConfig) -> pl.DataFrame:
    df = groups.filter(pl.col("b_max").fill_null(0) > 0, pl.col("p_max").fill_null(0) > 0)
    ref = region_sums(df, ["b_score", "b_max", "p_score", "p_max"])
    df = df.join(ref, on=REGION_KEY, how="left").with_columns(
        (pl.col("b_score") / pl.col("b_max")).alias("b"),
        (pl.col("r_b_score") / pl.col("r_b_max")).alias("rb"),
        (pl.col("p_score") / pl.col("p_max")).alias("p"),
        (pl.col("r_p_score") / pl.col("r_p_max")).alias("rp"),
    ).with_columns(((pl.col("p") - pl.col("rp")) - (pl.col("b") - pl.col("rb"))).alias("div"))
    fired = (
        ((pl.col("rb") - pl.col("b")) >= cfg.basic_below)
        & (pl.col("b") < pl.col("rb"))
        & ((pl.col("p") - pl.col("rp")) >= cfg.advanced_above)
        & (pl.col("div") >= cfg.divergence)
    )
    return sign_frame(df, CODE, fired, pl.col("b"), pl.col("rb"), pl.col("p"), pl.col("rp"), pl.col("div"))

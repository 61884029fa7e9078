"""Sign (e) `jump`: an implausible rise against the school's own history in the same subject and grade.

The measure is the group's mean standardised primary score relative to its region that year (in σ of
participants). The history is the participant-weighted mean of the previous `history_years` years. The sign
fires when the rise is at least `min_jump` σ and clear of sampling noise: z = rise / √(1/n + 1/n_history).
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.common import KEY, sign_frame
from msoko.engine.detection.config import JumpConfig

CODE = "jump"


def evaluate(groups: pl.DataFrame, cfg: JumpConfig) -> pl.DataFrame:
    """`groups` needs `effect` (mean_z minus the region's mean) and `n`."""
    cur = groups.select([*KEY, "effect", "n"])
    hist_rows = []
    for back in range(1, cfg.history_years + 1):
        hist_rows.append(cur.with_columns((pl.col("year") + back).alias("year")))
    if not hist_rows:
        return sign_frame(cur.head(0), CODE, pl.lit(False), pl.lit(None), pl.lit(None))
    hist = (
        pl.concat(hist_rows)
        .group_by(KEY)
        .agg(((pl.col("effect") * pl.col("n")).sum() / pl.col("n").sum()).alias("h_effect"),
             pl.col("n").sum().alias("h_n"), pl.len().alias("h_years"))
    )
    df = cur.join(hist, on=KEY, how="inner").with_columns(
        (pl.col("effect") - pl.col("h_effect")).alias("rise")
    ).with_columns((pl.col("rise") / (1 / pl.col("n") + 1 / pl.col("h_n")).sqrt()).alias("z"))
    fired = (pl.col("rise") >= cfg.min_jump) & (pl.col("z") >= cfg.min_z)
    return sign_frame(df, CODE, fired, pl.col("effect"), pl.col("h_effect"), pl.col("h_years"), None,
                      pl.col("z"))

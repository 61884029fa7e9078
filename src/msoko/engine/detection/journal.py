"""Sign (a) `journal`: the ВПР mark against the current journal mark.

For each group: the shares of participants whose ВПР mark is higher than the journal mark («повысили»),
equal («подтвердили»), lower («понизили»), and the share of gaps of two marks or more. The sign fires when
the share raised, or the share of 2+ gaps, exceeds the region's share by the configured margin and the
excess is statistically clear (binomial z against the region's rate). Only participants with both marks count.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.common import REGION_KEY, binomial_z, region_sums, sign_frame
from msoko.engine.detection.config import JournalConfig

CODE = "journal"


def evaluate(groups: pl.DataFrame, cfg: JournalConfig) -> pl.DataFrame:
    ref = region_sums(groups, ["nj", "raised", "gap2", "confirmed", "lowered"])
    df = groups.join(ref, on=REGION_KEY, how="left").with_columns(
        (pl.col("raised") / pl.col("nj")).alias("sh_raised"),
        (pl.col("r_raised") / pl.col("r_nj")).alias("rsh_raised"),
        (pl.col("gap2") / pl.col("nj")).alias("sh_gap2"),
        (pl.col("r_gap2") / pl.col("r_nj")).alias("rsh_gap2"),
    ).with_columns(
        binomial_z(pl.col("raised"), pl.col("nj"), pl.col("rsh_raised")).alias("z_raised"),
        binomial_z(pl.col("gap2"), pl.col("nj"), pl.col("rsh_gap2")).alias("z_gap2"),
    )
    raised = ((pl.col("sh_raised") - pl.col("rsh_raised")) >= cfg.raised_excess) & (pl.col("z_raised") >= cfg.min_z)
    gap2 = ((pl.col("sh_gap2") - pl.col("rsh_gap2")) >= cfg.gap2_excess) & (pl.col("z_gap2") >= cfg.min_z)
    fired = (pl.col("nj") > 0) & (raised | gap2)
    detail = pl.format(
        "подтвердили {}, понизили {}", pl.col("confirmed"), pl.col("lowered")
    )
    return sign_frame(df, CODE, fired, pl.col("sh_raised"), pl.col("rsh_raised"), pl.col("sh_gap2"),
                      pl.col("rsh_gap2"), pl.max_horizontal("z_raised", "z_gap2"), detail)

"""Sign (b) `peaks`: a peak of primary scores at, or just above, the year's mark boundaries.

Around each boundary of marks «3», «4», «5» (from the scales of that year, subject and grade) two windows
are taken: «at or just above» (the boundary score and the next `at_width − 1` scores) and «just below»
(`below_width` scores under the boundary). A school that lifts pupils over the boundary empties the lower
window and fills the upper one, so the share of the upper window among both windows is compared with the
region's share at the very same scores. The comparison is local to the boundary on purpose: a strong
school shifts its whole distribution up, which hardly changes that local share, while lifting does.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.common import REGION_KEY, binomial_z, region_sums, sign_frame
from msoko.engine.detection.config import PeaksConfig

CODE = "peaks"


def evaluate(groups: pl.DataFrame, cfg: PeaksConfig) -> pl.DataFrame:
    ref = region_sums(groups, ["n_at", "n_below", "n"])
    df = groups.join(ref, on=REGION_KEY, how="left").with_columns(
        (pl.col("n_at") + pl.col("n_below")).alias("nw"),
        (pl.col("r_n_at") + pl.col("r_n_below")).alias("r_nw"),
    ).with_columns(
        (pl.col("n_at") / pl.col("nw")).alias("local"),
        (pl.col("r_n_at") / pl.col("r_nw")).alias("r_local"),
        (pl.col("n_at") / pl.col("n")).alias("sh_at"),
        (pl.col("r_n_at") / pl.col("r_n")).alias("r_sh_at"),
    ).with_columns(binomial_z(pl.col("n_at"), pl.col("nw"), pl.col("r_local")).alias("z"))
    fired = (
        (pl.col("nw") >= cfg.min_window)
        & ((pl.col("local") - pl.col("r_local")) >= cfg.excess)
        & (pl.col("z") >= cfg.min_z)
    )
    return sign_frame(df, CODE, fired, pl.col("local"), pl.col("r_local"), pl.col("sh_at"), pl.col("r_sh_at"),
                      pl.col("z"))

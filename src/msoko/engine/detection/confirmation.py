"""Sign (c) `unconfirmed`: a high ВПР result that later, objective procedures do not confirm.

A group is «high» when its mean standardised score is at least `high_effect` σ above its region's. The
confirmation is, first, the same school's ОГЭ (grade ≤ 9) or ЕГЭ (grades 10–11) in the matching subject,
from the same year up to `years_after` years later (participant-weighted); failing that, the same cohort's
ВПР a grade higher in the next year. The sign fires when the confirming result is lower by at least `drop` σ.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.common import KEY, sign_frame
from msoko.engine.detection.config import ConfirmationConfig

CODE = "unconfirmed"


def _gia_subjects(cfg: ConfirmationConfig, vpr_subjects: list[str]) -> pl.DataFrame:
    rows = []
    for subject in vpr_subjects:
        for target in cfg.subjects.get(subject, [subject]):
            rows.append({"subject": subject, "gia_subject": target})
    return pl.DataFrame(rows, schema={"subject": pl.Utf8, "gia_subject": pl.Utf8})


def evaluate(vpr: pl.DataFrame, gia: pl.DataFrame, cfg: ConfirmationConfig) -> pl.DataFrame:
    """`vpr` and `gia` need `effect` (mean_z minus the region's mean) and `n`."""
    high = vpr.filter(pl.col("effect") >= cfg.high_effect).select([*KEY, "effect", "n"])
    if high.is_empty():
        return sign_frame(high, CODE, pl.lit(False), pl.lit(None), pl.lit(None))
    mapping = _gia_subjects(cfg, high["subject"].unique().to_list())
    g = gia.filter(pl.col("n") >= cfg.min_participants).select(
        pl.col("year").alias("g_year"), "org_id", "exam", pl.col("subject").alias("gia_subject"),
        pl.col("effect").alias("g_effect"), pl.col("n").alias("g_n"),
    )
    cand = (
        high.join(mapping, on="subject", how="inner")
        .join(g, on=["org_id", "gia_subject"], how="inner")
        .filter(
            (pl.col("g_year") >= pl.col("year")),
            (pl.col("g_year") <= pl.col("year") + cfg.years_after),
            pl.when(pl.col("grade") <= 9).then(pl.col("exam") == "ОГЭ").otherwise(pl.col("exam") == "ЕГЭ"),
        )
        .group_by(KEY)
        .agg(((pl.col("g_effect") * pl.col("g_n")).sum() / pl.col("g_n").sum()).alias("conf"),
             pl.col("g_n").sum().alias("conf_n"),
             pl.format("{} {}", pl.col("exam"), pl.col("g_year")).unique().sort().str.join(", ").alias("detail"))
    )
    cohort = vpr.filter(pl.col("n") >= cfg.min_participants).select(
        (pl.col("year") - 1).alias("year"), "org_id", "subject", (pl.col("grade") - 1).alias("grade"),
        pl.col("effect").alias("c_effect"), pl.col("n").alias("c_n"),
    )
    df = (
        high.join(cand, on=KEY, how="left")
        .join(cohort, on=KEY, how="left")
        .with_columns(
            pl.coalesce("conf", "c_effect").alias("confirm"),
            pl.when(pl.col("conf").is_not_null()).then(pl.col("detail"))
            .otherwise(pl.format("ВПР {} класс {}", pl.col("grade") + 1, pl.col("year") + 1)).alias("detail"),
        )
        .filter(pl.col("confirm").is_not_null())
    )
    fired = (pl.col("effect") - pl.col("confirm")) >= cfg.drop
    return sign_frame(df, CODE, fired, pl.col("effect"), pl.col("confirm"), None, None,
                      pl.col("effect") - pl.col("confirm"), pl.col("detail"))

"""Objectivity of ВПР results: run the sign rules, mask small groups, combine the signs into a flag.

One row per organisation × ВПР × subject × grade × year, with the participants, the status
(`ok` or `insufficient` — fewer participants than configured, never flagged), the flag and the signs that
fired; the long table of every sign measured (fired or not) goes alongside for the explanations.
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection import confirmation, journal, jump, peaks, repeated, tasks
from msoko.engine.detection.common import KEY, SIGN_SCHEMA, empty_signs
from msoko.engine.detection.config import ObjectivityConfig

SIGN_ORDER = [journal.CODE, peaks.CODE, confirmation.CODE, tasks.CODE, jump.CODE, repeated.CODE]
INSUFFICIENT = "insufficient"


def with_effect(groups: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Add `effect`: the group's mean standardised score minus its region's (participant-weighted) mean."""
    ref = groups.group_by(key).agg(
        ((pl.col("mean_z") * pl.col("n")).sum() / pl.col("n").sum()).alias("_ref_z")
    )
    return groups.join(ref, on=key, how="left").with_columns(
        (pl.col("mean_z") - pl.col("_ref_z")).alias("effect")
    ).drop("_ref_z")


def evaluate(vpr: pl.DataFrame, gia: pl.DataFrame, cfg: ObjectivityConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (groups, signs)."""
    if vpr.is_empty():
        groups = pl.DataFrame(schema={**{k: SIGN_SCHEMA[k] for k in ["year", "org_id", "procedure", "subject",
                                                                       "grade"]},
                                      "participants": pl.Int64, "status": pl.Utf8, "flagged": pl.Boolean,
                                      "signs": pl.Utf8})
        return groups, empty_signs()
    vpr = with_effect(vpr, ["region_id", "year", "subject", "grade"])
    gia = with_effect(gia, ["region_id", "year", "exam", "subject"]) if not gia.is_empty() else gia.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("effect"))
    parts = [
        journal.evaluate(vpr, cfg.journal),
        peaks.evaluate(vpr, cfg.peaks),
        confirmation.evaluate(vpr, gia, cfg.confirmation),
        tasks.evaluate(vpr, cfg.tasks),
        jump.evaluate(vpr, cfg.jump),
    ]
    signs = pl.concat([p for p in parts if not p.is_empty()] or [empty_signs()])
    sizes = vpr.select(*KEY, pl.col("n").alias("participants"))
    small = sizes.filter(pl.col("participants") < cfg.group.min_participants).select(KEY).with_columns(
        pl.lit(True).alias("_small"))
    signs = (
        signs.join(small, on=KEY, how="left")
        .with_columns((pl.col("fired") & pl.col("_small").is_null()).alias("fired"))
        .drop("_small")
    )
    return combine(sizes, signs, cfg)


def combine(sizes: pl.DataFrame, signs: pl.DataFrame, cfg: ObjectivityConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    fired = signs.filter(pl.col("fired")).group_by(KEY).agg(pl.col("sign"))
    fired_map = {(r[0], r[1], r[2], r[3]): set(r[4]) for r in fired.iter_rows()}
    flagged_by_year: dict[int, set[str]] = {}
    rows = []
    repeated_rows = []
    for year, org_id, subject, grade, participants in sizes.sort("year").iter_rows():
        codes = set(fired_map.get((year, org_id, subject, grade), ()))
        insufficient = participants < cfg.group.min_participants
        if not insufficient and repeated.fires(len(codes), org_id, year, flagged_by_year, cfg.repeated.window_years):
            codes.add(repeated.CODE)
            repeated_rows.append((year, org_id, subject, grade))
        flagged = (not insufficient) and len(codes) >= cfg.combination.min_signs
        rows.append((year, org_id, subject, grade, participants, INSUFFICIENT if insufficient else "ok", flagged,
                     ";".join(c for c in SIGN_ORDER if c in codes)))
        # a year's flags only count for later years: fill after the whole year is done (sorted by year)
        if flagged:
            flagged_by_year.setdefault(year, set()).add(org_id)
    groups = pl.DataFrame(
        rows,
        schema={"year": pl.Int32, "org_id": pl.Utf8, "subject": pl.Utf8, "grade": pl.Int32,
                "participants": pl.Int64, "status": pl.Utf8, "flagged": pl.Boolean, "signs": pl.Utf8},
        orient="row",
    ).with_columns(pl.lit("ВПР").alias("procedure"))
    groups = groups.select("year", "org_id", "procedure", "subject", "grade", "participants", "status", "flagged",
                           "signs")
    if repeated_rows:
        rep = pl.DataFrame(repeated_rows, schema={"year": pl.Int32, "org_id": pl.Utf8, "subject": pl.Utf8,
                                                  "grade": pl.Int32}, orient="row").with_columns(
            pl.lit("ВПР").alias("procedure"), pl.lit(repeated.CODE).alias("sign"), pl.lit(True).alias("fired"),
            *[pl.lit(None, dtype=SIGN_SCHEMA[c]).alias(c) for c in
              ["value", "reference", "value2", "reference2", "stat", "detail"]],
        ).select(list(SIGN_SCHEMA)).cast(SIGN_SCHEMA)
        signs = pl.concat([signs.cast(SIGN_SCHEMA), rep])
    return groups.sort(["year", "org_id", "subject", "grade"]), signs

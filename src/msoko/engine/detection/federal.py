"""ШНОР, federal risk rule: at least 30 % of participants below the «3» boundary (mark «2», or under the
ЕГЭ minimum) in two or more procedures in one year, or in the same procedure in consecutive years.

A procedure is one assessment of one subject (and grade, for ВПР): «ВПР Математика 5», «ОГЭ Русский язык».
The comparison is exact: n_below ≥ 0.30 × n with integer counts. Procedures with fewer participants than
`min_participants` are not counted. Aggregated results (`results_by_org`: share_2 or below_min) count when
no participant-level file covers that procedure.
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from msoko.engine.detection.config import FederalConfig

UNIT_SCHEMA = {"year": pl.Int32, "org_id": pl.Utf8, "unit": pl.Utf8, "n": pl.Int64, "n_below": pl.Int64}


def units(vpr: pl.DataFrame, gia: pl.DataFrame, results_by_org: pl.DataFrame) -> pl.DataFrame:
    parts = []
    if not vpr.is_empty():
        parts.append(vpr.select(pl.col("year").cast(pl.Int32), "org_id",
                                pl.format("ВПР|{}|{}", "subject", "grade").alias("unit"),
                                pl.col("n").cast(pl.Int64), pl.col("n2").cast(pl.Int64).alias("n_below")))
    if not gia.is_empty():
        parts.append(gia.filter(pl.col("n_known") > 0).select(
            pl.col("year").cast(pl.Int32), "org_id", pl.format("{}|{}|", "exam", "subject").alias("unit"),
            pl.col("n_known").cast(pl.Int64).alias("n"), pl.col("n_below").cast(pl.Int64)))
    have = pl.concat(parts) if parts else pl.DataFrame(schema=UNIT_SCHEMA)
    if not results_by_org.is_empty():
        agg = results_by_org.filter(pl.col("share_below").is_not_null()).select(
            pl.col("year").cast(pl.Int32), "org_id",
            pl.format("{}|{}|{}", "procedure", "subject",
                      pl.when(pl.col("procedure") == "ВПР").then(pl.col("grade").cast(pl.Utf8)).otherwise(pl.lit("")))
            .alias("unit"),
            pl.col("n").cast(pl.Int64),
            (pl.col("share_below") * pl.col("n")).round(0).cast(pl.Int64).alias("n_below"),
        )
        agg = agg.join(have.select("year", "org_id", "unit"), on=["year", "org_id", "unit"], how="anti")
        have = pl.concat([have.cast(UNIT_SCHEMA), agg.cast(UNIT_SCHEMA)])
    return have.cast(UNIT_SCHEMA)


def evaluate(unit_rows: pl.DataFrame, cfg: FederalConfig) -> pl.DataFrame:
    """Per school × year: `federal_risk`, the risky units of the year and the repeated ones."""
    share = Fraction(str(cfg.share_below))
    if cfg.subjects:
        unit_rows = unit_rows.filter(pl.col("unit").str.split("|").list.get(1).is_in(cfg.subjects))
    risky = unit_rows.filter(pl.col("n") >= cfg.min_participants).filter(
        pl.col("n_below") * share.denominator >= pl.col("n") * share.numerator
    ).with_columns((pl.col("n_below") / pl.col("n")).alias("share"))
    rows: dict[tuple[int, str], dict] = {}
    by_unit: set[tuple[int, str, str]] = set(zip(risky["year"], risky["org_id"], risky["unit"], strict=True))
    for year, org_id, unit, _n, _nb, sh in risky.iter_rows():
        rec = rows.setdefault((year, org_id), {"units": [], "repeated": []})
        rec["units"].append(f"{unit}={sh:.4f}")
        if all((year - k, org_id, unit) in by_unit for k in range(1, cfg.consecutive_years)):
            rec["repeated"].append(unit)
    out = []
    for (year, org_id), rec in rows.items():
        fires = len(rec["units"]) >= cfg.procedures_in_year or bool(rec["repeated"])
        out.append((year, org_id, fires, len(rec["units"]), ";".join(sorted(rec["units"])),
                    ";".join(sorted(rec["repeated"]))))
    return pl.DataFrame(out, schema={"year": pl.Int32, "org_id": pl.Utf8, "federal_risk": pl.Boolean,
                                     "risky_units": pl.Int64, "risky_detail": pl.Utf8, "repeated_units": pl.Utf8},
                        orient="row")

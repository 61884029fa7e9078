"""The school's risk profile: the 10 risk factors of the «500+» project, where the data support them.

Each factor is mapped onto the context or result data msoko holds; a factor with no data is reported as
such (`at_risk` empty), never guessed. A factor is «at risk» when the school's value is in the worst
`quantile` of the region that year (and not zero), or, for yes/no variables, when it is «yes».
"""

from __future__ import annotations

import polars as pl

from msoko.engine.detection.config import RiskProfileConfig

# (number, Russian name, source column in the social frame or the result frame, kind)
FACTORS: list[tuple[int, str, str | None, str]] = [
    (1, "Низкий уровень оснащения школы", "v_infra_deficit", "flag"),
    (2, "Дефицит педагогических кадров", "v_staff_vacancies", "share"),
    (3, "Недостаточная предметная и методическая компетентность педагогических работников", None, "none"),
    (4, "Риски низкой адаптивности учебного процесса", "v_not_attested", "share"),
    (5, "Несформированность внутришкольной системы повышения квалификации", None, "none"),
    (6, "Низкое качество преодоления языковых и культурных барьеров", "v_migrant_or_low_russian", "share"),
    (7, "Пониженный уровень качества школьной образовательной и воспитательной среды", "v_pdn_kdn", "share"),
    (8, "Высокая доля обучающихся с рисками учебной неуспешности", "vpr_share_2", "share"),
    (9, "Низкий уровень вовлечённости родителей", None, "none"),
    (10, "Низкая учебная мотивация обучающихся", "v_chronic_absence", "share"),
]


def evaluate(frame: pl.DataFrame, cfg: RiskProfileConfig) -> pl.DataFrame:
    """`frame`: one row per school × year with region_id and whatever source columns exist."""
    parts = []
    base = frame.select("year", "org_id", "region_id")
    for number, name, col, kind in FACTORS:
        if col is None or col not in frame.columns:
            parts.append(base.with_columns(pl.lit(number).alias("factor"), pl.lit(name).alias("name"),
                                           pl.lit(None, dtype=pl.Float64).alias("value"),
                                           pl.lit(None, dtype=pl.Boolean).alias("at_risk")))
            continue
        v = pl.col(col).cast(pl.Float64)
        if kind == "flag":
            risk = v >= 1
        else:
            q = v.quantile(cfg.quantile).over(["region_id", "year"])
            risk = (v >= q) & (v > 0)
        parts.append(frame.select("year", "org_id", "region_id", pl.lit(number).alias("factor"),
                                  pl.lit(name).alias("name"), v.alias("value"), risk.alias("at_risk")))
    out = pl.concat(parts).drop("region_id")
    return out.with_columns(pl.col("factor").cast(pl.Int32)).sort(["year", "org_id", "factor"])

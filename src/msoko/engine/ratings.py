"""Municipal ratings in the manner of the federal motivating monitoring, from the stored indicator values.

Source: the methodology of the motivating monitoring of municipal education authorities (распоряжение
Минпросвещения России от 06.12.2022 № Р-293, seed 000), principles «сравнение с лучшими результатами» and
«оценивание динамики результатов»; docs/domain.md: «each indicator scored against the best municipality of
the region (best = 100, range 0–100); rating per indicator and overall». The rules below are msoko's reading
of those principles (the methodology's own formulas are not in the seeds), each configurable:

- For each region × year, every municipality-level pooled value of an indicator with a direction
  (`neutral` ones are not scored) whose value rests on enough results (not `under_min_group`) gets a level
  score among the region's municipalities with such a value that year: best = 100, worst = 0, linear in
  between (`lower_is_better` reversed); all equal → 100.
- Dynamics (`dynamics_weight`, default 0.5: the two principles weigh the same): where the stored `change`
  exists and last year's value also rested on enough results, the change is scored the same way among the
  municipalities that have one; the indicator score is (1 − w) · level + w · dynamics. Without a change
  (the first year, a new municipality) the indicator score is the level score alone.
- A system's score is the mean of its indicators' scores over the indicators the municipality has (at
  least `min_indicators`); the overall score (`system = total`) is the mean of the system scores weighted by
  `system_weights` (default 1 each; at least `min_systems` systems). Ranks: 1 = best among the region's
  municipalities with a score, ties (equal scores to 0.01) share the smallest rank.

The scores are read through `ResultStore` — nothing is recomputed — and stored as a run of their own:

    ws.results / "ratings" / CURRENT.json            {"format": 1, "run": …, "indicator_run": …, "indicator_runs":
                                                      […], "years": […], "config": {…}} — replaced atomically
    ws.results / "ratings" / <run>/ratings.parquet   year, region_id, municipality_id, system, score, rank,
                                                     peers, indicators
    ws.results / "ratings" / <run>/scores.parquet    per indicator × procedure: value, change, level_score,
                                                     dynamics_score, score

The run replaced is kept (a reader that opened it can finish); older ones are removed. A region overrides the
rules with `ratings.yaml` in the workspace root.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from msoko.core.atomic import POINTER as POINTER  # readers key their caches on it
from msoko.core.issues import Issue
from msoko.core.settings_file import load_settings
from msoko.engine.catalog.model import Catalog, Direction, Level
from msoko.engine.results import ResultStore
from msoko.engine.table_runs import TableRun, publish_tables
from msoko.engine.warehouse import Warehouse

FORMAT = 1
CONFIG_FILE = "ratings.yaml"
TOTAL = "total"
R293 = ("методология мотивирующего мониторинга органов местного самоуправления (распоряжение Минпросвещения "
        "России от 06.12.2022 № Р-293): «сравнение с лучшими результатами», лучший = 100")
R293_DYNAMICS = ("там же, принцип «оценивание динамики результатов»; доля 0,5 (оба принципа наравне) — "
                 "принято в msoko")
LOCAL = "принято в msoko, настраивается регионом (ratings.yaml)"
DIGITS = 2  # scores are stored and ranked to 0.01: what a reader sees is what was ranked


def T(default, source: str, description: str, **bounds):  # noqa: N802 — reads as a declaration
    return Field(default, description=description, json_schema_extra={"source": source}, **bounds)


class RatingsConfig(BaseModel):
    """The rating's rules; every field carries its source (`rule_table()` lists them for the docs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dynamics_weight: float = T(0.5, R293_DYNAMICS, "доля оценки динамики в оценке показателя (0 — только "
                                                   "сравнение с лучшим)", ge=0, le=1)
    min_indicators: int = T(1, LOCAL, "минимум показателей с оценкой, чтобы система получила оценку", ge=1)
    min_systems: int = T(1, LOCAL, "минимум систем с оценкой, чтобы муниципалитет получил общую оценку", ge=1)
    system_weights: dict[str, Annotated[float, Field(ge=0)]] = T(
        {}, LOCAL, "вес системы в общей оценке (по умолчанию 1; 0 — не учитывать)")
    programme: str | None = T(None, LOCAL, "оценивать только показатели этой программы каталога "
                                           "(например, motivating_monitoring); по умолчанию — все")

    @classmethod
    def load(cls, path: Path | None) -> tuple[RatingsConfig | None, list[Issue]]:
        """Defaults, overridden by the YAML file when it exists; a broken file gives located issues."""
        return load_settings(cls, path)

    def weight(self, system: str) -> float:
        return float(self.system_weights.get(system, 1.0))


def rule_table() -> list[tuple[str, object, str, str]]:
    """(name, default, description, source) of every rule, for the documentation."""
    rows = []
    for name, field in RatingsConfig.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        rows.append((name, field.default, field.description or "", extra.get("source", "")))
    return rows


def load_config(root: Path) -> tuple[RatingsConfig | None, list[Issue]]:
    """The workspace's rules (`ratings.yaml` in `root`, defaults where absent)."""
    return RatingsConfig.load(Path(root) / CONFIG_FILE)


# ---- computation --------------------------------------------------------------------------------------
SCORE_COLUMNS = {"year": pl.Int64, "region_id": pl.Utf8, "municipality_id": pl.Utf8, "system": pl.Utf8,
                 "indicator": pl.Utf8, "procedure": pl.Utf8, "value": pl.Float64, "change": pl.Float64,
                 "level_score": pl.Float64,
                 "dynamics_score": pl.Float64, "score": pl.Float64}
RATING_COLUMNS = {"year": pl.Int64, "region_id": pl.Utf8, "municipality_id": pl.Utf8, "system": pl.Utf8,
                  "score": pl.Float64, "rank": pl.Int64, "peers": pl.Int64, "indicators": pl.Int64}
# An indicator is scored per procedure: a result indicator's rows each name one procedure (a mean is never
# pooled across procedures), and municipalities are compared on the same procedure only.
GROUP = ["region_id", "year", "indicator", "procedure"]
KEY = ["id", "year", "indicator", "procedure"]


def _scaled(column: str, group: list[str]) -> pl.Expr:
    """0–100 within `group`: the largest of `column` = 100, the smallest = 0; all equal → 100."""
    low, high = pl.col(column).min().over(group), pl.col(column).max().over(group)
    return (pl.when(high == low).then(100.0)
            .otherwise(100.0 * (pl.col(column) - low) / (high - low)))


def indicator_scores(values: pl.DataFrame, catalog: Catalog, municipalities: Mapping[str, str],
                     config: RatingsConfig) -> pl.DataFrame:
    """Per region × year × indicator × municipality: the level, dynamics and combined scores.

    `values`: stored municipality-level pooled rows (id, year, indicator, value, change, under_min_group);
    `municipalities`: municipality id → region id."""
    meta = [(i.code, i.system, 1.0 if i.direction is Direction.HIGHER else -1.0) for i in catalog.indicators
            if i.direction is not Direction.NEUTRAL and (config.programme is None or config.programme in i.programmes)]
    if values.is_empty() or not meta:
        return pl.DataFrame(schema=SCORE_COLUMNS)
    info = pl.DataFrame(meta, schema={"indicator": pl.Utf8, "system": pl.Utf8, "sign": pl.Float64}, orient="row")
    regions = pl.DataFrame({"id": list(municipalities), "region_id": list(municipalities.values())},
                           schema={"id": pl.Utf8, "region_id": pl.Utf8})
    procedure = (pl.col("procedure").fill_null("") if "procedure" in values.columns else pl.lit("")).alias("procedure")
    rows = (values.select("id", pl.col("year").cast(pl.Int64), "indicator", procedure, "value", "change",
                          "under_min_group")
            .join(info, on="indicator").join(regions, on="id"))
    eligible = pl.col("value").is_not_null() & pl.col("value").is_finite() & ~pl.col("under_min_group").fill_null(False)
    # last year's row of the same municipality and indicator must also rest on enough results for a change to count
    previous = (rows.filter(eligible).select("id", "indicator", "procedure", (pl.col("year") + 1).alias("year"))
                .with_columns(pl.lit(True).alias("had_previous")))
    rows = (rows.filter(eligible).join(previous, on=KEY, how="left")
            .with_columns((pl.col("sign") * pl.col("value")).alias("_level"),
                          pl.when(pl.col("had_previous").fill_null(False) & pl.col("change").is_finite())
                          .then(pl.col("sign") * pl.col("change")).alias("_dynamics")))
    rows = rows.with_columns(_scaled("_level", GROUP).alias("level_score"))
    with_change = rows.filter(pl.col("_dynamics").is_not_null())
    dynamics = with_change.with_columns(_scaled("_dynamics", GROUP).alias("dynamics_score")).select(
        *KEY, "dynamics_score")
    rows = rows.join(dynamics, on=KEY, how="left")
    w = config.dynamics_weight
    rows = rows.with_columns(
        pl.when(pl.col("dynamics_score").is_not_null())
        .then((1 - w) * pl.col("level_score") + w * pl.col("dynamics_score"))
        .otherwise(pl.col("level_score")).alias("score"),
        pl.when(pl.col("had_previous").fill_null(False)).then(pl.col("change")).alias("change"))
    return (rows.select(pl.col("year"), "region_id", pl.col("id").alias("municipality_id"), "system", "indicator",
                        pl.when(pl.col("procedure") != "").then(pl.col("procedure")).alias("procedure"), "value", "change", "level_score", "dynamics_score", "score")
            .cast(SCORE_COLUMNS).sort("year", "region_id", "municipality_id", "system", "indicator", "procedure",
                                     nulls_last=True))


def _ranked(df: pl.DataFrame) -> pl.DataFrame:
    group = ["region_id", "year", "system"]
    return df.with_columns(pl.col("score").round(DIGITS)).with_columns(
        pl.col("score").rank(method="min", descending=True).over(group).cast(pl.Int64).alias("rank"),
        pl.len().over(group).cast(pl.Int64).alias("peers"))


def rate(scores: pl.DataFrame, config: RatingsConfig) -> pl.DataFrame:
    """System and overall scores with ranks from the indicator scores (`indicator_scores`)."""
    if scores.is_empty():
        return pl.DataFrame(schema=RATING_COLUMNS)
    key = ["year", "region_id", "municipality_id"]
    systems = (scores.group_by(*key, "system")
               .agg(pl.col("score").mean().alias("score"), pl.len().cast(pl.Int64).alias("indicators"))
               .filter(pl.col("indicators") >= config.min_indicators))
    codes = systems["system"].unique().to_list()
    weights = pl.DataFrame({"system": codes, "w": [config.weight(c) for c in codes]},
                           schema={"system": pl.Utf8, "w": pl.Float64})
    total = (systems.join(weights, on="system").filter(pl.col("w") > 0).group_by(key)
             .agg(((pl.col("score") * pl.col("w")).sum() / pl.col("w").sum()).alias("score"),
                  pl.col("indicators").sum().cast(pl.Int64), pl.len().alias("_systems"))
             .filter(pl.col("_systems") >= config.min_systems).drop("_systems")
             .with_columns(pl.lit(TOTAL).alias("system")))
    both = pl.concat([systems, total.select(systems.columns)])
    return (_ranked(both).select(list(RATING_COLUMNS)).cast(RATING_COLUMNS)
            .sort("year", "region_id", "system", "rank", "municipality_id"))


def municipality_regions(warehouse: Warehouse) -> dict[str, str]:
    """Municipality id → region id from the registry in the warehouse."""
    files = warehouse.files("organisations")
    if not files:
        return {}
    df = pl.read_parquet(files, columns=["municipality_id", "region_id"]).drop_nulls().unique()
    return dict(zip(df["municipality_id"].to_list(), df["region_id"].to_list(), strict=True))


def _active_runs(store: ResultStore) -> list[str]:
    return sorted({slot["run"] for years in store.manifest()["active"].values() for slot in years.values()})


# ---- storage ------------------------------------------------------------------------------------------
def root(results_dir: Path) -> Path:
    return Path(results_dir) / "ratings"


def run(results_dir: Path, warehouse: Warehouse, catalog: Catalog, config: RatingsConfig,
        indicator_run: str | None = None) -> dict:
    """Score and rank every municipality on the active stored values (all years) and store the run.

    `indicator_run`: the indicator run just computed, recorded as what the ratings follow (with every run
    whose values they read). Returns a summary for the caller."""
    store = ResultStore(results_dir)
    values = pl.from_arrow(store.indicator_values(level=Level.MUNICIPALITY))
    scores = indicator_scores(values, catalog, municipality_regions(warehouse), config)
    ratings = rate(scores, config)
    years = sorted(set(ratings["year"].to_list()))
    meta = {"format": FORMAT, "indicator_run": indicator_run, "indicator_runs": _active_runs(store),
            "years": years, "config": config.model_dump(mode="json")}
    run_id = write(results_dir, ratings, scores, meta)
    totals = ratings.filter(pl.col("system") == TOTAL)
    return {"run": run_id, "years": years, "municipalities": totals["municipality_id"].n_unique(),
            "regions": totals["region_id"].n_unique(), "rows": ratings.height}


def write(results_dir: Path, ratings: pl.DataFrame, scores: pl.DataFrame, meta: dict) -> str:
    return publish_tables(root(results_dir), {"ratings": ratings, "scores": scores}, meta)


class Ratings(TableRun):
    """Read access to the current stored ratings run."""

    @classmethod
    def open(cls, results_dir: Path) -> Ratings | None:
        """The current run, or None when none has been stored."""
        return cls.current(root(results_dir))

    def ratings(self, year: int | None = None) -> pl.DataFrame:
        return self.table("ratings", year)

    def scores(self, year: int | None = None) -> pl.DataFrame:
        return self.table("scores", year)

"""`run(ws)`: compute every detection result over the warehouse and store it (see `store`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import polars as pl

from msoko.core.issues import Issue, RejectedInput
from msoko.core.workspace import Workspace
from msoko.engine.detection import (
    clusters,
    data,
    explain,
    federal,
    lists,
    objectivity,
    results,
    risk_profile,
    social,
    standing,
    store,
    value_added,
)
from msoko.engine.detection.config import DetectionConfig
from msoko.engine.warehouse import Warehouse

CONFIG_FILE = "detection.yaml"
Progress = Callable[[str, int, int], None]
STEPS = ["данные", "объективность", "индекс благополучия", "кластеры и ожидаемый результат",
         "федеральное правило", "списки и профили риска", "запись результатов"]


def _objectivity_explanations(groups: pl.DataFrame, signs: pl.DataFrame) -> pl.DataFrame:
    with_signs = groups.filter((pl.col("signs") != "") | (pl.col("status") == objectivity.INSUFFICIENT))
    fired = signs.filter(pl.col("fired"))
    by_key: dict[tuple, list[dict]] = {}
    for s in fired.iter_rows(named=True):
        by_key.setdefault((s["year"], s["org_id"], s["subject"], s["grade"]), []).append(s)
    texts = [
        explain.objectivity_text(g, by_key.get((g["year"], g["org_id"], g["subject"], g["grade"]), []))
        for g in with_signs.iter_rows(named=True)
    ]
    expl = with_signs.select("year", "org_id", "subject", "grade").with_columns(
        pl.Series("explanation", texts, dtype=pl.Utf8))
    return groups.join(expl, on=["year", "org_id", "subject", "grade"], how="left")


def _aggregates_key(cfg: DetectionConfig) -> dict:
    """What the stored per-year aggregates were built with besides the warehouse (the peaks' widths)."""
    return {"format": 1, "peaks": [cfg.objectivity.peaks.at_width, cfg.objectivity.peaks.below_width]}


def _frames(ws: Workspace, cfg: DetectionConfig, changed_years: Iterable[int] | None) -> dict[str, pl.DataFrame]:
    """The group aggregates every rule reads. With `changed_years`, the per-year ones (`data.YEARLY`) of
    the other years are the stored run's — built from the same warehouse rows, so equal to rebuilt ones —
    when that run kept them with the same settings; otherwise every year is built."""
    kept = None
    if changed_years is not None:
        previous = store.DetectionResults.open(ws.results)
        if previous is not None and previous.meta.get("aggregates") == _aggregates_key(cfg):
            kept = previous.aggregates(data.YEARLY)
    rebuild = None if kept is None else sorted(set(changed_years or ()))
    con = data.connect(Warehouse(ws.warehouse))
    try:
        frames = data.build(con, cfg.objectivity.peaks.at_width, cfg.objectivity.peaks.below_width, years=rebuild)
    finally:
        con.close()
    if kept is not None:
        if any(kept[name].columns != frames[name].columns for name in data.YEARLY):
            return _frames(ws, cfg, None)  # kept by an older msoko with other columns: build every year
        for name, key in data.YEARLY.items():
            old = kept[name].filter(~pl.col("year").is_in(rebuild))
            frames[name] = pl.concat([old, frames[name].cast(old.schema)], how="vertical").sort(
                list(key), nulls_last=True)
    return frames


def compute(ws: Workspace, cfg: DetectionConfig, progress: Progress | None = None,
            changed_years: Iterable[int] | None = None) -> dict[str, pl.DataFrame]:
    """Every result table (`store.TABLES`) and, under "aggregates", the per-year aggregates behind them.
    `changed_years`: only these years' warehouse rows changed since the stored run (see `_frames`)."""
    def step(i: int) -> None:
        if progress:
            progress(STEPS[i], i, len(STEPS))

    step(0)
    frames = _frames(ws, cfg, changed_years)
    vpr, gia, orgs = frames["vpr"], frames["gia"], frames["organisations"]

    step(1)
    groups, signs = objectivity.evaluate(vpr, gia, cfg.objectivity)
    groups = _objectivity_explanations(groups, signs)

    step(2)
    soc, used = social.index(frames["context"], orgs, cfg.social)

    step(3)
    vpr_e = objectivity.with_effect(vpr, ["region_id", "year", "subject", "grade"]) if not vpr.is_empty() else vpr
    gia_e = objectivity.with_effect(gia, ["region_id", "year", "exam", "subject"]) if not gia.is_empty() else gia
    if vpr_e.is_empty():
        vpr_e = vpr_e.with_columns(pl.lit(None, dtype=pl.Float64).alias("effect"))
    if gia_e.is_empty():
        gia_e = gia_e.with_columns(pl.lit(None, dtype=pl.Float64).alias("effect"))
    comp = results.composite(vpr_e, gia_e, cfg.clusters)
    clustered = clusters.bottom(clusters.assign(comp, soc, orgs, cfg.clusters), cfg.clusters)
    clustered = clustered.join(soc.select("year", "org_id", *[f"a_{n}" for n in used]), on=["year", "org_id"],
                               how="left")
    clustered = value_added.evaluate(clustered, [f"a_{n}" for n in used], cfg.value_added)
    stand = standing.evaluate(vpr_e, gia_e, soc, orgs, cfg.standing,
                              flagged=groups.select(*standing.FLAG_KEY, "flagged") if not groups.is_empty() else None)

    step(4)
    fed = federal.evaluate(federal.units(vpr, gia, frames["results_by_org"]), cfg.federal)

    step(5)
    risk = _risk_table(clustered, soc, fed, cfg, stand)
    moves = lists.movement(risk)
    profile_src = soc.join(comp.select("year", "org_id", "vpr_share_2"), on=["year", "org_id"], how="full",
                           coalesce=True)
    if "region_id" in profile_src.columns:
        profile_src = profile_src.with_columns(pl.col("region_id").fill_null(""))
    profile = risk_profile.evaluate(profile_src, cfg.risk_profile) if not profile_src.is_empty() else pl.DataFrame(
        schema={"year": pl.Int32, "org_id": pl.Utf8, "factor": pl.Int32, "name": pl.Utf8, "value": pl.Float64,
                "at_risk": pl.Boolean})
    return {"objectivity": groups, "signs": signs, "risk": risk, "lists": moves, "risk_profile": profile,
            "social": soc, "aggregates": {name: frames[name] for name in data.YEARLY}}


def _risk_table(clustered: pl.DataFrame, soc: pl.DataFrame, fed: pl.DataFrame, cfg: DetectionConfig,
                stand: pl.DataFrame | None = None) -> pl.DataFrame:
    key = ["year", "org_id"]
    cl = clustered.select(
        pl.col("year").cast(pl.Int32), "org_id", "region_id", "cluster", "cluster_size", "cluster_rank",
        "composite", "cluster_gap", "cluster_bottom", "region_rank", "region_size", "region_bottom", "expected", "lower", "upper", "below_expected",
        *[c for c in ("vpr_effect", "vpr_share_2", "gia_effect", "gia_below_min") if c in clustered.columns],
    )
    df = cl.join(soc.select(pl.col("year").cast(pl.Int32), "org_id", pl.col("region_id").alias("_r"),
                            "social_index", "shnsu"), on=key, how="full", coalesce=True)
    df = df.with_columns(pl.coalesce("region_id", "_r").alias("region_id")).drop("_r")
    df = df.join(fed, on=key, how="full", coalesce=True)
    if stand is None:
        stand = pl.DataFrame(schema=standing.SCHEMA)
    df = df.join(stand, on=key, how="left")
    df = df.with_columns(
        *[pl.col(c).fill_null(False) for c in ("low_standing", "cluster_bottom", "region_bottom", "below_expected",
                                               "shnsu", "federal_risk")],
    )
    shnor = pl.lit(bool(cfg.shnor.all_of))
    for reason in cfg.shnor.all_of:
        shnor = shnor & pl.col(reason)
    for reason in cfg.shnor.any_of:
        shnor = shnor | pl.col(reason)
    df = df.with_columns(shnor.alias("shnor"))
    codes = []
    names = ["low_standing", "cluster_bottom", "region_bottom", "federal_risk", "below_expected", "low_social_index"]
    for row in df.select("low_standing", "cluster_bottom", "region_bottom", "federal_risk", "below_expected",
                         "shnsu").iter_rows():
        codes.append(";".join(n for n, on in zip(names, row, strict=True) if on))
    df = df.with_columns(pl.Series("reasons", codes, dtype=pl.Utf8))
    texts = [
        explain.risk_text(r, cfg.clusters.years, cfg.clusters.bottom_share, cfg.clusters.region_bottom_share,
                          standing_years=cfg.standing.years, standing_threshold=cfg.standing.threshold_sd)
        if r["reasons"] else None
        for r in df.iter_rows(named=True)
    ]
    df = df.with_columns(pl.Series("explanation", texts, dtype=pl.Utf8))
    return df.sort(key)


def load_config(ws: Workspace) -> tuple[DetectionConfig | None, list[Issue]]:
    """The workspace's detection settings (`detection.yaml`, defaults where absent) with located issues;
    callers that write other results first (msoko compute) check it before anything is written."""
    return DetectionConfig.load(ws.root / CONFIG_FILE)


def run(ws: Workspace, years: Iterable[int] | None = None, progress: Progress | None = None,
        changed_years: Iterable[int] | None = None) -> dict:
    """Compute objectivity flags, ШНСУ, ШНОР, lists and risk profiles; store them under ws.results/detection.

    `years`: store only these years (history is still read from every year); results stored earlier for
    other years are kept. `changed_years` (an incremental run, `engine.incremental`): the warehouse rows
    changed since the stored run in these years only, so the other years' group aggregates are reused; the
    rules still run over every year (they compare years and normalise within region × year).
    `progress(step_name, done, total)` is called as the work advances.
    Returns a summary: counts per table and seconds taken. A broken `detection.yaml` raises
    `RejectedInput` with located issues, and nothing is written.
    """
    started = time.perf_counter()
    cfg, issues = load_config(ws)
    if cfg is None:
        raise RejectedInput(issues)
    tables = compute(ws, cfg, progress, changed_years)
    aggregates = tables.pop("aggregates")
    wanted = sorted(set(years)) if years is not None else None
    if wanted is not None:
        previous = store.DetectionResults.open(ws.results)
        for name in store.TABLES:
            fresh = tables[name].filter(pl.col("year").is_in(wanted))
            if previous is not None:
                old = previous._read(name).filter(~pl.col("year").is_in(wanted))
                fresh = pl.concat([old, fresh], how="diagonal_relaxed")
            tables[name] = fresh
    if progress:
        progress(STEPS[-1], len(STEPS) - 1, len(STEPS))
    stored_years = sorted(set(tables["risk"]["year"].to_list()) | set(tables["objectivity"]["year"].to_list()))
    store.write(ws.results, tables, {"years": stored_years, "aggregates": _aggregates_key(cfg)}, aggregates)
    summary = {name: tables[name].height for name in store.TABLES}
    summary["seconds"] = round(time.perf_counter() - started, 2)
    if progress:
        progress("готово", len(STEPS), len(STEPS))
    return summary

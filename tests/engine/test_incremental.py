"""Incremental `run_all`: after random changes of the warehouse its stored results equal a full run's.

Each seed builds a small synthetic region (3 years, ВПР with tasks, ГИА, context) partitioned the way imports
partition it, runs the pipeline once, then applies a random sequence of changes through the ingest layer's
staging and commit (the manifest switch and the journal an import writes): one school's rows re-imported
with other marks, a year added, a municipality's context replaced, a year of ГИА rolled back, the same rows
re-imported unchanged. After each change the incremental run's stored results — every indicator row and
column at every level, the detection tables, the ratings, the ВПР distributions, the active indicator ×
year slots and the absent reasons — must equal those of a full run over a copy of the same warehouse
from scratch.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from msoko.core.workspace import Workspace
from msoko.engine import distributions, ratings
from msoko.engine.detection.data import YEARLY
from msoko.engine.detection.store import TABLES, DetectionResults
from msoko.engine.pipeline import STAGE_DETECTION, STAGE_DISTRIBUTIONS, STAGE_INDICATORS, run_all
from msoko.engine.results import ResultStore
from msoko.engine.warehouse import Warehouse
from msoko.ingest import store as ingest

FIRST_YEAR = 2024


def _partition(dataset: str, row_year: int, exam: str | None = None) -> str:
    """The partition key an import gives (ingest.pipeline._partition_expr)."""
    if dataset == "vpr":
        return f"{row_year}|ВПР"
    if dataset == "gia":
        return f"{row_year}|{exam}"
    if dataset == "organisations":
        return "all"
    return str(row_year)


def _commit(ws: Workspace, parts: dict[tuple[str, str], pa.Table], drop: dict[str, list[str]] | None = None) -> str:
    """Write `parts` as new versions of their partitions (and deactivate `drop`) as an import commits."""
    import_id = ingest.new_id()
    staging = ingest.Staging(ws, import_id)
    for (dataset, key), table in parts.items():
        staging.write(dataset, key, table)
    ingest.commit(ws, staging, {"id": import_id, "when": ingest.now_iso(), "kind": "test", "file": "test"},
                  supersede=drop)
    return import_id


def _active(ws: Workspace, dataset: str, key: str) -> pl.DataFrame:
    wh = Warehouse(ws.warehouse)
    version = wh.active_versions(dataset)[key]
    return pl.read_parquet(sorted(wh.version_dir(dataset, version).glob("*.parquet")))


def build_region(ws: Workspace, raw: Path, seed: int) -> None:
    from msoko.synth import generate_country

    country = generate_country(raw, seed=seed, municipalities=3, schools=24, years=3, first_year=FIRST_YEAR,
                               with_tasks=True, pupils_factor=0.25)
    parts: dict[tuple[str, str], pa.Table] = {}
    for name, path in country.files.items():
        if not str(path).endswith(".parquet"):
            continue
        df = pl.read_parquet(path)
        if name == "organisations":
            parts[(name, "all")] = df.to_arrow()
            continue
        keys = ["year", "exam"] if name == "gia" else ["year"]
        for key, part in df.partition_by(keys, as_dict=True).items():
            parts[(name, _partition(name, int(key[0]), key[1] if name == "gia" else None))] = part.to_arrow()
    _commit(ws, parts)


# ---- the changes ---------------------------------------------------------------------------------------
def reimport_school(ws: Workspace, rng: random.Random) -> str:
    """One school's ВПР rows of one year re-imported with other marks (a keyed replacement)."""
    year = rng.choice(years_of(ws, "vpr"))
    key = _partition("vpr", year)
    df = _active(ws, "vpr", key)
    school = rng.choice(sorted(set(df["org_id"].to_list())))
    mine = df.filter(pl.col("org_id") == school)
    shifted = mine.with_columns(((pl.col("mark") + rng.choice([1, 3])) % 4 + 2).cast(df.schema["mark"]).alias("mark"))
    new = pl.concat([df.filter(pl.col("org_id") != school), shifted])
    _commit(ws, {("vpr", key): new.to_arrow()})
    return f"school {school} {year}"


def add_year(ws: Workspace, rng: random.Random) -> str:
    """A new year of ВПР and ГИА (last year's rows with some marks changed)."""
    last = max(years_of(ws, "vpr"))
    parts = {}
    for dataset in ("vpr", "gia", "vpr_tasks", "context"):
        wh = Warehouse(ws.warehouse)
        for key in [k for k in wh.active_versions(dataset) if k.split("|")[0] == str(last)]:
            df = _active(ws, dataset, key)
            df = df.with_columns((pl.col("year") + 1).cast(df.schema["year"]))
            if "mark" in df.columns:
                flip = pl.Series([rng.random() < 0.3 for _ in range(df.height)])
                df = df.with_columns(pl.when(flip & pl.col("mark").is_not_null())
                                     .then((pl.col("mark") % 4 + 2).cast(df.schema["mark"]))
                                     .otherwise(pl.col("mark")).alias("mark"))
            parts[(dataset, key.replace(str(last), str(last + 1), 1))] = df.to_arrow()
    _commit(ws, parts)
    return f"year {last + 1}"


def replace_context(ws: Workspace, rng: random.Random) -> str:
    """A municipality's context rows of one year replaced by other values."""
    year = rng.choice(years_of(ws, "context"))
    key = _partition("context", year)
    df = _active(ws, "context", key)
    orgs = pl.read_parquet(Warehouse(ws.warehouse).files("organisations"))
    muni = rng.choice(sorted(set(orgs["municipality_id"].to_list())))
    theirs = set(orgs.filter(pl.col("municipality_id") == muni)["org_id"].to_list())
    mine = df.filter(pl.col("org_id").is_in(theirs))
    numeric = [c for c, t in df.schema.items() if t.is_integer() and c not in ("year",)]
    changed = mine.with_columns(*[(pl.col(c) + rng.randint(1, 5)).cast(df.schema[c]) for c in numeric])
    _commit(ws, {("context", key): pl.concat([df.filter(~pl.col("org_id").is_in(theirs)), changed]).to_arrow()})
    return f"context of {muni} {year}"


def rollback_gia_year(ws: Workspace, rng: random.Random) -> str:
    """The import of one year's ГИА rolled back: its partitions leave the manifest."""
    years = years_of(ws, "gia")
    year = rng.choice(years)
    keys = [k for k in Warehouse(ws.warehouse).active_versions("gia") if k.startswith(f"{year}|")]
    manifest = Warehouse(ws.warehouse).manifest()
    for key in keys:
        manifest["datasets"]["gia"].pop(key)
    Warehouse(ws.warehouse).write_manifest(manifest)
    return f"gia {year} removed"


def same_rows_again(ws: Workspace, rng: random.Random) -> str:
    """A file re-imported unchanged: a new version with the same rows."""
    year = rng.choice(years_of(ws, "vpr"))
    key = _partition("vpr", year)
    _commit(ws, {("vpr", key): _active(ws, "vpr", key).to_arrow()})
    return f"vpr {year} again"


def years_of(ws: Workspace, dataset: str) -> list[int]:
    return sorted({int(k.split("|")[0]) for k in Warehouse(ws.warehouse).active_versions(dataset)})


CHANGES = [reimport_school, add_year, replace_context, rollback_gia_year, same_rows_again]


# ---- what is compared ------------------------------------------------------------------------------------
def _sorted(table: pa.Table | pl.DataFrame) -> pl.DataFrame:
    """Rows in a canonical order: by the exact columns first, so a float's last bit cannot reorder them."""
    df = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    exact = [c for c, t in df.schema.items() if not t.is_float()]
    return df.sort([*exact, *[c for c in df.columns if c not in exact]], nulls_last=True)


# Detection's floats are not reproducible to the last bit even between two full runs over the same data
# (parallel sums in DuckDB and polars add in varying order: measured differences ≈1e-15), so its float
# columns are compared to 1e-12 relative; everything else — every indicator column included — must be equal.
APPROXIMATE = ("detection/",)


def stored(ws: Workspace) -> dict[str, pl.DataFrame | object]:
    """Every stored result a reader sees, order-insensitive."""
    store = ResultStore(ws.results)
    out: dict[str, object] = {}
    values = store.indicator_values(breakdowns=True)
    for level in ("organisation", "municipality", "region", "total"):
        out[f"indicators/{level}"] = _sorted(pl.from_arrow(values).filter(pl.col("level") == level))
    out["active"] = {code: sorted(years) for code, years in store.manifest()["active"].items()}
    out["absent"] = store.absent()
    found = DetectionResults.open(ws.results)
    for name in TABLES:
        out[f"detection/{name}"] = _sorted(found._read(name)) if found else None
    # the per-year aggregates detection keeps for the next run: reused years must equal rebuilt ones
    for name, frame in ((found.aggregates(YEARLY) or {}) if found else {}).items():
        out[f"detection/aggregate_{name}"] = _sorted(frame)
    rated = ratings.Ratings.open(ws.results)
    out["ratings"] = _sorted(rated.ratings()) if rated else None
    out["ratings/scores"] = _sorted(rated.scores()) if rated else None
    dist = distributions.StoredDistributions.open(ws.results)
    out["distributions/years"] = dist.years() if dist else []
    for year in (dist.years() if dist else []):
        folder = dist.folder / dist.meta["years"][str(year)] / str(year)
        for name in distributions.TABLES:
            out[f"distributions/{year}/{name}"] = _sorted(pq.read_table(folder / f"{name}.parquet"))
    return out


def differences(a: dict, b: dict) -> list[str]:
    bad = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, pl.DataFrame) and isinstance(y, pl.DataFrame):
            if x.columns != y.columns or x.height != y.height:
                bad.append(f"{key}: {x.height} vs {y.height} rows, columns {x.columns} vs {y.columns}")
            elif not x.equals(y, null_equal=True):
                if key.startswith(APPROXIMATE):
                    floats = [c for c, t in x.schema.items() if t.is_float()]
                    if x.drop(floats).equals(y.drop(floats), null_equal=True) and all(
                            _close(x[c], y[c]) for c in floats):
                        continue
                columns = [c for c in x.columns if not x[c].equals(y[c], null_equal=True)]
                bad.append(f"{key}: {x.height} rows, columns differ: {columns}")
        elif x != y:
            bad.append(f"{key}: {x!r:.200} vs {y!r:.200}")
    return bad


def _close(a: pl.Series, b: pl.Series) -> bool:
    if not a.is_null().equals(b.is_null()):
        return False
    both = pl.DataFrame({"a": a, "b": b}).drop_nulls()
    nan = both["a"].is_nan() | both["b"].is_nan()
    if not both["a"].is_nan().equals(both["b"].is_nan()):
        return False
    both = both.filter(~nan)
    return bool(((both["a"] - both["b"]).abs() <= 1e-12 * both["a"].abs().clip(lower_bound=1.0)).all())


def full_copy(ws: Workspace, where: Path) -> Workspace:
    """The same warehouse in a fresh workspace, computed in full from scratch."""
    shutil.rmtree(where, ignore_errors=True)
    other = Workspace(where).ensure()
    shutil.rmtree(other.warehouse)
    shutil.copytree(ws.warehouse, other.warehouse)
    run_all(other, full=True)
    return other


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_runs_store_what_a_full_run_stores(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    ws = Workspace(tmp_path / "home").ensure()
    build_region(ws, tmp_path / "raw", seed)
    first = run_all(ws)
    assert first.plan["mode"] == "full"
    changes = [reimport_school, *rng.sample(CHANGES, 3)]
    for step, change in enumerate(changes):
        what = change(ws, rng)
        summary = run_all(ws)
        expected = "nothing" if change is same_rows_again else "incremental"
        assert summary.plan["mode"] == expected, (what, summary.plan)
        reference = full_copy(ws, tmp_path / f"full-{step}")
        assert differences(stored(ws), stored(reference)) == [], what


def test_one_schools_import_recomputes_its_year_and_the_next_only(tmp_path: Path):
    ws = Workspace(tmp_path / "home").ensure()
    build_region(ws, tmp_path / "raw", 5)
    run_all(ws)
    # a school's ВПР of the first year: that year and the next (its change) are recomputed, not the third
    df = _active(ws, "vpr", _partition("vpr", FIRST_YEAR))
    school = sorted(set(df["org_id"].to_list()))[0]
    changed = df.with_columns(pl.when(pl.col("org_id") == school).then(pl.lit(2)).otherwise(pl.col("mark"))
                              .cast(df.schema["mark"]).alias("mark"))
    import_id = _commit(ws, {("vpr", _partition("vpr", FIRST_YEAR)): changed.to_arrow()})
    summary = run_all(ws)
    plan = summary.plan
    assert plan["mode"] == "incremental"
    assert plan["changed_years"] == {"vpr": [FIRST_YEAR]}
    assert plan["changed_orgs"] == {"vpr": 1}
    assert plan["imports"] == [import_id]
    assert plan["indicator_years"] == [FIRST_YEAR, FIRST_YEAR + 1]
    assert "vpr" in plan["indicator_datasets"] and "oge" not in plan["indicator_datasets"]
    assert plan["distribution_years"] == [FIRST_YEAR]
    assert plan["detection"] is True
    assert plan["detection_years"] == [FIRST_YEAR]  # the other years' group aggregates come from the last run
    assert set(summary.years) == {FIRST_YEAR, FIRST_YEAR + 1}
    assert differences(stored(ws), stored(full_copy(ws, tmp_path / "full"))) == []

    # nothing changed since: nothing is recomputed, every stage says so
    seen: list[tuple[str, str]] = []
    again = run_all(ws, progress=lambda stage, name, _d, _t: seen.append((stage, name)))
    assert again.plan["mode"] == "nothing" and again.stage_seconds == {}
    assert (STAGE_DETECTION, "без изменений") in seen and (STAGE_DISTRIBUTIONS, "без изменений") in seen
    assert (STAGE_INDICATORS, "без изменений") in seen


def test_detection_rebuilds_every_years_groups_when_the_kept_ones_cannot_be_trusted(tmp_path: Path):
    """Kept aggregates are reused only when the last run stored them with the same peaks' widths; a run
    stored without them (an older msoko) or with other widths rebuilds every year — still equal to full."""
    ws = Workspace(tmp_path / "home").ensure()
    build_region(ws, tmp_path / "raw", 7)
    run_all(ws)
    run_folder = DetectionResults.open(ws.results).folder
    for path in run_folder.glob("aggregate_*.parquet"):
        path.unlink()
    reimport_school(ws, random.Random(7))
    assert run_all(ws).plan["mode"] == "incremental"
    assert differences(stored(ws), stored(full_copy(ws, tmp_path / "full-1"))) == []
    assert DetectionResults.open(ws.results).aggregates(YEARLY) is not None  # kept again for the next run

    (ws.root / "detection.yaml").write_text("objectivity:\n  peaks:\n    at_width: 3\n", encoding="utf-8")
    reimport_school(ws, random.Random(8))
    summary = run_all(ws)
    assert summary.plan["mode"] == "incremental" and summary.plan["detection"] is True
    assert summary.plan["detection_years"] == "все"  # changed settings: every year's groups built anew
    reference = full_copy(ws, tmp_path / "full-2")
    shutil.copy(ws.root / "detection.yaml", reference.root / "detection.yaml")
    run_all(reference, full=True)
    assert DetectionResults.open(ws.results).meta["aggregates"]["peaks"] == [3, 2]
    assert differences(stored(ws), stored(reference)) == []

    # detection asked to reuse (no year changed) after the widths changed: the kept groups, built with
    # other widths, are not reused — every year is built with the new ones
    from msoko.engine.detection import data, run

    (ws.root / "detection.yaml").write_text("objectivity:\n  peaks:\n    at_width: 5\n", encoding="utf-8")
    run(ws, changed_years=[])
    con = data.connect(Warehouse(ws.warehouse))
    try:
        built = data.build(con, 5, 2)
    finally:
        con.close()
    kept = DetectionResults.open(ws.results).aggregates(YEARLY)
    assert DetectionResults.open(ws.results).meta["aggregates"]["peaks"] == [5, 2]
    assert kept["vpr"]["n_at"].to_list() == built["vpr"]["n_at"].to_list()


def test_what_forces_a_full_run(tmp_path: Path):
    ws = Workspace(tmp_path / "home").ensure()
    build_region(ws, tmp_path / "raw", 6)
    assert "нет сведений" in run_all(ws).plan["reasons"][0]
    assert run_all(ws, full=True).plan["mode"] == "full"
    # a run over one year leaves results a full run would not: the next run starts from scratch
    assert run_all(ws, years=[FIRST_YEAR]).plan["years_only"] == [FIRST_YEAR]
    assert run_all(ws).plan["mode"] == "full"
    # the registry changes every unit's municipality and region
    orgs = _active(ws, "organisations", "all")
    _commit(ws, {("organisations", "all"): orgs.with_columns(pl.col("name") + " ").to_arrow()})
    assert run_all(ws).plan["reasons"] == ["изменился реестр организаций"]
    # the region's own risk_lists replaces detection's lists in every year, not only in the years it holds
    from msoko.engine import incremental
    from msoko.engine.pipeline import DERIVED_FROM

    assert set(incremental.DERIVED) == set(DERIVED_FROM)
    school = orgs["org_id"][0]
    own = pa.table({"year": pa.array([FIRST_YEAR + 2], pa.int64()), "org_id": [school], "shnor": [1], "shnsu": [0]})
    run_all(ws)
    _commit(ws, {("risk_lists", str(FIRST_YEAR + 2)): own})
    assert run_all(ws).plan["reasons"] == ["набор risk_lists загружен в хранилище"]
    # an edited catalog
    from msoko.engine.catalog import DEFAULT_CATALOG

    shutil.copytree(DEFAULT_CATALOG, ws.root / "catalog")
    path = ws.root / "catalog" / "indicators" / "1.1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert run_all(ws).plan["mode"] == "nothing"  # the same definitions: a comment changes nothing read
    text = path.read_text(encoding="utf-8").replace("min_group_size: 10", "min_group_size: 11", 1)
    path.write_text(text, encoding="utf-8")
    assert run_all(ws).plan["reasons"] == ["изменились: каталог показателей"]


# ---- the summary -----------------------------------------------------------------------------------------
def _said(result) -> str:
    assert result.exit_code == 0, result.stdout
    return " ".join(result.stdout.split())  # Rich wraps long lines at the terminal's width


def test_compute_says_what_it_recomputed_and_why(golden_workspace):
    from typer.testing import CliRunner

    from msoko.cli.main import app

    def compute(*args):
        return _said(CliRunner().invoke(app, ["compute", *args, "--home", str(golden_workspace.root)],
                                        catch_exceptions=False))

    said = compute()
    assert "Полный пересчёт: нет сведений о прошлом полном расчёте." in said
    assert "Показатели рассчитаны:" in said
    said = compute()
    assert "С прошлого расчёта данные и настройки не изменились — пересчитывать нечего." in said
    assert "Показатели рассчитаны:" not in said
    assert "Полный пересчёт: полный пересчёт по запросу (--full)." in compute("--full")

    # one school's ВПР of 2024 re-imported with other marks
    wh = Warehouse(golden_workspace.warehouse)
    [(key, version)] = wh.active_versions("vpr").items()
    df = pl.read_parquet(sorted(wh.version_dir("vpr", version).glob("*.parquet")))
    school = sorted(set(df.filter(pl.col("year") == 2024)["org_id"].to_list()))[0]
    mine = (pl.col("org_id") == school) & (pl.col("year") == 2024)
    changed = df.with_columns(pl.when(mine).then(pl.lit(5)).otherwise(pl.col("mark"))
                              .cast(df.schema["mark"]).alias("mark"))
    import_id = _commit(golden_workspace, {("vpr", key): changed.to_arrow()})
    said = compute()
    assert "Пересчитано только то, что изменилось: изменились данные: vpr за 2024." in said
    assert f"Загрузки: {import_id}." in said
    assert "Организаций с изменёнными данными: vpr — 1." in said
    assert ("Признаки необъективности и списки ШНОР/ШНСУ: пересчитаны за все годы (правила сравнивают несколько "
            "лет); итоги по группам заново собраны за 2024, за остальные годы взяты из прошлого расчёта.") in said
    assert ": 2024, 2025 — годы изменений и следующие за ними" in said
    assert "Распределения баллов ВПР: 2024." in said
    assert "Показатели рассчитаны:" in said and "(годы: 2024)" in said  # 2025 has no data


def test_the_plan_in_russian_names_what_was_left_alone():
    from msoko.engine.incremental import describe

    plan = {"mode": "incremental", "reasons": ["изменились настройки рейтинга (ratings.yaml)"], "detection": False,
            "ratings": True, "indicator_datasets": [], "indicator_years": [], "distribution_years": [],
            "changed_years": {}, "changed_orgs": {}, "imports": []}
    assert describe(plan) == [
        "Пересчитано только то, что изменилось: изменились настройки рейтинга (ratings.yaml).",
        "Признаки необъективности и списки ШНОР/ШНСУ: не пересчитывались — их данные не изменились.",
        "Показатели: не пересчитывались — их данные не изменились.",
        "Рейтинг муниципалитетов: пересчитан.",
        "Распределения баллов ВПР: не пересчитывались — данные ВПР не изменились.",
    ]
    context_only = {**plan, "detection": True, "detection_years": []}  # context changed: no group rebuilt
    assert ("Признаки необъективности и списки ШНОР/ШНСУ: пересчитаны за все годы (правила сравнивают несколько "
            "лет); итоги по группам взяты из прошлого расчёта.") in describe(context_only)
    assert describe({"mode": "full", "reasons": ["изменился реестр организаций"]}) == [
        "Полный пересчёт: изменился реестр организаций."]
    assert describe({"mode": "full", "reasons": ["расчёт только за 2025"], "years_only": [2025]}) == [
        "Пересчитаны только годы 2025; следующий расчёт без --year будет полным."]


def test_row_changes_names_the_years_and_organisations_whose_rows_differ(tmp_path: Path):
    import duckdb

    from msoko.engine.incremental import row_changes

    def written(name: str, table: pa.Table) -> list[Path]:
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        return [path]

    old = pa.table({"year": [2024, 2024, 2025, 2025], "org_id": ["a", "b", "a", "b"], "mark": [3, 4, 5, 5]})
    con = duckdb.connect()
    # b's 2025 row changed; the new file lists its columns in another order
    new = pa.table({"mark": [3, 4, 5, 2], "org_id": ["a", "b", "a", "b"], "year": [2024, 2024, 2025, 2025]})
    assert row_changes(con, written("old", old), written("new", new)) == ({2025}, {"b"})
    # the same rows, a duplicate more: a multiset differs
    twice = pa.concat_tables([old, old.slice(0, 1)])
    assert row_changes(con, written("old", old), written("twice", twice)) == ({2024}, {"a"})
    assert row_changes(con, written("old", old), written("same", old)) == (set(), set())
    # a side with no files (a partition added or rolled back): all its rows
    assert row_changes(con, [], written("new", new)) == ({2024, 2025}, {"a", "b"})
    # a column only one version has: every row of both counts as changed
    wider = old.append_column("extra", pa.array([1, 1, 1, 1]))
    assert row_changes(con, written("old", old), written("wider", wider)) == ({2024, 2025}, {"a", "b"})
    # no year: the caller recomputes everything
    assert row_changes(con, written("old", old.drop(["year"])), written("new", new.drop(["year"]))) is None

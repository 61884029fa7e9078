"""Синтетический регион: реестр, контекст, ВПР, ГИА и «правильные ответы» в каноническом CSV.

The synthetic region as a library call. `generate_region(out_dir, seed=…)` writes, in the canonical
layout of `docs/formats.md`:

    organisations.csv     the registry (schools, kindergartens, additional education)
    context.csv           one row per school × year
    vpr.csv               ВПР grades 4–8, Русский язык and Математика, with `task:<n>` columns
    gia.csv               ОГЭ (grade 9) and ЕГЭ (grade 11)
    vpr_tasks_meta.csv    year, subject, grade, task, max_score, level
    scales.csv            the reference scales of the years generated
    ground_truth.json     the planted schools (non_objective, adverse_social), every school meeting the
                          low-result criterion (low_results) and the criteria themselves

The same seed and parameters give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from msoko.engine import reference
from msoko.synth import frames, tasks
from msoko.synth.cohorts import SUBJECT_KEYS
from msoko.synth.context import CONTEXT_COLUMNS, context_arrays
from msoko.synth.gia import GiaBatch, generate_ege, generate_oge
from msoko.synth.plants import Plants, ground_truth, plant
from msoko.synth.schools import (
    CITY,
    DISTRICT,
    REMOTE,
    IdMaker,
    Municipality,
    Schools,
    municipality_names,
    organisation_rows,
    other_organisations,
    sample_schools,
)
from msoko.synth.vpr import VprBatch, generate_vpr

REGION_ID = "99"
REGION_NAME = "Синтетическая область"


@dataclass
class GeneratedRegion:
    out_dir: Path
    seed: int
    years: tuple[int, ...]
    files: dict[str, Path]
    rows: dict[str, int]
    ground_truth: dict
    seconds: float
    schools: Schools = field(repr=False)
    municipalities: list[Municipality] = field(repr=False)


def municipality_kinds(n: int) -> list[str]:
    """A city, rural districts, a remote district (n ≥ 2)."""
    if n < 2:
        return [CITY][:n]
    return [CITY, *([DISTRICT] * (n - 2)), REMOTE]


def split_schools(rng: np.random.Generator, kinds: list[str], total: int) -> list[int]:
    weights = np.array([{CITY: 2.2, DISTRICT: 1.0, REMOTE: 0.8}[k] for k in kinds]) * rng.uniform(
        0.85, 1.15, len(kinds)
    )
    counts = np.maximum(4, np.floor(weights / weights.sum() * total)).astype(int)
    counts[0] += total - counts.sum()
    return [int(c) for c in counts]


def results(
    seed: int,
    schools: Schools,
    years,
    plants: Plants | None = None,
    batch: int = 0,
    subjects=tasks.SUBJECTS,
    grades=tasks.GRADES,
) -> Iterator[tuple[int, VprBatch | GiaBatch]]:
    """All ВПР and ГИА batches of the schools, year by year: `(year, batch)`."""
    for year in years:
        for subject in subjects:
            for grade in grades:
                rng = np.random.default_rng([seed, 3, year, SUBJECT_KEYS[subject], grade, batch])
                mask = plants.mask(len(schools), subject, grade) if plants else None
                yield year, generate_vpr(seed, schools, year, subject, grade, rng, mask)
        rng = np.random.default_rng([seed, 4, year, batch])
        for b in generate_oge(seed, schools, year, rng):
            yield year, b
        for b in generate_ege(seed, schools, year, rng):
            yield year, b


def generate_region(
    out_dir: str | Path,
    seed: int = 2024,
    years=(2024, 2025, 2026),
    municipalities: int = 4,
    schools: int = 60,
    non_objective: int = 3,
    low_results: int = 3,
    adverse_social: int = 3,
    f1_examples: int = 0,
) -> GeneratedRegion:
    """Generate the region into `out_dir` (created if missing) and return what was written.

    `municipalities` 2–6 (a city, rural districts, a remote district), `schools` the number of schools
    (40–80 is the intended size; kindergartens and additional-education organisations come on top).
    `f1_examples` > 0 also writes that many native Ф1 XLSX files under `out_dir/f1/`.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    years = tuple(int(y) for y in years)
    rng = np.random.default_rng([seed, 1])

    kinds = municipality_kinds(municipalities)
    names = municipality_names(rng, kinds, offset=int(rng.integers(0, 8)))
    munis = [
        Municipality(f"mo{REGION_ID}{k + 1:02d}", name, kind, REGION_ID, REGION_NAME)
        for k, (name, kind) in enumerate(zip(names, kinds, strict=True))
    ]
    counts = split_schools(rng, kinds, schools)
    ids = IdMaker(rng)
    sch = sample_schools(rng, munis, counts, ids.many("edu", sum(counts)), uid_start=0)
    plants = plant(np.random.default_rng([seed, 5]), sch, non_objective, low_results, adverse_social,
                   seed=seed, years=years)
    others = other_organisations(rng, munis, counts, ids)
    org_ids = pa.array(sch.org_id, type=pa.string())

    files: dict[str, Path] = {}
    rows: dict[str, int] = {}

    def write(name: str, table: pa.Table) -> None:
        path = out / f"{name}.csv"
        pl.from_arrow(table).write_csv(path)
        files[name], rows[name] = path, table.num_rows

    write("organisations", frames.organisations_table(organisation_rows(munis, sch, others)))
    ctx = [
        frames.context_table(context_arrays(sch, y, np.random.default_rng([seed, 2, y])), org_ids)
        for y in years
    ]
    write("context", pa.concat_tables(ctx).select(list(CONTEXT_COLUMNS)))

    vpr_parts, gia_parts = [], []
    for year, b in results(seed, sch, years, plants):
        if isinstance(b, VprBatch):
            vpr_parts.append(frames.vpr_csv_table(b, org_ids))
        else:
            gia_parts.append(frames.gia_table(b, year, org_ids))
    write("vpr", pa.concat_tables(frames.union_task_columns(vpr_parts)))
    write("gia", pa.concat_tables(gia_parts))

    files["vpr_tasks_meta"] = tasks.write_meta(out / "vpr_tasks_meta.csv", years)
    rows["vpr_tasks_meta"] = len(tasks.meta_rows(years))
    files["scales"] = _write_scales(out / "scales.csv", years)

    truth = {
        "seed": seed,
        "years": list(years),
        "region_id": REGION_ID,
        **ground_truth(plants, sch, years, seed),
    }
    files["ground_truth"] = out / "ground_truth.json"
    files["ground_truth"].write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    region = GeneratedRegion(
        out_dir=out,
        seed=seed,
        years=years,
        files=files,
        rows=rows,
        ground_truth=truth,
        seconds=0.0,
        schools=sch,
        municipalities=munis,
    )
    if f1_examples:
        from msoko.synth.f1 import write_f1_examples

        files["f1"] = out / "f1"
        write_f1_examples(region, files["f1"], f1_examples)
    region.seconds = time.perf_counter() - started
    return region


def _write_scales(path: Path, years) -> Path:
    wanted = set(years)
    with (
        reference.SCALES_CSV.open(encoding="utf-8", newline="") as src,
        path.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.reader(src)
        writer = csv.writer(dst, lineterminator="\n")
        writer.writerow(next(reader))
        writer.writerows(r for r in reader if int(r[0]) in wanted)
    return path

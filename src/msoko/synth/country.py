"""Синтетическая страна: тысячи муниципалитетов потоком в Parquet (и при желании в CSV) в ограниченной памяти.

Country-scale generation for benchmarks. Municipalities are generated one at a time with the same model
as the region (vectorised over the pupils of the municipality) and streamed to Parquet files with the
warehouse schemas (`organisations`, `context`, `vpr`, `gia`, optionally `vpr_tasks`), buffered into row
groups of bounded size; optionally also to canonical CSV for import benchmarks. Memory stays bounded by
the buffer size and the largest municipality, whatever the number of municipalities. The same seed and
parameters give identical files. `ground_truth.json` lists the planted schools and the schools meeting the
low-result criterion, as for the region.
"""

from __future__ import annotations

import json
import math
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from msoko.engine.schemas import GIA, ORGANISATIONS, VPR, VPR_TASKS
from msoko.synth import frames, tasks
from msoko.synth.context import CONTEXT_COLUMNS, context_arrays
from msoko.synth.gia import GiaBatch
from msoko.synth.plants import ground_truth, plant
from msoko.synth.region import results
from msoko.synth.schools import (
    CITY,
    DISTRICT,
    REMOTE,
    IdMaker,
    Municipality,
    municipality_names,
    organisation_rows,
    other_organisations,
    sample_schools,
)
from msoko.synth.vpr import VprBatch


@dataclass
class GeneratedCountry:
    out_dir: Path
    seed: int
    years: tuple[int, ...]
    files: dict[str, Path]
    rows: dict[str, int]
    seconds: float
    peak_rss_mib: float
    municipalities: int = 0
    schools: int = 0
    extra: dict = field(default_factory=dict)


class _Sink:
    """One dataset: a Parquet writer (and optionally a CSV writer) fed through a bounded buffer."""

    def __init__(
        self, path: Path, schema: pa.Schema, flush_rows: int, csv_path: Path | None, csv_schema=None
    ):
        self.path, self.schema, self.flush_rows = path, schema, flush_rows
        self.parquet = pq.ParquetWriter(path, schema, compression="zstd")
        self.csv = None
        if csv_path is not None:
            options = pacsv.WriteOptions(quoting_style="needed")
            self.csv = pacsv.CSVWriter(csv_path, csv_schema or schema, write_options=options)
        self.buffer: list[pa.Table] = []
        self.csv_buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0

    def add(self, table: pa.Table, csv_table: pa.Table | None = None) -> None:
        self.buffer.append(table)
        if self.csv is not None:
            self.csv_buffer.append(csv_table if csv_table is not None else table)
        self.buffered += table.num_rows
        self.rows += table.num_rows
        if self.buffered >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.parquet.write_table(pa.concat_tables(self.buffer).cast(self.schema))
        for t in self.csv_buffer:
            self.csv.write_table(t)
        self.buffer, self.csv_buffer, self.buffered = [], [], 0

    def close(self) -> None:
        self.flush()
        self.parquet.close()
        if self.csv is not None:
            self.csv.close()


def _plan(seed: int, municipalities: int, schools: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng([seed, 10])
    kinds = list(rng.choice([CITY, DISTRICT, REMOTE], size=municipalities, p=[0.15, 0.65, 0.2]))
    weight = np.array([{CITY: 3.0, DISTRICT: 1.0, REMOTE: 0.6}[k] for k in kinds]) * rng.lognormal(
        0, 0.35, municipalities
    )
    counts = np.maximum(2, np.floor(weight / weight.sum() * schools)).astype(np.int64)
    short = schools - int(counts.sum())
    if short > 0:
        counts[np.argsort(-weight)[:short] % municipalities] += 1
    return [str(k) for k in kinds], counts


def _csv_vpr_schema(years) -> pa.Schema:
    codes = sorted(
        {
            t.code
            for y in years
            for s in tasks.SUBJECTS
            for g in tasks.GRADES
            for t in tasks.tasks_for(y, s, g)
        },
        key=frames.task_sort_key,
    )
    base = [VPR.field(c) for c in frames.VPR_CSV_BASE]
    return pa.schema(base + [pa.field(f"task:{c}", pa.int16()) for c in codes])


def generate_country(
    out_dir: str | Path,
    seed: int = 1,
    municipalities: int = 2400,
    schools: int = 40000,
    years: int | tuple[int, ...] = 3,
    first_year: int = 2024,
    with_tasks: bool = False,
    write_csv: bool = False,
    flush_rows: int = 1_000_000,
    pupils_factor: float = 1.0,
    progress=None,
) -> GeneratedCountry:
    """Generate a country into `out_dir`: `<dataset>.parquet` (+ `<dataset>.csv` with `write_csv`).

    `years` is a count (starting at `first_year`) or explicit years. `with_tasks` adds `vpr_tasks.parquet`
    (long form, about 15 rows per ВПР result). `pupils_factor` scales every school's pupils (the default
    sizes give about 29 million ВПР+ГИА rows a year at 40 000 schools).
    `progress(done, total)` is called after each municipality.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    years = tuple(range(first_year, first_year + years)) if isinstance(years, int) else tuple(years)
    kinds, counts = _plan(seed, municipalities, schools)
    n_regions = min(85, max(1, municipalities // 28))
    per_region = math.ceil(municipalities / n_regions)
    ids = IdMaker(np.random.default_rng([seed, 12]))
    vpr_csv_schema = _csv_vpr_schema(years)
    context_schema = None

    def csv_path(name):
        return out / f"{name}.csv" if write_csv else None

    sinks = {
        "organisations": _Sink(
            out / "organisations.parquet", ORGANISATIONS, flush_rows, csv_path("organisations")
        ),
        "vpr": _Sink(out / "vpr.parquet", VPR, flush_rows, csv_path("vpr"), vpr_csv_schema),
        "gia": _Sink(out / "gia.parquet", GIA, flush_rows, csv_path("gia")),
    }
    if with_tasks:
        sinks["vpr_tasks"] = _Sink(out / "vpr_tasks.parquet", VPR_TASKS, flush_rows * 2, None)

    uid = 0
    criteria: dict = {}
    truth: dict[str, list] = {"non_objective": [], "low_results": [], "adverse_social": []}
    try:
        for m in range(municipalities):
            rng = np.random.default_rng([seed, 11, m])
            region = m // per_region + 1
            name = municipality_names(rng, [kinds[m]], offset=m)[0]
            muni = Municipality(
                f"mo{region:02d}{m:04d}", name, kinds[m], f"{region:02d}", f"Регион {region:02d}"
            )
            count = int(counts[m])
            sch = sample_schools(rng, [muni], [count], ids.many("edu", count), uid_start=uid)
            uid += count
            if pupils_factor != 1.0:
                sch.students = np.maximum(1, np.round(sch.students * pupils_factor)).astype(np.int32)
            n_plant = count // 25 + int(rng.random() < (count % 25) / 25)
            plants = plant(rng, sch, n_plant, n_plant, n_plant, seed=seed, years=years)
            gt = ground_truth(plants, sch, years, seed)
            criteria = gt["criteria"]
            for key, value in gt.items():
                if key in truth:
                    truth[key].extend(value)
            others = other_organisations(rng, [muni], [count], ids)
            org_ids = pa.array(sch.org_id, type=pa.string())
            sinks["organisations"].add(frames.organisations_table(organisation_rows([muni], sch, others)))

            ctx = pa.concat_tables(
                [
                    frames.context_table(
                        context_arrays(sch, y, np.random.default_rng([seed, 2, y, m])), org_ids
                    )
                    for y in years
                ]
            ).select(list(CONTEXT_COLUMNS))
            if context_schema is None:
                context_schema = ctx.schema
                sinks["context"] = _Sink(
                    out / "context.parquet", context_schema, flush_rows, csv_path("context")
                )
            sinks["context"].add(ctx)

            for year, b in results(seed, sch, years, plants, batch=m + 1):
                if isinstance(b, VprBatch):
                    table = frames.vpr_table(b, org_ids)
                    wide = None
                    if write_csv:
                        wide = frames.vpr_csv_table(b, org_ids)
                        wide = _conform(wide, vpr_csv_schema)
                    sinks["vpr"].add(table, wide)
                    if with_tasks:
                        sinks["vpr_tasks"].add(frames.vpr_tasks_table(b, org_ids))
                elif isinstance(b, GiaBatch):
                    sinks["gia"].add(frames.gia_table(b, year, org_ids))
            if progress is not None:
                progress(m + 1, municipalities)
    finally:
        for s in sinks.values():
            s.close()

    files = {name: s.path for name, s in sinks.items()}
    files["ground_truth"] = out / "ground_truth.json"
    payload = {"seed": seed, "years": list(years), "criteria": criteria, **truth}
    files["ground_truth"].write_text(json.dumps(payload, ensure_ascii=False) + "\n", encoding="utf-8")
    if write_csv:
        files.update({f"{name}_csv": out / f"{name}.csv" for name in sinks if name != "vpr_tasks"})
    return GeneratedCountry(
        out_dir=out,
        seed=seed,
        years=years,
        files=files,
        rows={name: s.rows for name, s in sinks.items()},
        seconds=time.perf_counter() - started,
        peak_rss_mib=peak_rss_mib(),
        municipalities=municipalities,
        schools=int(counts.sum()),
    )


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    n = table.num_rows
    cols = [table[f.name] if f.name in table.column_names else pa.nulls(n, f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far. Linux's VmHWM belongs to the running program; getrusage's
    ru_maxrss survives fork and exec, so a program started by a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

"""Ingest benchmark: generate a canonical vpr.csv (numpy), import it, print rows/s and peak memory.

    python3 -m uv run python benchmarks/ingest/run.py --rows 1000000             # region scale
    python3 -m uv run python benchmarks/ingest/run.py --rows 1000000 --tasks 15  # with 15 task columns
    python3 -m uv run python benchmarks/ingest/run.py --all                      # 1 M and 10 M, 0 and 15 tasks

Each import runs in a fresh child process so that `ru_maxrss` is the import's own peak (the generator
is not counted). Generated files live under the system temp folder (`--data`, never inside the
repository) and are reused by later runs; figures are recorded in benchmarks/ingest/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from msoko.synth.frames import VPR_CSV_BASE

SUBJECTS = ["Русский язык", "Математика", "История", "Биология"]


def _max_primary(subject: str, grade: int) -> int:
    from msoko.engine import reference

    try:
        return reference.max_primary("ВПР", 2024, subject, grade)
    except KeyError:
        return 20


def _marks(subject: str, grade: int, scores: np.ndarray) -> np.ndarray:
    from msoko.engine import reference

    try:
        return reference.marks_for("ВПР", 2024, subject, grade, scores).astype(np.int64)
    except KeyError:
        return np.select([scores < 6, scores < 11, scores < 16], [2, 3, 4], 5)


def generate(path: Path, rows: int, tasks: int, seed: int = 1, chunk: int = 1_000_000) -> None:
    """A plausible region/country vpr.csv: 2,000 pupils per school (grades 5–8), four works each, 2024."""
    rng = np.random.default_rng(seed)
    header = list(VPR_CSV_BASE)
    header += [f"task:{i + 1}" for i in range(tasks)]
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(header) + "\n")
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            index = np.arange(done, done + n)
            pupil = index // 4
            school = pupil // 2000
            subject = np.array(SUBJECTS, dtype=object)[index % 4]
            grade = 5 + (pupil // 100) % 4  # a class of 100 pupils per parallel, grades 5–8
            score = np.zeros(n, dtype=np.int64)
            mark = np.zeros(n, dtype=np.int64)
            for k, name in enumerate(SUBJECTS):
                for g in range(5, 9):
                    rows_of = np.flatnonzero((index % 4 == k) & (grade == g))
                    top = _max_primary(name, g)
                    score[rows_of] = rng.binomial(top, 0.6, rows_of.size)
                    mark[rows_of] = _marks(name, g, score[rows_of])
            journal = np.clip(mark + rng.integers(-1, 2, n), 2, 5)
            columns = [
                np.full(n, "2024", dtype=object),
                np.char.add("edu", (100000 + school).astype(str)).astype(object),
                (100000 + pupil % 2000).astype(str).astype(object),
                subject,
                grade.astype(str).astype(object),
                rng.integers(1, 3, n).astype(str).astype(object),
                score.astype(str).astype(object),
                mark.astype(str).astype(object),
                journal.astype(str).astype(object),
            ]
            if tasks:
                # 0/1 per task; the primary score is their sum and the mark follows the scale
                task_scores = rng.random((tasks, n)) < 0.6
                score = task_scores.sum(axis=0)
                for k, name in enumerate(SUBJECTS):
                    for g in range(5, 9):
                        rows_of = np.flatnonzero((index % 4 == k) & (grade == g))
                        mark[rows_of] = _marks(name, g, score[rows_of])
                columns[6] = score.astype(str).astype(object)
                columns[7] = mark.astype(str).astype(object)
                columns[8] = np.clip(mark + rng.integers(-1, 2, n), 2, 5).astype(str).astype(object)
                for t in range(tasks):
                    columns.append(task_scores[t].astype(np.int8).astype(str).astype(object))
            lines = [",".join(row) for row in zip(*columns, strict=True)]
            out.write("\n".join(lines) + "\n")
            done += n


ALL = [(1_000_000, 0), (1_000_000, 15), (10_000_000, 0), (10_000_000, 15)]
REPO = Path(__file__).resolve().parents[2]


def data_file(folder: Path, rows: int, tasks: int) -> Path:
    """The generated file for (rows, tasks) in `folder`, generated when missing (then reused)."""
    file = folder / f"vpr-{rows}-t{tasks}.csv"
    if not file.exists():
        started = time.perf_counter()
        part = file.with_suffix(".part")
        generate(part, rows, tasks)
        part.rename(file)
        print(
            f"generated {rows:,} rows, {tasks} task columns ({file.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return file


def measure(file: Path, rows: int, tasks: int, repeat: int) -> dict:
    """Import `file` `repeat` times, each in a fresh child process and workspace; the best run."""
    runs = []
    for _ in range(repeat):
        home = Path(tempfile.mkdtemp(prefix="msoko-bench-ws-"))
        try:
            result = subprocess.run(
                [sys.executable, __file__, "--child", str(home), str(file)],
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            shutil.rmtree(home, ignore_errors=True)
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    return {
        "case": f"{rows:,} rows, {tasks} task columns",
        **best,
        "runs_seconds": [r["seconds"] for r in runs],
        "load_average": round(os.getloadavg()[0], 1),
    }


def child(home: str, file: str) -> None:
    from msoko.core.workspace import Workspace
    from msoko.ingest import import_file

    ws = Workspace.resolve(home).ensure()
    started = time.perf_counter()
    outcome = import_file(ws, Path(file), kind="results")
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    from msoko.synth.country import peak_rss_mib  # VmHWM: ru_maxrss would carry the parent's peak over exec

    peak_mb = peak_rss_mib()
    print(
        json.dumps(
            {
                "status": outcome.status,
                "rows": outcome.rows,
                "seconds": round(seconds, 2),
                "rows_per_second": int(outcome.rows / seconds) if seconds else None,
                "peak_memory_mb": round(peak_mb),
                "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
                "errors": len(outcome.errors),
                "warnings": len(outcome.warnings),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=0, help="task:<n> columns per row")
    parser.add_argument("--all", action="store_true", help="the four cases: 1 M / 10 M rows × 0 / 15 tasks")
    parser.add_argument("--repeat", type=int, default=1, help="imports per case (the best is reported)")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(tempfile.gettempdir()) / "msoko-bench-data",
        help="folder for generated files (kept and reused; outside the repository)",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    folder = args.data.resolve()
    if folder.is_relative_to(REPO):
        parser.error("--data must be outside the repository")
    folder.mkdir(parents=True, exist_ok=True)
    cases = ALL if args.all else [(args.rows, args.tasks)]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    for rows, tasks in cases:
        file = data_file(folder, rows, tasks)
        result = measure(file, rows, tasks, args.repeat)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

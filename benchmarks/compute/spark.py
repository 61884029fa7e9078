"""Замер пересчёта каталога на Spark (local[2]) и сверка каждого значения с DuckDB.

The default catalog over a generated country (`run.py`'s `prepare`, the same cached data), computed twice in
separate processes: by the DuckDB engine (`run.py --child engine`) and by `recompute(engine="spark")` on
PySpark in local mode (`MSOKO_SPARK_MASTER` for a cluster). The Spark workspace shares the DuckDB one's
warehouse (a symlink), so both read the same files; then every stored value is compared
(`msoko.engine.spark.differential.compare`: integers and text exactly, floats within 1e-9 relative).

    python3 -m uv run --extra spark python benchmarks/compute/spark.py --schools 1000      # the region
    python3 -m uv run --extra spark python benchmarks/compute/spark.py --fraction 0.1      # 1/10 country
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import peak_mib, prepare, run_child  # noqa: E402  (the region/country benchmark next to this file)

HERE = Path(__file__).resolve()


def jvm_usage() -> tuple[float, int]:
    """CPU seconds (user + system, session start included) and peak resident MiB of the JVM(s) this process
    started (PySpark's local-mode driver), read from /proc before the session stops."""
    ticks, cpu, peak = os.sysconf("SC_CLK_TCK"), 0.0, 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) != os.getpid():  # fields after the name: state, ppid, …, utime (12), stime (13)
                continue
            cpu += (int(stat[11]) + int(stat[12])) / ticks
            status = Path(f"/proc/{pid}/status").read_text()
            peak += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) // 1024
        except (OSError, IndexError, StopIteration, ValueError):
            continue
    return round(cpu, 2), peak


def child_spark(home: str, memory: str) -> dict:
    """One Spark recompute in this process; the session's start is timed apart from the computation."""
    from msoko.core.workspace import Workspace
    from msoko.engine.catalog import default_catalog
    from msoko.engine.pipeline import recompute
    from msoko.engine.spark import spark_session

    ws = Workspace(Path(home))
    shutil.rmtree(ws.results, ignore_errors=True)
    ws.ensure()
    started = time.perf_counter()
    session = spark_session(memory=memory)
    session_seconds = time.perf_counter() - started
    started = time.perf_counter()
    summary = recompute(ws, catalog=default_catalog(), memory_limit=memory, engine="spark")
    seconds = time.perf_counter() - started
    jvm_cpu, jvm_peak = jvm_usage()
    session.stop()
    return {"seconds": round(seconds, 2), "session_start_seconds": round(session_seconds, 2),
            "jvm_cpu_seconds": jvm_cpu, "jvm_peak_mib": jvm_peak, "python_peak_mib": round(peak_mib()),
            "value_rows": summary.rows, "indicators": len(summary.computed), "years": summary.years,
            "master": os.environ.get("MSOKO_SPARK_MASTER", "local[2]")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fraction", type=float, default=None, help="share of the 40,000-school country")
    parser.add_argument("--schools", type=int, default=None, help="schools (instead of --fraction)")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path("/tmp/msoko-bench-compute"))
    parser.add_argument("--memory", default="6GB", help="DuckDB memory limit and Spark driver memory")
    parser.add_argument("--child", choices=["spark"])
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_spark(str(args.home), args.memory)))
        return
    import subprocess

    from msoko.engine.results import ResultStore
    from msoko.engine.spark.differential import compare

    schools = args.schools or round(40000 * (args.fraction or 0.1))
    municipalities = max(1, schools // 25) if args.schools else max(1, round(2400 * (args.fraction or 0.1)))
    args.data.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    home = prepare(args.data, schools, municipalities, args.years)
    rows = json.loads((home / "READY").read_text())
    duck = run_child("engine", home, args.memory)
    spark_home = args.data / f"spark-{schools}-{args.years}"
    shutil.rmtree(spark_home, ignore_errors=True)
    spark_home.mkdir(parents=True)
    (spark_home / "warehouse").symlink_to(home / "warehouse", target_is_directory=True)
    proc = subprocess.run([sys.executable, str(HERE), "--child", "spark", "--home", str(spark_home),
                           "--memory", args.memory], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"spark failed:\n{proc.stderr[-3000:]}")
    spark = json.loads(proc.stdout.strip().splitlines()[-1])
    started = time.perf_counter()
    difference = compare(ResultStore(home / "results"), ResultStore(spark_home / "results"))
    report = {"schools": schools, "municipalities": municipalities, "source_rows": rows,
              "machine": f"{os.cpu_count()} cores", "load_before": [round(x, 2) for x in load_before],
              "load_after": [round(x, 2) for x in os.getloadavg()], "duckdb": duck, "spark": spark,
              "ratio_spark_over_duckdb": round(spark["seconds"] / duck["seconds"], 1),
              "equal": difference.equal, "compared_rows": difference.rows,
              "compare_seconds": round(time.perf_counter() - started, 1)}
    if not difference.equal:
        report["difference"] = str(difference)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if not difference.equal:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

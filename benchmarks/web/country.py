"""Prepare a web workspace whose stored results cover the whole generated country.

    python3 -m uv run python benchmarks/compute/run.py --only country --fraction 1 --memory 6GB   # the data
    python3 -m uv run python benchmarks/web/country.py --home /tmp/web-country
    python3 -m uv run python benchmarks/web/run.py --home /tmp/web-country --json benchmarks/web/results-country.json

A workspace holds one region in its registry (`msoko import registry` refuses a second one), so the server
here serves the country's first region while the results store holds all of the country: the warehouse of
the compute benchmark's country (40,000 schools, 85 regions, 3 years) is copied, the first region's
organisations are written to the web registry directly (an import would also replace the warehouse's
registry with that one region, and the computation would then cover only it), the demo logins are made for
that region, and `msoko compute` stores indicators, detection and distributions for the whole country.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SOURCE = Path("/tmp/msoko-bench-compute/ws-40000-3")
MSOKO = shutil.which("msoko") or str(Path(sys.executable).with_name("msoko"))


def register_first_region(home: Path) -> str:
    os.environ["MSOKO_HOME"] = str(home)
    from msoko.cli.common import migrate, setup_django

    ws = setup_django(home)
    migrate()
    import duckdb

    from msoko.engine.warehouse import Warehouse
    from msoko.web.demo_users import ensure_demo_users
    from msoko.web.registry.models import Municipality, Organisation, Region

    files = [str(f) for f in Warehouse(ws.warehouse).files("organisations")]
    rows = duckdb.sql(
        "SELECT * FROM read_parquet(?) WHERE region_id = (SELECT min(region_id) FROM read_parquet(?)) "
        "ORDER BY org_id", params=[files, files]).pl().to_dicts()
    region = Region.objects.create(code=rows[0]["region_id"], name=rows[0]["region_name"])
    municipalities = {}
    for row in rows:
        if row["municipality_id"] not in municipalities:
            municipalities[row["municipality_id"]] = Municipality.objects.create(
                code=row["municipality_id"], name=row["municipality_name"], region=region)
    Organisation.objects.bulk_create(
        Organisation(code=row["org_id"], name=row["name"], kind=row["kind"],
                     municipality=municipalities[row["municipality_id"]], locality=row.get("locality") or "")
        for row in rows)
    ensure_demo_users(ws)
    return f"{region.code}: {len(municipalities)} municipalities, {len(rows)} organisations"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--source", type=Path, default=SOURCE, help="the compute benchmark's country workspace")
    args = parser.parse_args()
    if not (args.source / "READY").exists():
        raise SystemExit(f"{args.source}: no country data; run benchmarks/compute/run.py --only country first")
    if args.home.exists():
        raise SystemExit(f"{args.home} exists; give a new folder")
    args.home.mkdir(parents=True)
    shutil.copytree(args.source / "warehouse", args.home / "warehouse")
    print("registry:", register_first_region(args.home), flush=True)
    started = time.perf_counter()
    subprocess.run([MSOKO, "compute", "--home", str(args.home)], check=True)
    print(f"msoko compute: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

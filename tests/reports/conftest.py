"""The demo region built once per session by the real command (`msoko demo --no-serve`), its stored values
read back independently through `msoko export indicators`, and its reports written once."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

MUNICIPALITY = "mo9902"


def msoko(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MSOKO_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([sys.executable, "-m", "msoko.cli", *args, "--home", str(home)], env=env,
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("reports") / "demo"
    msoko("demo", "--no-serve", home=home)
    return home


@pytest.fixture(scope="session")
def exported(demo_home) -> dict[tuple[str, str, str, int], float]:
    """(level, id, indicator, year) → value, as `msoko export indicators` prints it."""
    out = {}
    for level in ("organisation", "municipality", "region"):
        text = msoko("export", "indicators", "--level", level, home=demo_home).stdout
        for row in csv.DictReader(io.StringIO(text)):
            if row["value"] != "":
                out[(level, row["id"], row["indicator"], int(row["year"]))] = float(row["value"])
    return out


@pytest.fixture(scope="session")
def registry(demo_home) -> pl.DataFrame:
    import json

    manifest = json.loads((demo_home / "warehouse" / "manifest.json").read_text(encoding="utf-8"))
    version = manifest["datasets"]["organisations"]["all"]
    return pl.read_parquet(sorted((demo_home / "warehouse" / "organisations" / version).glob("*.parquet")))


@pytest.fixture(scope="session")
def subjects(registry, exported) -> dict[str, str]:
    """One subject per level: the region, a municipality, and a school of it that has stored values."""
    schools = registry.filter(pl.col("municipality_id") == MUNICIPALITY, pl.col("kind") == "school")
    with_values = sorted(c for c in schools["org_id"].to_list()
                         if any(k[0] == "organisation" and k[1] == c for k in exported))
    return {"region": registry["region_id"][0], "municipality": MUNICIPALITY, "organisation": with_values[0]}


@pytest.fixture(scope="session")
def reports(demo_home, subjects, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(level, format) → the written report; the municipality DOCX through the command line itself."""
    from msoko.core.workspace import Workspace
    from msoko.reports import ReportSource, write_report

    folder = tmp_path_factory.mktemp("written")
    out = {("municipality", "docx"): folder / "municipality.docx"}
    msoko("report", "--scope", "municipality", "--id", subjects["municipality"], "--format", "docx", "-o",
          str(out[("municipality", "docx")]), home=demo_home)
    ws = Workspace(demo_home)
    source = ReportSource.load(ws)
    for level, code in subjects.items():
        for fmt in ("docx", "pdf", "xlsx"):
            if (level, fmt) not in out:
                out[(level, fmt)] = folder / f"{level}.{fmt}"
                write_report(source, level, code, fmt, out[(level, fmt)], root=ws.root)
    return out

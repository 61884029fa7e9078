"""`msoko demo` fills one management cycle as an example (system 1.2 of the coordinator's municipality): every
stage has a record, its measure targets the schools the stored ШНОР list named, the figures in its texts are
the stored ones, and the municipality's справка carries it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from msoko.web.cycle.example import TARGETS
from tests.reports.conftest import msoko
from tests.reports.test_cli_and_templates import docx_text

READ_CYCLE = """
import os, sys, json
os.environ["MSOKO_HOME"] = sys.argv[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "msoko.web.settings"
import django
django.setup()
from msoko.web.cycle.models import Cycle
from msoko.web.cycle.services import filled_stages
from msoko.web.cycle.effects import measure_effect
from msoko.web.demo_users import demo_municipality
cycles = list(Cycle.objects.filter(municipality=demo_municipality(), system="1.2"))
out = []
for c in cycles:
    m = c.measures.get()
    out.append({"municipality": c.municipality.code, "stages": sorted(filled_stages([c.pk])[c.pk]),
                "treated": sorted(m.organisations.values_list("code", flat=True)), "before": m.before_year,
                "after": m.after_year, "title": m.title, "verdict": measure_effect(m).verdict,
                "analysis": c.analyses.get().conclusions, "targets": {i.indicator: i.target for i in c.indicators.all()}})
print(json.dumps(out, ensure_ascii=False))
"""


def read_cycles(home) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("MSOKO_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run([sys.executable, "-c", READ_CYCLE, str(home)], env=env, check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout)


def shnor_of(home, municipality: str, year: int, registry) -> list[str]:
    own = set(registry.filter(registry["municipality_id"] == municipality)["org_id"].to_list())
    rows = csv.DictReader(io.StringIO(msoko("export", "risk", "--year", str(year), home=home).stdout))
    return sorted(r["org_id"] for r in rows if r["shnor"] == "1" and r["org_id"] in own)


def test_the_demo_has_one_complete_example_cycle_built_from_its_stored_lists(demo_home, registry, exported,
                                                                             tmp_path):
    cycles = read_cycles(demo_home)
    assert len(cycles) == 1
    cycle = cycles[0]
    assert cycle["stages"] == sorted(["goals", "indicators", "collection", "monitoring", "analysis",
                                      "recommendations", "measures", "decisions", "effectiveness"])
    code, before, after = cycle["municipality"], cycle["before"], cycle["after"]
    treated = shnor_of(demo_home, code, before, registry)
    assert treated and cycle["treated"] == treated
    assert cycle["verdict"] in ("effective", "no_evidence", "worse")
    listed_after = shnor_of(demo_home, code, after, registry)
    assert f"в списке ШНОР {len(treated)} " in cycle["analysis"]
    assert f"и {len(listed_after)} " in cycle["analysis"]
    assert set(cycle["targets"]) == {c for c, _ in TARGETS}
    for indicator, target in cycle["targets"].items():  # the example's targets move from the stored values
        start, now = (exported[("municipality", code, indicator, y)] for y in (before, after))
        assert abs(target - round(min(1.0, max(0.0, start + dict(TARGETS)[indicator])), 3)) < 1e-9, indicator
        for value, year in ((start, before), (now, after)):
            assert f"{value * 100:.1f} % в {year} г.".replace(".", ",", 1) in cycle["analysis"], (indicator, year)
    msoko("report", "--scope", "municipality", "--id", code, "--format", "docx", "-o", str(tmp_path / "m.docx"),
          home=demo_home)
    assert cycle["title"] in docx_text(tmp_path / "m.docx")


def test_building_the_demo_again_does_not_add_a_second_example(demo_home, tmp_path):
    import shutil

    home = tmp_path / "again"
    shutil.copytree(demo_home, home)
    msoko("demo", "--no-serve", home=home)
    assert len(read_cycles(home)) == 1

"""One problem-zone rule over the demo's whole output: every «хуже региона» (and «хуже муниципалитета») a page,
a drafted recommendation or a справка says about a unit is true — the reference lies outside the unit's own
95 % Wilson interval, recomputed here from the numerator and denominator `msoko export indicators` prints —
and the group is at least the indicator's minimum size. `msoko export problems` says the same.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import socket
import sqlite3
import subprocess
import time
import urllib.request

import pytest

from msoko.engine.catalog.load import default_catalog
from tests.reports.conftest import MUNICIPALITY, msoko
from tests.test_demo import Browser

CATALOG = {i.code: i for i in default_catalog().indicators}
BY_NAME = {i.name: i.code for i in CATALOG.values()}
Z = 1.96


def wilson(x: float, n: float) -> tuple[float, float]:
    p = x / n
    centre, spread = p + Z * Z / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - spread) / (1 + Z * Z / n), (centre + spread) / (1 + Z * Z / n)


@pytest.fixture(scope="module")
def pooled(demo_home) -> dict[tuple[str, str, str, int], dict]:
    """(level, id, indicator, year) → the pooled exported row (all columns as text)."""
    out = {}
    for level in ("organisation", "municipality", "region"):
        text = msoko("export", "indicators", "--level", level, home=demo_home).stdout
        for row in csv.DictReader(io.StringIO(text)):
            if row["value"] != "":
                out[(level, row["id"], row["indicator"], int(row["year"]))] = row
    return out


@pytest.fixture(scope="module")
def units(registry) -> dict:
    rows = registry.to_dicts()
    return {"parent": {r["org_id"]: r["municipality_id"] for r in rows}, "region": rows[0]["region_id"],
            "by_name": {r["name"]: r["org_id"] for r in rows}, "kind": {r["org_id"]: r["kind"] for r in rows}}


def assert_significantly_worse(pooled, units, level: str, code: str, indicator: str, year: int, against: str):
    """The claim «`code` is worse than its region/municipality on `indicator` in `year`» is true by the rule."""
    row = pooled[(level, code, indicator, year)]
    ref_level, ref_id = (("region", units["region"]) if against == "region"
                         else ("municipality", units["parent"][code]))
    reference = float(pooled[(ref_level, ref_id, indicator, year)]["value"])
    ind = CATALOG[indicator]
    assert row["under_min_group"] in ("False", "false", "0", ""), (code, indicator)
    assert row["group_size"] == "" or int(row["group_size"]) >= ind.min_group_size
    low, high = wilson(float(row["numerator"]), float(row["denominator"]))
    assert reference < low or reference > high, (code, indicator, year, reference, low, high)
    value = float(row["value"])
    assert (value < reference) == (str(ind.direction) == "higher_is_better"), (code, indicator)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def analyst(demo_home):
    import os
    import sys

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MSOKO_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    server = subprocess.Popen([sys.executable, "-m", "msoko.cli", "serve", "--home", str(demo_home), "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the demo server did not start"
                time.sleep(0.3)
        logins = json.loads((demo_home / "demo-logins.json").read_text(encoding="utf-8"))
        browser = Browser(base)
        browser.login("analyst", logins["analyst"])
        yield browser
    finally:
        server.terminate()
        server.wait(10)


ROW = re.compile(r'<tr><th><a href="/indicator/([^/]+)/[^"]*">.*?</tr>', re.S)
MUNI_ZONE = re.compile(r'<li><a href="/indicator/([^/]+)/[^"]*">[^<]*</a>:[^<]*</li>')


def test_every_worse_on_a_page_is_outside_the_units_interval(analyst, pooled, units):
    year = max(k[3] for k in pooled)
    claims = 0
    for org in sorted(units["parent"]):
        html = analyst.get(f"/organisation/{org}/")
        for match in ROW.finditer(html):
            indicator, row = match.group(1), match.group(0)
            cells = row.split("<td")
            own, muni = cells[1], cells[2] if len(cells) > 2 else ""
            if "хуже региона" in own:
                assert_significantly_worse(pooled, units, "organisation", org, indicator, year, "region")
                claims += 1
            if "хуже муниципалитета" in muni:
                assert_significantly_worse(pooled, units, "organisation", org, indicator, year, "municipality")
                claims += 1
        if units["kind"][org] == "kindergarten":
            assert "/indicator/vpr_base/" not in html  # ВПР does not apply to a kindergarten
    for municipality in sorted(set(units["parent"].values())):
        html = analyst.get(f"/municipality/{municipality}/")
        for match in MUNI_ZONE.finditer(html):
            if "хуже региона" in match.group(0):
                assert_significantly_worse(pooled, units, "municipality", municipality, match.group(1), year, "region")
                claims += 1
    assert claims > 0  # the demo has real lags: the test saw some


REASONS = r"(?P<reasons>(?:[^()]|\([^()]*\))*)"
ZONE_TEXT = re.compile(r"(?:^|: |; )«?(?P<name>[^:;«»]*?(?:«[^»]*»[^:;«»]*?)*)»? — (?P<value>[−\d  ,]+ %) \(" + REASONS + r"\)")


def _claims_in(text: str):
    for match in ZONE_TEXT.finditer(text):
        name = match.group("name").strip().strip("«»").replace("„", "«").replace("“", "»")
        if "значимо хуже региона" in match.group("reasons"):
            yield name


def test_every_worse_in_a_draft_is_outside_the_schools_interval(demo_home, pooled, units):
    db = sqlite3.connect(demo_home / "msoko.sqlite3")
    found = db.execute("SELECT r.text, r.year, o.code FROM cycle_recommendation r JOIN registry_organisation o "
                       "ON o.id = r.organisation_id WHERE r.rule = 'problems'").fetchall()
    assert found, "the demo drafts problem-zone recommendations"
    claims = 0
    for text, year, org in found:
        for name in _claims_in(text):
            assert_significantly_worse(pooled, units, "organisation", org, BY_NAME[name], year, "region")
            claims += 1
    assert claims > 0


def test_every_worse_in_the_municipality_spravka_is_outside_the_interval(demo_home, tmp_path, pooled, units):
    out = tmp_path / "muni.pdf"
    msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "--format", "pdf", "-o", str(out), home=demo_home)
    text = subprocess.run(["pdftotext", "-layout", "-nopgbrk", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = re.sub(r"\s+", " ", text)
    year = max(k[3] for k in pooled if k[0] == "organisation")
    claims = 0
    # «Главные проблемные зоны: «name» — value (reasons); …» follows each organisation's heading
    for org_name, org in units["by_name"].items():
        start = text.find(f"{org_name} Главные проблемные зоны: ")
        if start < 0:
            continue
        section = text[start + len(org_name) + 1:text.find(". ", start + len(org_name) + 26) + 1]
        for name in _claims_in(section.removeprefix("Главные проблемные зоны")):
            assert_significantly_worse(pooled, units, "organisation", org, BY_NAME[name], year, "region")
            claims += 1
    assert claims > 0


def test_export_problems_says_the_same(demo_home, pooled, units):
    text = msoko("export", "problems", "--level", "organisation", home=demo_home).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["level", "id", "year", "indicator", "subject", "grade", "value", "comparison",
                             "reference", "reason"]
    assert {r["comparison"] for r in rows} <= {"region", "municipality", "target", "previous_year"}
    pooled_region = [r for r in rows if r["comparison"] == "region" and r["subject"] == "" and r["grade"] == ""]
    assert pooled_region
    for r in pooled_region:
        assert_significantly_worse(pooled, units, "organisation", r["id"], r["indicator"], int(r["year"]), "region")
        assert units["kind"][r["id"]] == "school" or not r["indicator"].startswith(("vpr", "oge", "ege"))


def test_export_problems_for_excel_has_semicolons_and_decimal_commas(demo_home, tmp_path):
    machine = msoko("export", "problems", "--level", "municipality", home=demo_home).stdout.splitlines()
    out = tmp_path / "problems.csv"
    msoko("export", "problems", "--level", "municipality", "--excel", "-o", str(out), home=demo_home)
    excel = out.read_text(encoding="utf-8-sig").splitlines()
    assert excel[0] == ";".join(machine[0].split(","))
    assert len(excel) == len(machine) > 1
    first = next(csv.reader([excel[1]], delimiter=";"))
    again = next(csv.reader([machine[1]]))
    assert first[6] == again[6].replace(".", ",") and "." not in first[6]

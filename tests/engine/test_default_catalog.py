"""The shipped catalog: valid, complete passports, every system covered, docs and schema up to date."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from msoko.engine.catalog import DEFAULT_CATALOG, default_catalog, load_catalog
from msoko.engine.catalog.passports import render_passports
from msoko.engine.catalog.schema import SCHEMA_PATH, schema_text

ROOT = Path(__file__).resolve().parents[2]
STABLE = ["vpr_base", "vpr_quality", "vpr_high", "vpr_confirmed", "vpr_raised", "vpr_lowered", "oge_fail",
          "ege_below_min", "ege_80plus", "ege_mean", "agg_participants", "agg_mean_score"]


def test_the_default_catalog_loads_without_issues():
    catalog, issues = load_catalog(DEFAULT_CATALOG)
    assert issues == [], [i.format() for i in issues]
    assert catalog is not None


def test_every_stable_code_is_in_the_default_catalog():
    codes = {i.code for i in default_catalog().indicators}
    assert set(STABLE) <= codes


def test_every_one_of_the_eight_systems_has_indicators():
    counts = Counter(i.system for i in default_catalog().indicators)
    assert sorted(counts) == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4"]
    assert all(n >= 5 for n in counts.values()), counts


def test_the_motivating_monitoring_indicators_of_seed_000_are_all_declared():
    seeds = {i.seed for i in default_catalog().indicators if "motivating_monitoring" in i.programmes}
    numbers = {int(s.split("показатель ")[1].split(" ")[0]) for s in seeds}
    assert numbers == set(range(9, 27))


@pytest.mark.parametrize("indicator", default_catalog().indicators, ids=lambda i: i.code)
def test_every_indicator_has_a_complete_passport(indicator):
    for field in ("name", "unit", "formula", "direction", "source"):
        assert str(getattr(indicator, field)).strip(), f"{indicator.code}: {field}"
    assert default_catalog().source(indicator.source) is not None


def test_the_generated_passport_pages_are_up_to_date():
    pages = render_passports(default_catalog())
    folder = ROOT / "docs" / "indicators"
    stale = [name for name, text in pages.items()
             if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text]
    extra = sorted(p.name for p in folder.glob("*.md") if p.name not in pages)
    assert not stale and not extra, ("run `msoko catalog docs` to regenerate", stale[:5], extra)


def test_the_committed_json_schema_matches_the_models():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), \
        "run `python -m msoko.engine.catalog.schema` to regenerate"

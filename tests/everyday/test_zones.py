"""The one problem-zone rule (msoko.engine.zones) on hand-computed cases."""

from __future__ import annotations

from msoko.engine import zones
from msoko.engine.catalog.load import default_catalog

CATALOG = {i.code: i for i in default_catalog().indicators}
VPR = CATALOG["vpr_base"]  # share, higher is better, minimum group 10


def row(x, n, **extra):
    return {"level": "organisation", "id": "s1", "year": 2026, "indicator": "vpr_base", "value": x / n,
            "numerator": x, "denominator": n, "group_size": n, "under_min_group": n < 10} | extra


def test_wilson_interval_by_hand():
    # 80 of 100: p = 0.8, z = 1.96 → (0.8 + 0.019208 ∓ 1.96·√(0.0016 + 0.00009604)) / 1.038416 = 0.7112 … 0.8666
    low, high = zones.interval(row(80, 100), VPR)
    assert round(low, 4) == 0.7112 and round(high, 4) == 0.8666


def test_a_difference_inside_the_interval_is_not_worse():
    r = row(80, 100)
    assert zones.judge(r, VPR, 0.85) == 0  # 85 % lies inside 71,1 … 86,7 %
    assert zones.judge(r, VPR, 0.90) == -1  # 90 % lies above it: significantly worse
    assert zones.judge(r, VPR, 0.70) == 1
    assert zones.findings(r, VPR, "organisation", region=0.85) == []
    found = zones.findings(r, VPR, "organisation", region=0.90)
    assert [(f.comparison, f.reason) for f in found] == [("region", "значимо хуже региона (90,0 %)")]


def test_the_stored_interval_wins_and_an_extra_column_is_ignored():
    r = row(80, 100, ci_low=0.79, ci_high=0.81, procedure="ВПР")
    assert zones.judge(r, VPR, 0.85) == -1


def test_a_small_group_is_never_judged_but_a_missed_target_needs_a_judged_value():
    small = row(2, 9)
    assert zones.judge(small, VPR, 0.99) is None
    assert zones.findings(small, VPR, "organisation", region=0.99, target=0.9) == []
    big = row(80, 100)
    found = zones.findings(big, VPR, "organisation", region=0.85, target=0.82)
    assert [f.comparison for f in found] == ["target"]  # the target counts though 82 % is inside the interval


def test_the_previous_year_counts_only_outside_the_interval():
    assert zones.findings(row(80, 100, change=-0.03), VPR, "organisation") == []  # 83 % inside
    found = zones.findings(row(80, 100, change=-0.10), VPR, "organisation")  # 90 % outside
    assert [f.comparison for f in found] == ["previous_year"]


def test_a_mean_without_interval_and_a_neutral_indicator_are_not_judged():
    mean = {"value": 60.0, "group_size": 50, "under_min_group": False, "year": 2026}
    assert zones.judge(mean, CATALOG["ege_mean"], 70.0) is None
    assert zones.judge(row(50, 100), CATALOG["vpr_raised"], 0.9) is None


def test_what_does_not_apply_to_a_unit_is_not_shown():
    assert not zones.applies(CATALOG["vpr_base"], "organisation", "kindergarten")
    assert not zones.applies(CATALOG["vpr_base"], "organisation", "additional")
    assert zones.applies(CATALOG["vpr_base"], "organisation", "school")
    assert not zones.applies(CATALOG["shnor_schools_share"], "organisation", "school")  # a share of schools
    assert zones.applies(CATALOG["shnor_schools_share"], "municipality")
    assert not zones.applies(CATALOG["doo_programme_fgos"], "organisation", "school")
    assert not zones.applies(CATALOG["doo_programme_fgos"], "organisation", "kindergarten")  # share of ДОО
    assert zones.applies(CATALOG["doo_pedagogues_higher_education"], "organisation", "kindergarten")

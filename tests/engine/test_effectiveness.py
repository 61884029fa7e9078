"""The effectiveness engine on small hand-made data: each verdict, the matching and the numbers behind it."""

from __future__ import annotations

import math

import pytest

from msoko.engine import effectiveness as eff
from msoko.engine.effectiveness import Org, estimate

CONTROL_CHANGES = [0.01, 0.02, 0.00, 0.01, 0.01]  # mean 0.01, sample variance 0.00005


def region(treated_changes: list[float], *, cluster: str = "1 из 3") -> list[Org]:
    orgs = [Org(f"t{i}", 0.30, 0.30 + d, cluster) for i, d in enumerate(treated_changes)]
    orgs += [Org(f"c{i}", 0.30 + i / 100, 0.30 + i / 100 + d, cluster) for i, d in enumerate(CONTROL_CHANGES)]
    return orgs


def treated(n: int) -> list[str]:
    return [f"t{i}" for i in range(n)]


# Hand computation: each targeted school's effect variance = 0.00005 · (1 + 1/5) = 0.00006;
# the mean of two: se = √(2 · 0.00006) / 2 = 0.0054772; half-width 1.96 · se = 0.010735.
SE_TWO = math.sqrt(2 * 0.00006) / 2


def test_a_clear_rise_against_flat_comparable_schools_is_effective():
    result = estimate(treated(2), region([0.10, 0.10]), "higher_is_better")
    assert result.verdict == eff.EFFECTIVE
    assert result.effect == pytest.approx(0.09)
    assert result.se == pytest.approx(SE_TWO)
    assert result.low == pytest.approx(0.09 - 1.959964 * SE_TWO, abs=1e-6)
    assert result.high == pytest.approx(0.09 + 1.959964 * SE_TWO, abs=1e-6)
    assert result.treated_change == pytest.approx(0.10) and result.control_change == pytest.approx(0.01)
    assert result.n_treated == 2 and result.n_controls == 5
    assert all(p.matched_by == "cluster" for p in result.pairs)


def test_a_change_like_the_comparable_schools_is_no_evidence():
    result = estimate(treated(2), region([0.015, 0.015]), "higher_is_better")
    assert result.verdict == eff.NO_EVIDENCE
    assert result.effect == pytest.approx(0.005)
    assert result.low < 0 < result.high


def test_a_fall_against_the_comparable_schools_is_worse():
    result = estimate(treated(2), region([-0.08, -0.08]), "higher_is_better")
    assert result.verdict == eff.WORSE
    assert result.effect == pytest.approx(-0.09)
    assert result.high < 0


def test_for_a_lower_is_better_indicator_a_fall_is_the_improvement():
    assert estimate(treated(2), region([-0.08, -0.08]), "lower_is_better").verdict == eff.EFFECTIVE
    assert estimate(treated(2), region([0.10, 0.10]), "lower_is_better").verdict == eff.WORSE


def test_scattered_effects_of_the_targeted_schools_widen_the_interval():
    # Mean effect 0.09 as in the first case, but the schools disagree: empirical se = sd/√2 = 0.1 / √2.
    result = estimate(treated(2), region([0.01 + 0.09 - 0.1, 0.01 + 0.09 + 0.1]), "higher_is_better")
    assert result.effect == pytest.approx(0.09)
    assert result.se == pytest.approx(math.sqrt(0.02) / math.sqrt(2))
    assert result.verdict == eff.NO_EVIDENCE


def test_controls_come_from_the_same_cluster_nearest_on_the_prior_value_then_from_elsewhere():
    orgs = [Org("t", 0.20, 0.30, "A"),
            Org("a_near", 0.21, 0.22, "A"), Org("a_far", 0.60, 0.61, "A"),
            Org("b_near", 0.20, 0.20, "B"), Org("b_mid", 0.25, 0.26, "B"), Org("b_far", 0.90, 0.90, "B")]
    result = estimate(["t"], orgs, "higher_is_better", k=3)
    (pair,) = result.pairs
    assert pair.controls == ("a_near", "a_far", "b_near")  # the cluster first, then the nearest prior value
    assert pair.matched_by == "cluster+prior"
    assert pair.control_change == pytest.approx((0.01 + 0.01 + 0.0) / 3)


def test_targeted_schools_never_serve_as_controls_and_schools_without_both_years_are_left_out():
    orgs = region([0.10, 0.10]) + [Org("t9", 0.3, None, "1 из 3"), Org("c_gap", None, 0.5, "1 из 3")]
    result = estimate([*treated(2), "t9"], orgs, "higher_is_better")
    assert result.missing == ("t9",)
    assert not {"t0", "t1", "t9", "c_gap"} & set(result.controls)


def test_no_verdict_without_data_or_without_a_direction():
    no_data = estimate(["x"], region([]), "higher_is_better")
    assert no_data.verdict is None and no_data.effect is None and no_data.reason
    assert "Нет вывода" in eff.describe(no_data, share=True)
    too_few = estimate(["t0"], [Org("t0", 0.3, 0.4), Org("c", 0.3, 0.3)], "higher_is_better")
    assert too_few.verdict is None and too_few.missing == ("t0",)
    neutral = estimate(treated(2), region([0.10, 0.10]), "neutral")
    assert neutral.verdict is None and neutral.effect == pytest.approx(0.09)


def test_the_sentence_shows_shares_in_percentage_points():
    text = eff.describe(estimate(treated(2), region([0.10, 0.10]), "higher_is_better"), share=True, name="Доля")
    assert text.startswith("Эффективно")
    assert "+10,0 п.п." in text and "+1,0 п.п." in text and "+9,0 п.п." in text

"""The rubric, the scoring arithmetic, reconciliation and agreement, against hand-computed expectations
(seed 000: the scoring form of system 1.1, Челябинская область 2023)."""

from __future__ import annotations

import itertools

import pytest

from msoko.engine.evaluation.agreement import interval_alpha, mean_deviation
from msoko.engine.evaluation.correlation import spearman
from msoko.engine.evaluation.reconcile import AGREED, DISPUTED, reconcile_position
from msoko.engine.evaluation.rubric import RubricError, load_rubric, parse_rubric
from msoko.engine.evaluation.scoring import ScoreRangeError, competition_ranks, position_score, totals

RUBRIC = load_rubric()


def test_system_1_1_reproduces_the_seed_form():
    s = RUBRIC.system("1.1")
    assert s.name == "Система оценки качества подготовки обучающихся"
    assert s.max_score == 25 and not s.adjust_by_region
    assert [(t.code, t.max_score) for t in s.tracks] == [("objectivity", 12), ("balance", 8), ("key_characteristics", 5)]
    assert [(p.code, p.max_score) for p in s.positions] == [
        ("1.1.1.1", 4), ("1.1.1.2", 8), ("1.1.2.1", 4), ("1.1.2.2", 4), ("1.1.3.1", 5)]
    four = RUBRIC.position("1.1.1.1")
    assert [(q.name.split(" ")[0], q.min, q.max) for q in four.parameters] == [
        ("Наличие", 0, 1), ("Учёт", 0, 1), ("Наличие", 0, 1), ("Соответствие", 0, 1), ("Деятельность", -1, 0)]
    eight = RUBRIC.position("1.1.1.2")  # «2 (по 1 баллу за каждый этап)», «−2 (по −1 баллу за каждый этап)»
    assert [(q.min, q.max) for q in eight.parameters] == [(0, 2), (0, 2), (0, 2), (0, 2), (-2, 0)]
    key = RUBRIC.position("1.1.3.1")
    assert key.parameters[0].name == "Обоснование принимаемых мер"
    assert [(q.min, q.max) for q in key.parameters] == [(0, 1)] * 5 + [(-1, 0)]


def test_the_other_seven_systems_cover_the_nine_stages_and_are_the_regions_to_adjust():
    others = [s for s in RUBRIC.systems if s.code != "1.1"]
    assert [s.code for s in others] == ["1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4"]
    for s in others:
        assert s.adjust_by_region
        assert [p.stage for p in s.positions] == ["goals", "indicators", "collection", "monitoring", "analysis",
                                                  "recommendations", "measures", "decisions", "effectiveness"]
        assert s.max_score == 9 * 4
    assert RUBRIC.max_score == 25 + 7 * 36


def test_position_score_is_the_clipped_sum_of_parameters():
    four = RUBRIC.position("1.1.1.1")
    full = {"description": 1, "specifics": 1, "deadlines": 1, "regional": 1, "off_cycle": 0}
    assert position_score(four, full) == 4
    assert position_score(four, {**full, "off_cycle": -1}) == 3
    assert position_score(four, {"off_cycle": -1}) == 0  # never below 0
    eight = RUBRIC.position("1.1.1.2")
    assert position_score(eight, {"description": 2, "specifics": 1, "deadlines": 2, "regional": 0, "off_cycle": -1}) == 4
    with pytest.raises(ScoreRangeError, match="вне диапазона"):
        position_score(four, {"description": 2})
    with pytest.raises(ScoreRangeError):
        position_score(four, {"off_cycle": 1})


def test_no_combination_of_parameters_leaves_the_range():
    for position in RUBRIC.system("1.1").positions:
        ranges = [range(q.min, q.max + 1) for q in position.parameters]
        seen = set()
        for combo in itertools.product(*ranges):
            score = position_score(position, {q.code: v for q, v in zip(position.parameters, combo, strict=True)})
            assert 0 <= score <= position.max_score
            seen.add(score)
        assert seen == set(range(position.max_score + 1))  # every score of the form is reachable


def test_a_position_above_its_parameters_is_refused_with_its_location():
    text = RUBRIC.text.replace("max_score: 4\n            parameters: *cycle_measures\n          - code: \"1.1.1.2\"",
                               "max_score: 6\n            parameters: *cycle_measures\n          - code: \"1.1.1.2\"")
    with pytest.raises(RubricError) as exc:
        parse_rubric(text)
    messages = " ".join(i.message for i in exc.value.issues)
    assert "позиция 1.1.1.1" in messages and "недостижим" in messages
    assert "указан максимум трека 12, сумма позиций 14" in messages


def test_totals_percent_and_level_follow_the_declared_rule():
    finals = {p.code: float(p.max_score) for p in RUBRIC.positions}
    finals.update({"1.1.1.1": 2.0, "1.1.1.2": 5.0, "1.1.2.1": 4.0, "1.1.2.2": 1.0, "1.1.3.1": 3.0})
    by_key = {t.key: t for t in totals(RUBRIC, finals)}
    s11 = by_key["1.1"]
    assert (s11.score, s11.max_score) == (15.0, 25)
    assert s11.percent == pytest.approx(60.0) and s11.level.code == "medium"
    assert by_key["1.2"].percent == 100.0 and by_key["1.2"].level.code == "high"
    assert by_key["total"].score == 15 + 252 and by_key["total"].max_score == 277
    finals["1.1.2.2"] = None  # disputed: no total
    assert totals(RUBRIC, finals)[0].score is None and totals(RUBRIC, finals)[-1].score is None


def test_ranks_share_ties():
    assert competition_ranks({"a": 10, "b": 12, "c": 10, "d": 7, "e": None}) == {"a": 2, "b": 1, "c": 2, "d": 4,
                                                                                "e": None}


def test_reconciliation_with_a_tolerance():
    four = RUBRIC.position("1.1.1.1")
    e1 = {"description": 1, "specifics": 1, "deadlines": 0, "regional": 1, "off_cycle": 0}
    same = reconcile_position(four, {"e1": e1, "e2": dict(e1)})
    assert (same.status, same.score, same.spread) == (AGREED, 3.0, 0)
    other = {**e1, "deadlines": 1}
    assert reconcile_position(four, {"e1": e1, "e2": other}).status == DISPUTED
    loose = reconcile_position(four, {"e1": e1, "e2": other}, tolerance=1)
    assert (loose.status, loose.score) == (AGREED, 3.5)


def _alpha_by_hand(ratings: dict) -> float:
    """Krippendorff's interval alpha from its definition: 1 − D_o / D_e over pairable values."""
    units = [list(by.values()) for by in ratings.values() if len(by) >= 2]
    n = sum(len(u) for u in units)
    observed = sum(sum((a - b) ** 2 for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units) / n
    values = [v for u in units for v in u]
    expected = sum((a - b) ** 2 for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - observed / expected


def test_alpha_matches_an_independent_computation_with_missing_ratings():
    ratings = {
        ("A", "p1"): {"e1": 1, "e2": 1},
        ("A", "p2"): {"e1": 0, "e2": 1},
        ("A", "p3"): {"e1": -1, "e2": -1},
        ("B", "p1"): {"e2": 2, "e3": 1},
        ("B", "p2"): {"e2": 0, "e3": 0},
        ("B", "p3"): {"e3": 1},  # one rating only: not pairable
        ("C", "p1"): {"e1": 2, "e3": 2, "e2": 1},
    }
    result = interval_alpha(ratings)
    assert result.items == 6 and result.experts == 3
    assert result.alpha == pytest.approx(_alpha_by_hand(ratings), abs=1e-9)
    assert interval_alpha({("A", "p1"): {"e1": 1, "e2": 1}, ("A", "p2"): {"e1": 1, "e2": 1}}).alpha is None


def test_mean_deviation_from_final_scores():
    assert mean_deviation({"p1": 3, "p2": 4, "p3": 1}, {"p1": 3, "p2": 2, "p3": None}) == pytest.approx(1.0)


def test_spearman_against_hand_ranks():
    scores = {"a": 10, "b": 20, "c": 30, "d": 40, "e": 50}
    outcomes = {"a": 1, "b": 3, "c": 2, "d": 5, "e": 4}
    # d² = 0 + 1 + 1 + 1 + 1 = 4 → ρ = 1 − 6·4 / (5·24) = 0.8
    result = spearman(scores, outcomes)
    assert result.rho == pytest.approx(0.8)
    assert result.low < 0.8 < result.high
    assert spearman({"a": 1, "b": 2}, {"a": 1, "b": 2}).rho is None

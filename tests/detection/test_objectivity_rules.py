"""Each objectivity sign on small hand-made distributions: one case that must fire, one that must not."""

from __future__ import annotations

from tests.detection.builders import scored
from tests.detection.conftest import SMOOTH, honest_gia
from tests.detection.helpers import group_of, run_and_read, signs_of

RAISED_60 = [1 if k % 5 < 3 else 0 for k in range(30)]  # 18 of 30 pupils get a ВПР mark above the journal
PILED = [6, 6, 6, 7, 7, 7, 7, 10, 10, 10, 10, 11, 11, 11, 11, 14, 14, 14, 15, 15, 6, 7, 10, 11, 14, 15, 2, 3, 17, 18]
LYCEUM = [min(18, s + 4) for s in SMOOTH]


def _gia_rows(org_id: str, year: int, scores: list[int]) -> list[dict]:
    return [{"year": year, "org_id": org_id, "participant": f"g-{org_id}-{year}-{k}", "subject": "Математика",
             "exam": "ОГЭ", "primary_score": s, "test_score": None, "mark": 3} for k, s in enumerate(scores)]


def test_journal_sign_fires_when_most_vpr_marks_are_above_the_journal(region):
    ws = region(vpr=scored("target", 2025, SMOOTH, journal_delta=RAISED_60))
    sign = signs_of(run_and_read(ws), "target", 2025)["journal"]
    assert sign["fired"]
    assert sign["value"] == 15 / 30  # 18 lifted, but 3 of them already have the lowest journal mark «2»
    assert sign["reference"] < 0.15


def test_journal_sign_stays_quiet_when_vpr_marks_match_the_journal(region):
    ws = region(vpr=scored("target", 2025, SMOOTH))
    assert not signs_of(run_and_read(ws), "target", 2025)["journal"]["fired"]


def test_peaks_sign_fires_when_scores_pile_up_at_the_mark_boundaries(region):
    ws = region(vpr=scored("target", 2025, PILED))
    sign = signs_of(run_and_read(ws), "target", 2025)["peaks"]
    assert sign["fired"]
    assert sign["value"] == 1.0
    assert sign["reference"] < 0.6


def test_peaks_sign_does_not_fire_for_a_strong_school_with_a_smooth_distribution(region):
    ws = region(vpr=scored("target", 2025, LYCEUM))
    assert not signs_of(run_and_read(ws), "target", 2025)["peaks"]["fired"]


def test_unconfirmed_sign_fires_when_a_high_vpr_is_followed_by_a_low_oge(region):
    ws = region(vpr=scored("target", 2025, LYCEUM), gia=_gia_rows("target", 2025, [max(0, s - 3) for s in SMOOTH]),
                honest_gia_years=(2025,))
    sign = signs_of(run_and_read(ws), "target", 2025)["unconfirmed"]
    assert sign["fired"]
    assert sign["value"] > 0.3 and sign["reference"] < 0
    assert sign["detail"] == "ОГЭ 2025"


def test_unconfirmed_sign_does_not_fire_when_the_oge_confirms_a_high_vpr(region):
    ws = region(vpr=scored("target", 2025, LYCEUM), gia=_gia_rows("target", 2025, LYCEUM), honest_gia_years=(2025,))
    assert not signs_of(run_and_read(ws), "target", 2025)["unconfirmed"]["fired"]


def _tasks(org_id: str, basic: float, advanced: float, n: int = 30) -> list[dict]:
    rows = []
    for k in range(n):
        for t in range(10):
            level, maximum = ("Б", 1) if t < 6 else ("П", 2)
            share = basic if level == "Б" else advanced
            score = maximum if ((k * 7 + t * 3) % 20) < share * 20 else 0
            rows.append({"year": 2025, "org_id": org_id, "participant": f"{org_id}-2025-Математика-5-{k}",
                         "subject": "Математика", "grade": 5, "task": str(t + 1), "score": score,
                         "max_score": maximum, "level": level})
    return rows


def _honest_tasks() -> list[dict]:
    return [r for i in range(8) for r in _tasks(f"h{i}", 0.8, 0.3)]


def test_basic_vs_advanced_sign_fires_when_basic_tasks_are_worse_and_advanced_better_than_region(region):
    ws = region(vpr=scored("target", 2025, SMOOTH), vpr_tasks=_honest_tasks() + _tasks("target", 0.65, 0.6))
    sign = signs_of(run_and_read(ws), "target", 2025)["basic_vs_advanced"]
    assert sign["fired"]
    assert sign["value"] < sign["reference"] and sign["value2"] > sign["reference2"]


def test_basic_vs_advanced_sign_does_not_fire_for_a_school_better_on_both_levels(region):
    ws = region(vpr=scored("target", 2025, LYCEUM), vpr_tasks=_honest_tasks() + _tasks("target", 0.95, 0.6))
    assert not signs_of(run_and_read(ws), "target", 2025)["basic_vs_advanced"]["fired"]


def test_jump_sign_fires_on_an_implausible_rise_against_the_schools_own_history(region):
    low = [max(0, s - 2) for s in SMOOTH]
    rows = scored("target", 2023, low) + scored("target", 2024, low) + scored("target", 2025, LYCEUM)
    ws = region(years=(2023, 2024, 2025), vpr=rows)
    sign = signs_of(run_and_read(ws), "target", 2025)["jump"]
    assert sign["fired"]
    assert sign["value2"] == 2  # two previous years of history


def test_jump_sign_does_not_fire_for_a_school_that_stays_where_it_was(region):
    rows = [r for y in (2023, 2024, 2025) for r in scored("target", y, LYCEUM)]
    ws = region(years=(2023, 2024, 2025), vpr=rows)
    assert not signs_of(run_and_read(ws), "target", 2025)["jump"]["fired"]


def test_a_single_sign_does_not_flag_a_school(region):
    ws = region(vpr=scored("target", 2025, SMOOTH, journal_delta=RAISED_60))
    group = group_of(run_and_read(ws), "target", 2025)
    assert group["signs"] == "journal"
    assert not group["flagged"]


def test_two_signs_flag_a_school_and_the_explanation_gives_its_numbers(region):
    ws = region(vpr=scored("target", 2025, PILED, journal_delta=RAISED_60))
    group = group_of(run_and_read(ws), "target", 2025)
    assert group["flagged"]
    assert group["signs"] == "journal;peaks"
    assert "30 участников" in group["explanation"]
    assert "отметку на ВПР выше журнальной получили" in group["explanation"]
    assert "2 признака" in group["explanation"]


def test_repeated_sign_flags_a_school_with_one_sign_that_was_flagged_the_year_before(region):
    rows = (scored("target", 2024, PILED, journal_delta=RAISED_60)
            + scored("target", 2025, SMOOTH, journal_delta=RAISED_60)
            + scored("fresh", 2024, SMOOTH) + scored("fresh", 2025, SMOOTH, journal_delta=RAISED_60))
    ws = region(years=(2024, 2025), vpr=rows, extra_orgs=("target", "fresh"))
    results = run_and_read(ws)
    assert group_of(results, "target", 2025)["signs"] == "journal;repeated"
    assert group_of(results, "target", 2025)["flagged"]
    assert group_of(results, "fresh", 2025)["signs"] == "journal"
    assert not group_of(results, "fresh", 2025)["flagged"]


def test_a_small_group_is_reported_as_insufficient_data_and_never_flagged(region):
    small = PILED[:12]
    ws = region(vpr=scored("target", 2025, small, journal_delta=[1] * 12))
    group = group_of(run_and_read(ws), "target", 2025)
    assert group["participants"] == 12
    assert group["status"] == "insufficient"
    assert not group["flagged"]
    assert group["signs"] == ""
    assert "недостаточно данных" in group["explanation"]


def test_honest_schools_of_the_hand_made_region_are_never_flagged(region):
    ws = region(years=(2024, 2025), vpr=scored("target", 2025, LYCEUM), honest_gia_years=(2024, 2025))
    assert run_and_read(ws).objectivity(flagged_only=True).is_empty()


def test_honest_gia_helper_rows_are_well_formed():
    assert len(honest_gia(2025)) == 8 * 30

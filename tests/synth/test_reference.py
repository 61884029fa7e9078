from __future__ import annotations

import pytest

from msoko.engine import reference
from msoko.engine.schemas import SCALES


def test_it_ships_scales_matching_the_warehouse_schema():
    table = reference.default_scales()
    assert table.schema.equals(SCALES)
    assert table.num_rows > 100


def test_it_names_a_source_for_every_row():
    assert all(s for s in reference.default_scales().column("source").to_pylist())


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
@pytest.mark.parametrize("subject", ["Русский язык", "Математика"])
@pytest.mark.parametrize("grade", [4, 5, 6, 7, 8])
def test_it_covers_vpr_grades_4_to_8_without_gaps(year, subject, grade):
    bands = reference.mark_bands("ВПР", year, subject, grade)
    assert [b[0] for b in bands] == [2, 3, 4, 5]
    assert bands[0][1] == 0
    assert all(hi + 1 == nxt for (_, _, hi), (_, nxt, _) in zip(bands, bands[1:], strict=False))


def test_it_knows_the_oge_russian_2024_scale():
    assert reference.max_primary("ОГЭ", 2024, "Русский язык") == 33
    assert reference.mark_for("ОГЭ", 2024, "Русский язык", None, 14) == 2
    assert reference.mark_for("ОГЭ", 2024, "Русский язык", None, 15) == 3


def test_it_knows_the_ege_minimums():
    minimums = {"Русский язык": 24, "Математика (профильная)": 27, "Информатика": 40, "Обществознание": 42}
    for year in (2023, 2024, 2025, 2026):
        assert {s: reference.ege_minimum(year, s) for s in minimums} == minimums


def test_it_says_when_a_year_reuses_another_years_scale():
    assert "2024" in reference.source_of("ВПР", 2025, "Математика", 5)
    assert "не внесена" in reference.source_of("ВПР", 2025, "Математика", 5)


def test_it_refuses_a_score_outside_the_scale():
    with pytest.raises(ValueError):
        reference.mark_for("ВПР", 2024, "Математика", 4, 21)


def test_it_converts_many_scores_at_once_like_one_at_a_time():
    scores = list(range(0, 39))
    many = reference.marks_for("ВПР", 2024, "Русский язык", 4, scores).tolist()
    assert many == [reference.mark_for("ВПР", 2024, "Русский язык", 4, s) for s in scores]

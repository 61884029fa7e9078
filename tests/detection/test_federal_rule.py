"""The federal risk rule is exact: ≥ 30 % below «3» in two procedures of a year, or in one procedure two years running."""

from __future__ import annotations

import polars as pl

from msoko.engine.detection import federal
from msoko.engine.detection.config import FederalConfig
from tests.detection.builders import org, pupils, write_workspace
from tests.detection.helpers import run_and_read


def units(*rows: tuple[int, str, str, int, int]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=federal.UNIT_SCHEMA, orient="row")


def risk_of(frame: pl.DataFrame, org_id: str, year: int) -> bool:
    hit = frame.filter(pl.col("org_id") == org_id, pl.col("year") == year)
    return bool(hit["federal_risk"][0]) if hit.height else False


def test_exactly_thirty_percent_in_two_procedures_of_a_year_is_a_risk():
    frame = federal.evaluate(units((2025, "a", "ВПР|Математика|5", 10, 3), (2025, "a", "ВПР|Русский язык|5", 20, 6)),
                             FederalConfig())
    assert risk_of(frame, "a", 2025)


def test_just_under_thirty_percent_in_one_of_two_procedures_is_not_a_risk():
    # 29 of 100 is 29 %: one risky procedure only
    frame = federal.evaluate(units((2025, "a", "ВПР|Математика|5", 10, 3), (2025, "a", "ВПР|Русский язык|5", 100, 29)),
                             FederalConfig())
    assert not risk_of(frame, "a", 2025)


def test_one_risky_procedure_in_a_single_year_is_not_a_risk():
    frame = federal.evaluate(units((2025, "a", "ОГЭ|Математика|", 30, 15)), FederalConfig())
    assert not risk_of(frame, "a", 2025)


def test_the_same_procedure_two_years_running_is_a_risk():
    frame = federal.evaluate(units((2024, "a", "ОГЭ|Математика|", 30, 9), (2025, "a", "ОГЭ|Математика|", 30, 9)),
                             FederalConfig())
    assert not risk_of(frame, "a", 2024)
    assert risk_of(frame, "a", 2025)
    row = frame.filter(pl.col("year") == 2025).to_dicts()[0]
    assert row["repeated_units"] == "ОГЭ|Математика|"


def test_the_same_procedure_with_a_gap_year_is_not_a_risk():
    frame = federal.evaluate(units((2023, "a", "ОГЭ|Математика|", 30, 9), (2025, "a", "ОГЭ|Математика|", 30, 9)),
                             FederalConfig())
    assert not risk_of(frame, "a", 2025)


def test_different_procedures_in_consecutive_years_are_not_a_risk():
    frame = federal.evaluate(units((2024, "a", "ОГЭ|Математика|", 30, 9), (2025, "a", "ОГЭ|Русский язык|", 30, 9)),
                             FederalConfig())
    assert not risk_of(frame, "a", 2025)


def test_procedures_with_too_few_participants_do_not_count():
    frame = federal.evaluate(units((2025, "a", "ВПР|Математика|5", 4, 4), (2025, "a", "ВПР|Русский язык|5", 20, 6)),
                             FederalConfig())
    assert not risk_of(frame, "a", 2025)


def test_the_rule_reads_marks_from_the_warehouse_vpr_and_oge(tmp_path):
    marks_vpr = [2] * 3 + [4] * 7  # 30 % «2» at ВПР
    vpr = pupils("a", 2025, "Математика", 5, [5] * 10, marks_vpr)
    gia = [{"year": 2025, "org_id": "a", "participant": f"g{k}", "subject": "Русский язык", "exam": "ОГЭ",
            "primary_score": 10, "test_score": None, "mark": 2 if k < 6 else 4} for k in range(20)]  # 30 %
    vpr_b = pupils("b", 2025, "Математика", 5, [5] * 10, [2] * 2 + [4] * 8)  # 20 %
    gia_b = [{**row, "org_id": "b", "participant": "b" + row["participant"]} for row in gia]
    ws = write_workspace(tmp_path / "ws", organisations=[org("a"), org("b")], vpr=vpr + vpr_b, gia=gia + gia_b)
    risk = run_and_read(ws).risk(2025)
    assert risk_of(risk, "a", 2025)
    assert not risk_of(risk, "b", 2025)
    explanation = risk.filter(pl.col("org_id") == "a")["explanation"][0]
    assert "2 процедурах" in explanation and "30 %" in explanation


def test_a_region_can_restrict_the_rule_to_some_subjects():
    rows = units((2025, "a", "ВПР|Математика|5", 10, 3), (2025, "a", "ЕГЭ|Биология|", 10, 9))
    assert risk_of(federal.evaluate(rows, FederalConfig()), "a", 2025)
    assert not risk_of(federal.evaluate(rows, FederalConfig(subjects=["Математика", "Русский язык"])), "a", 2025)

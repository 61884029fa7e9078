"""Russian text of figures: decimal comma, percent, percentage points, plural forms, dates."""

from datetime import date

import pytest

from msoko.reports import ru

NB = "\u00a0"


@pytest.mark.parametrize(("n", "expected"), [
    (1, "1 школа"), (2, "2 школы"), (4, "4 школы"), (5, "5 школ"), (11, "11 школ"), (12, "12 школ"),
    (14, "14 школ"), (21, "21 школа"), (22, "22 школы"), (25, "25 школ"), (101, "101 школа"), (111, "111 школ"),
    (0, "0 школ"),
])
def test_a_count_takes_the_plural_form_of_its_last_digits(n, expected):
    assert ru.count(n, ru.SCHOOL) == expected


def test_thousands_are_split_by_a_no_break_space_and_decimals_by_a_comma():
    assert ru.number(1234567.25, 2) == f"1{NB}234{NB}567,25"
    assert ru.number(-3.5) == "−3,5"
    assert ru.number(2.04, 1, signed=True) == "+2,0"
    assert ru.number(-0.04, 1) == "0,0"  # no «−0,0»


def test_a_share_is_shown_as_a_percentage_of_its_stored_fraction():
    assert ru.percent(0.853) == f"85,3{NB}%"
    assert ru.percent(1.0) == f"100,0{NB}%"
    assert ru.percent(0.0005) == f"0,1{NB}%"


@pytest.mark.parametrize(("change", "expected"), [
    (0.021, "2,1 процентного пункта"), (-0.021, "2,1 процентного пункта"),
    (0.02, "2,0 процентного пункта"),  # a number written with a decimal part reads as a fraction
])
def test_a_change_of_a_share_is_in_percentage_points(change, expected):
    assert ru.points(change) == expected


@pytest.mark.parametrize(("digits", "value", "expected"), [
    (0, 0.01, "1 процентный пункт"), (0, 0.03, "3 процентных пункта"), (0, 0.05, "5 процентных пунктов"),
    (0, 0.11, "11 процентных пунктов"), (0, 0.21, "21 процентный пункт"),
])
def test_whole_percentage_points_agree_with_the_number(digits, value, expected):
    assert ru.points(value, digits) == expected


def test_the_short_signed_change_for_tables():
    assert ru.points_short(-0.017) == f"−1,7{NB}п.{NB}п."
    assert ru.points_short(0.004) == f"+0,4{NB}п.{NB}п."


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (65.4, "балл", "65,4 балла"), (1, "балл", "1,0 балла"), (12, "чел.", "12,0 человека"), (3.0, "ед.", "3,0 ед."),
])
def test_a_value_with_a_unit_agrees_with_the_number_as_written(value, unit, expected):
    assert ru.with_unit(value, unit) == expected


def test_whole_values_with_a_unit_take_the_whole_number_form():
    assert ru.with_unit(21, "балл", 0) == "21 балл"
    assert ru.with_unit(12, "чел.", 0) == "12 человек"
    assert ru.with_unit(3, "чел.", 0) == "3 человека"


def test_dates_and_school_years_read_as_in_russian_documents():
    assert ru.date_ru(date(2026, 11, 22)) == f"22 ноября 2026{NB}г."
    assert ru.date_ru(date(2026, 3, 1)) == f"1 марта 2026{NB}г."
    assert ru.school_year(2026) == "2025/2026 учебный год"
    assert ru.school_year_genitive(2026) == "2025/2026 учебного года"


def test_report_chart_axes_write_numbers_the_russian_way():
    import re

    import altair as alt

    from msoko.reports import charts

    chart = alt.Chart(alt.Data(values=[{"year": 2024, "value": 10.06}, {"year": 2025, "value": 10.31}])).mark_line(
    ).encode(x="year:O", y=alt.Y("value:Q", scale=alt.Scale(zero=False)))
    svg = charts._render(chart, "svg").decode("utf-8")
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert "10,30" in labels and not [t for t in labels if re.fullmatch(r"\d+\.\d+", t)], labels

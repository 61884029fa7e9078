from __future__ import annotations

from msoko.engine.detection.explain import count, plural


def test_russian_plural_forms_follow_the_last_digits():
    forms = ("участник", "участника", "участников")
    assert [plural(n, *forms) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112, 0)] == [
        "участник", "участника", "участника", "участников", "участников", "участников", "участников",
        "участник", "участника", "участников", "участник", "участников", "участников", "участников"]


def test_count_puts_the_number_before_the_right_form():
    assert count(3, "год", "года", "лет") == "3 года"
    assert count(21, "школа", "школы", "школ") == "21 школа"

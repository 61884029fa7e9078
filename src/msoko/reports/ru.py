"""Russian text of figures: numbers with a decimal comma, percentages, percentage points, plural forms, dates.

Every figure of a report is written through these helpers, so the same number reads the same everywhere:
`number(1234.5)` → «1 234,5», `percent(0.853)` → «85,3 %», `points(0.021)` → «2,1 процентного пункта»,
`count(21, SCHOOL)` → «21 школа», `date_ru(date(2026, 11, 22))` → «22 ноября 2026 г.».

A number written with a decimal part is read as a fraction, and a fraction takes the genitive singular
(«2,5 балла», «0,5 процентного пункта»); whole numbers take the form for the last digits (1 балл, 3 балла,
5 баллов, 11 баллов, 21 балл).
"""

from __future__ import annotations

import math
import re
from datetime import date

from msoko.engine.detection.explain import plural

NBSP = "\u00a0"
MINUS = "−"
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")

# (one, few, many, fraction) forms of the nouns the reports count
Forms = tuple[str, str, str, str]
POINT: Forms = ("процентный пункт", "процентных пункта", "процентных пунктов", "процентного пункта")
SCORE: Forms = ("балл", "балла", "баллов", "балла")
ORGANISATION: Forms = ("организация", "организации", "организаций", "организации")
ORGANISATION_GENITIVE: Forms = ("организации", "организаций", "организаций", "организации")
SCHOOL: Forms = ("школа", "школы", "школ", "школы")
MUNICIPALITY: Forms = ("муниципалитет", "муниципалитета", "муниципалитетов", "муниципалитета")
INDICATOR: Forms = ("показатель", "показателя", "показателей", "показателя")
PARTICIPANT: Forms = ("участник", "участника", "участников", "участника")
GROUP: Forms = ("группа", "группы", "групп", "группы")
PERSON: Forms = ("человек", "человека", "человек", "человека")
UNIT_FORMS: dict[str, Forms] = {"балл": SCORE, "чел.": PERSON}


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """«1 234,5»: a no-break space between thousands, a decimal comma, a true minus sign."""
    text = f"{abs(value):,.{digits}f}".replace(",", NBSP).replace(".", ",")
    if round(value, digits) < 0 and text.strip("0,\u00a0"):
        return MINUS + text
    return ("+" + text) if signed and round(value, digits) > 0 else text


def form(text: str, forms: Forms) -> str:
    """The noun form for a number as written: a fraction, or a whole number's last digits."""
    if "," in text:
        return forms[3]
    digits = "".join(ch for ch in text if ch.isdigit())
    return plural(int(digits or 0), forms[0], forms[1], forms[2])


def count(n: int, forms: Forms) -> str:
    """«21 школа», «3 школы», «5 школ»."""
    text = number(n, 0)
    return f"{text} {form(text, forms)}"


def percent(fraction: float, digits: int = 1) -> str:
    """A share stored as a fraction of 1, as a percentage: 0.853 → «85,3 %»."""
    return f"{number(fraction * 100, digits)}{NBSP}%"


def points(fraction_change: float, digits: int = 1) -> str:
    """A change of a share as percentage points, magnitude only: 0.021 → «2,1 процентного пункта»."""
    text = number(abs(fraction_change) * 100, digits)
    return f"{text} {form(text, POINT)}"


def points_short(fraction_change: float, digits: int = 1) -> str:
    """The signed change for tables: +2,1 п.п."""
    return f"{number(fraction_change * 100, digits, signed=True)}{NBSP}п.{NBSP}п."


def with_unit(value: float, unit: str, digits: int = 1) -> str:
    """A value with its unit, the noun agreeing with the number: «65,4 балла», «12 человек», «3 ед.»."""
    text = number(value, digits)
    forms = UNIT_FORMS.get(unit)
    if forms is not None:
        return f"{text} {form(text, forms)}"
    return f"{text} {unit}".rstrip() if unit else text


def one_full_stop(text: str) -> str:
    """A sentence that ends in an abbreviation («2 ед.», «2026 г.») takes no second full stop."""
    return re.sub(r"(?<=[а-яё])\.\.(?!\.)", ".", text)


def date_ru(day: date) -> str:
    """«22 ноября 2026 г.»"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}{NBSP}г."


def school_year(year: int) -> str:
    """The school year that ends in the spring of `year`: 2026 → «2025/2026 учебный год»."""
    return f"{year - 1}/{year} учебный год"


def school_year_genitive(year: int) -> str:
    """2026 → «2025/2026 учебного года»."""
    return f"{year - 1}/{year} учебного года"


def year_ru(year: int) -> str:
    """«2026 г.»"""
    return f"{year}{NBSP}г."

"""Properties that must hold for any counts, not only the hand-made ones."""

from __future__ import annotations

from fractions import Fraction

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from msoko.engine.detection import federal
from msoko.engine.detection.config import FederalConfig
from msoko.engine.detection.explain import plural

counts = st.integers(min_value=5, max_value=400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@settings(max_examples=200, deadline=None)
@given(first=counts, second=counts)
def test_two_procedures_of_a_year_are_a_risk_exactly_when_both_reach_thirty_percent(first, second):
    rows = [(2025, "a", "ВПР|Математика|5", *first), (2025, "a", "ВПР|Русский язык|5", *second)]
    frame = federal.evaluate(pl.DataFrame(rows, schema=federal.UNIT_SCHEMA, orient="row"), FederalConfig())
    expected = all(Fraction(k, n) >= Fraction(3, 10) for n, k in (first, second))
    got = bool(frame.filter(pl.col("org_id") == "a")["federal_risk"].any()) if frame.height else False
    assert got == expected


@given(st.integers(min_value=0, max_value=10_000))
def test_plural_form_depends_only_on_the_last_two_digits(n):
    forms = ("школа", "школы", "школ")
    assert plural(n, *forms) == plural(n % 100 + 100, *forms)

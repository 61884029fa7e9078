"""Properties of the model's building blocks, checked over many inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from msoko.engine import reference
from msoko.synth import hashing
from msoko.synth.gia import to_test_scores
from msoko.synth.tasks import GRADES, SUBJECTS


@settings(max_examples=60, deadline=None)
@given(
    max_primary=st.integers(10, 70),
    min_frac=st.floats(0.1, 0.6),
    min_test=st.integers(20, 45),
)
def test_it_converts_primary_to_test_scores_monotonically_through_the_minimum(
    max_primary, min_frac, min_test
):
    min_primary = max(1, int(max_primary * min_frac))
    scores = to_test_scores(np.arange(max_primary + 1), max_primary, min_primary, min_test)
    assert scores[0] == 0 and scores[-1] == 100
    assert scores[min_primary] == min_test
    assert (np.diff(scores) >= 0).all()
    assert (scores[:min_primary] < min_test).all()


@settings(max_examples=80, deadline=None)
@given(
    year=st.sampled_from([2023, 2024, 2025, 2026]),
    subject=st.sampled_from(SUBJECTS),
    grade=st.sampled_from(GRADES),
    frac=st.floats(0, 1),
)
def test_it_gives_the_same_mark_vectorised_and_one_by_one(year, subject, grade, frac):
    score = round(frac * reference.max_primary("ВПР", year, subject, grade))
    assert reference.marks_for("ВПР", year, subject, grade, [score])[0] == reference.mark_for(
        "ВПР", year, subject, grade, score
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), key=st.integers(0, 2**40))
def test_it_hashes_the_same_pupil_to_the_same_traits(seed, key):
    assert hashing.uniform(seed, key, 3)[0] == hashing.uniform(seed, np.array([key, key + 1]), 3)[0]
    assert 0.0 <= hashing.uniform(seed, key)[0] < 1.0

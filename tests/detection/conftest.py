"""A hand-made region: a few honest schools with the same smooth distribution, plus the school under test."""

from __future__ import annotations

import pytest

from tests.detection.builders import mark_of, org, scale_rows, scored, write_workspace

# 30 pupils, smooth around the middle of a 0–18 scale; boundaries 6 / 10 / 14.
SMOOTH = [3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 13, 13, 14, 14, 15, 16, 17, 18]
HONEST = [f"h{i}" for i in range(8)]


def honest_vpr(year: int, subject: str = "Математика", grade: int = 5) -> list[dict]:
    rows = []
    for i, org_id in enumerate(HONEST):
        # a little spread between schools: shift some scores by ±1 and let journal marks differ now and then
        shift = (i % 3) - 1
        scores = [min(18, max(0, s + shift)) for s in SMOOTH]
        delta = [1 if k % 10 == 0 else -1 if k % 10 == 5 else 0 for k in range(len(scores))]
        rows += scored(org_id, year, scores, subject, grade, delta)
    return rows


def honest_gia(year: int, subject: str = "Математика", exam: str = "ОГЭ") -> list[dict]:
    rows = []
    for i, org_id in enumerate(HONEST):
        shift = (i % 3) - 1
        for k, s in enumerate(SMOOTH):
            score = s + shift
            rows.append({"year": year, "org_id": org_id, "participant": f"g-{org_id}-{year}-{k}", "subject": subject,
                         "exam": exam, "primary_score": score, "test_score": None, "mark": mark_of(score)})
    return rows


def organisations(*extra: str) -> list[dict]:
    return [org(o) for o in (*HONEST, *extra)]


@pytest.fixture
def region(tmp_path):
    """Build a workspace from the honest schools plus whatever the test adds; returns the workspace."""

    def build(years=(2025,), vpr=(), gia=(), vpr_tasks=(), context=(), extra_orgs=("target",), honest_gia_years=(),
              organisations_rows=None):
        rows = [r for y in years for r in honest_vpr(y)] + list(vpr)
        gia_rows = [r for y in honest_gia_years for r in honest_gia(y)] + list(gia)
        scales = [r for y in years for r in scale_rows(y, "Математика", 5)]
        return write_workspace(
            tmp_path / "ws",
            organisations=organisations_rows or organisations(*extra_orgs),
            vpr=rows,
            gia=gia_rows,
            vpr_tasks=list(vpr_tasks),
            context=list(context),
            scales=scales,
        )

    return build

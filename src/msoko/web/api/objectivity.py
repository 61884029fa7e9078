"""`/api/v1/objectivity` — objectivity flags of the caller's organisations (the columns of
`msoko export objectivity`)."""

from __future__ import annotations

import polars as pl
from ninja import Router, Schema

from msoko.web.api.common import Visible, Year, require_scope, responses
from msoko.web.dashboards.data import snapshot

PREFIX = "/objectivity"
router = Router(tags=["Объективность"])


class ObjectivityRow(Schema):
    year: int
    org_id: str
    procedure: str | None
    subject: str | None
    grade: int | None
    participants: int | None
    flagged: bool
    signs: list[str]


@router.get("", response=responses({200: list[ObjectivityRow]}), url_name="objectivity-api",
            summary="Признаки необъективности результатов")
def objectivity(request, year: Year = None, org_id: str | None = None, flagged: bool | None = None):
    """`signs` — коды сработавших признаков (docs/detection.ru.md)."""
    require_scope(request.user)
    df = snapshot().objectivity
    if df.is_empty():
        return []
    orgs = sorted(Visible.of(request.user).organisations)
    conditions = [pl.col("org_id").is_in(orgs)]
    if year is not None:
        conditions.append(pl.col("year") == year)
    if org_id is not None:
        conditions.append(pl.col("org_id") == org_id)
    if flagged is not None:
        conditions.append(pl.col("flagged") == flagged)
    rows = df.filter(*conditions).sort(["year", "org_id", "procedure", "subject", "grade"], nulls_last=True)
    return [{"year": r["year"], "org_id": r["org_id"], "procedure": r.get("procedure"), "subject": r["subject"],
             "grade": r["grade"], "participants": r["participants"], "flagged": bool(r["flagged"]),
             "signs": [s for s in (r["signs"] or "").split(";") if s]}
            for r in rows.iter_rows(named=True)]

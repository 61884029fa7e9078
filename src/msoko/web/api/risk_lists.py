"""`/api/v1/risk-lists` — ШНОР/ШНСУ of the caller's schools (the columns of `msoko export risk`)."""

from __future__ import annotations

import polars as pl
from ninja import Router, Schema

from msoko.web.api.common import Visible, Year, require_scope, responses
from msoko.web.dashboards.data import snapshot

PREFIX = "/risk-lists"
router = Router(tags=["Списки ШНОР/ШНСУ"])


class RiskRow(Schema):
    year: int
    org_id: str
    shnor: bool
    shnsu: bool
    reasons: list[str]


@router.get("", response=responses({200: list[RiskRow]}), url_name="risk-lists-api", summary="Школы с низкими результатами (ШНОР) "
            "и в сложных социальных условиях (ШНСУ)")
def risk_lists(request, year: Year = None, listed: bool = False):
    """`listed=true` — только школы, попавшие хотя бы в один список."""
    require_scope(request.user)
    df = snapshot().risk
    if df.is_empty():
        return []
    conditions = [pl.col("org_id").is_in(sorted(Visible.of(request.user).organisations))]
    if year is not None:
        conditions.append(pl.col("year") == year)
    if listed:
        conditions.append(pl.col("shnor") | pl.col("shnsu"))
    rows = df.filter(*conditions).sort(["year", "org_id"])
    return [{"year": r["year"], "org_id": r["org_id"], "shnor": bool(r["shnor"]), "shnsu": bool(r["shnsu"]),
             "reasons": [s for s in (r["reasons"] or "").split(";") if s]} for r in rows.iter_rows(named=True)]

"""`/api/v1/ratings` — municipal ratings (the columns of `msoko export ratings`) of the municipalities in
the caller's scope; an organisation's operator sees none (as on the pages)."""

from __future__ import annotations

import polars as pl
from ninja import Router, Schema

from msoko.engine.ratings import Ratings
from msoko.web.api.common import Visible, Year, require_scope, responses
from msoko.web.dashboards.data import results_dir

PREFIX = "/ratings"
router = Router(tags=["Рейтинг муниципалитетов"])


class RatingRow(Schema):
    year: int
    region_id: str
    municipality_id: str
    system: str
    score: float | None
    rank: int | None
    peers: int | None
    indicators: int | None


@router.get("", response=responses({200: list[RatingRow]}), url_name="ratings-api", summary="Рейтинг муниципалитетов")
def ratings(request, year: Year = None, system: str | None = None):
    """Оценка 0–100 (лучший муниципалитет региона = 100) по системам и общая (`system = total`)."""
    require_scope(request.user)
    found = Ratings.open(results_dir())
    if found is None:
        return []
    df = found.ratings(year).filter(pl.col("municipality_id").is_in(sorted(Visible.of(request.user).municipalities)))
    if system is not None:
        df = df.filter(pl.col("system") == system)
    columns = list(RatingRow.model_fields)
    return df.sort(["year", "system", "rank"], nulls_last=True).select(columns).to_dicts()

"""Lists per year and their movement: who entered, who stayed, who left (against the previous year)."""

from __future__ import annotations

import polars as pl

STATUS_RU = {"entered": "вошла в список", "stayed": "осталась в списке", "left": "вышла из списка"}


def movement(risk: pl.DataFrame, lists: tuple[str, ...] = ("shnor", "shnsu")) -> pl.DataFrame:
    rows = []
    years = sorted(set(risk["year"].to_list()))
    for name in lists:
        members = {y: set(risk.filter(pl.col("year") == y, pl.col(name))["org_id"].to_list()) for y in years}
        for i, y in enumerate(years):
            prev = members.get(years[i - 1], set()) if i > 0 and years[i - 1] == y - 1 else set()
            for org in sorted(members[y]):
                rows.append((y, name, org, "stayed" if org in prev else "entered"))
            for org in sorted(prev - members[y]):
                rows.append((y, name, org, "left"))
    return pl.DataFrame(rows, schema={"year": pl.Int32, "list": pl.Utf8, "org_id": pl.Utf8, "status": pl.Utf8},
                        orient="row")

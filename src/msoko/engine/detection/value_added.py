"""ШНОР, value-added view: the result expected from context against the actual one, with an interval.

Within each region and year the composite result is regressed (ordinary least squares) on the normalised
context variables of the social index plus urban/rural. Expected = the fitted value; the interval is the
prediction interval expected ± z·σ·√(1 + h), σ the residual standard deviation and h the school's leverage.
A school whose actual result is under the interval does worse than its context explains (`below_expected`);
above it, better. Schools without context get no expectation.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from msoko.engine.detection.config import ValueAddedConfig


def evaluate(df: pl.DataFrame, context_cols: list[str], cfg: ValueAddedConfig) -> pl.DataFrame:
    """`df` has region_id, year, org_id, composite, locality and the `a_<var>` columns."""
    out = []
    for (_region, _year), part in df.group_by(["region_id", "year"], maintain_order=True):
        cols = [c for c in context_cols if c in part.columns and part[c].null_count() < part.height]
        sub = part.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in cols])) if cols else part.head(0)
        if sub.height < len(cols) + 5:
            continue
        x = [np.ones(sub.height)] + [sub[c].to_numpy().astype(float) for c in cols]
        if "locality" in sub.columns and sub["locality"].n_unique() > 1:
            x.append((sub["locality"] == "rural").cast(pl.Float64).fill_null(0.5).to_numpy())
        design = np.column_stack(x)
        y = sub["composite"].to_numpy().astype(float)
        beta, *_ = np.linalg.lstsq(design, y, rcond=None)
        fitted = design @ beta
        resid = y - fitted
        dof = max(1, sub.height - design.shape[1])
        sigma = float(np.sqrt((resid**2).sum() / dof))
        pinv = np.linalg.pinv(design.T @ design)
        lev = np.einsum("ij,jk,ik->i", design, pinv, design)
        half = cfg.interval_z * sigma * np.sqrt(1 + lev)
        out.append(pl.DataFrame({
            "year": sub["year"], "org_id": sub["org_id"], "expected": fitted,
            "lower": fitted - half, "upper": fitted + half,
        }))
    if not out:
        return df.with_columns(*[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("expected", "lower", "upper")],
                               pl.lit(False).alias("below_expected"))
    va = pl.concat(out)
    df = df.join(va, on=["year", "org_id"], how="left")
    return df.with_columns((pl.col("composite") < pl.col("lower")).fill_null(False).alias("below_expected"))

"""Agreement between experts: Krippendorff's alpha (interval) over the raw parameter scores, computed by the
`krippendorff` package (handles missing ratings: each expert scores only the municipalities assigned), and each
expert's mean absolute deviation from the final position scores."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import krippendorff
import numpy as np


@dataclass(frozen=True)
class Agreement:
    items: int  # units scored by at least two experts
    experts: int
    alpha: float | None  # None when undefined (fewer than two paired units, or no variation at all)


def interval_alpha(ratings: Mapping[Hashable, Mapping[str, float]]) -> Agreement:
    """`ratings`: unit (e.g. municipality × position × parameter) → expert → score."""
    units = [u for u, by in ratings.items() if len(by) >= 2]
    experts = sorted({e for u in units for e in ratings[u]})
    if len(units) < 2 or len(experts) < 2:
        return Agreement(len(units), len(experts), None)
    data = np.full((len(experts), len(units)), np.nan)
    row = {e: i for i, e in enumerate(experts)}
    for j, unit in enumerate(units):
        for expert, value in ratings[unit].items():
            data[row[expert], j] = value
    values = data[~np.isnan(data)]
    if np.all(values == values[0]):
        return Agreement(len(units), len(experts), None)  # no variation: alpha is 0/0
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    return Agreement(len(units), len(experts), alpha)


def mean_deviation(expert_scores: Mapping[Hashable, float], final: Mapping[Hashable, float | None]) -> float | None:
    """Mean |expert's position score − final position score| over the positions with a final score."""
    diffs = [abs(v - final[k]) for k, v in expert_scores.items() if final.get(k) is not None]
    return None if not diffs else sum(diffs) / len(diffs)

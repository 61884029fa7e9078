"""How the municipalities' МУМ scores relate to their outcome indicators (seed 003 goal 3, seed 001 §4.2):
Spearman's rank correlation with a 95 % interval (Fisher's z with the Bonett–Wright standard error), and the
municipalities whose score rank and outcome rank differ most."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


def ranks(values: list[float]) -> np.ndarray:
    """Average ranks (1 = smallest), ties sharing the mean of their places."""
    arr = np.asarray(values, dtype=float)
    order = arr.argsort(kind="mergesort")
    out = np.empty(len(arr))
    i = 0
    while i < len(arr):
        j = i
        while j + 1 < len(arr) and arr[order[j + 1]] == arr[order[i]]:
            j += 1
        out[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return out


@dataclass(frozen=True)
class RankCorrelation:
    n: int
    rho: float | None
    low: float | None
    high: float | None
    disagreeing: list[tuple[str, float]]  # (key, rank difference), largest first


def spearman(scores: Mapping[str, float], outcomes: Mapping[str, float], top: int = 3) -> RankCorrelation:
    keys = sorted(k for k in scores if k in outcomes and outcomes[k] is not None and scores[k] is not None)
    n = len(keys)
    if n < 4:
        return RankCorrelation(n, None, None, None, [])
    rs, ro = ranks([scores[k] for k in keys]), ranks([outcomes[k] for k in keys])
    if rs.std() == 0 or ro.std() == 0:
        return RankCorrelation(n, None, None, None, [])
    rho = float(np.corrcoef(rs, ro)[0, 1])
    clipped = max(min(rho, 0.999999), -0.999999)
    se = math.sqrt((1 + clipped * clipped / 2) / (n - 3))
    z = math.atanh(clipped)
    low, high = math.tanh(z - Z95 * se), math.tanh(z + Z95 * se)
    gaps = sorted(((k, float(a - b)) for k, a, b in zip(keys, rs, ro, strict=True)), key=lambda kv: -abs(kv[1]))
    return RankCorrelation(n, rho, low, high, [g for g in gaps[:top] if g[1] != 0])

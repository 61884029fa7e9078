"""Did a measure move its indicator? A difference-in-differences of the organisations the measure targeted
against comparable organisations it did not target — plain data in, numbers and a verdict out.

Method (kept simple on purpose, so a coordinator can follow it and a test can check it by hand):

1. For every organisation the change of the indicator over the measure's period: `after − before`
   (shares as fractions 0–1, the result store's convention).
2. Controls: organisations not targeted by the measure that have both values. For each targeted organisation
   `k` controls (default 5) are matched — first those of the same context cluster (detection's clusters of
   comparable social context), nearest on the prior value `before`; when the cluster has fewer than `k`,
   the rest are the nearest on the prior value from the other organisations. Matching on the prior value
   guards against regression to the mean: schools picked because their result was low tend to rise anyway.
3. Effect of one targeted organisation: its change minus the mean change of its controls. The measure's
   effect is the mean over the targeted organisations (each counts once, whatever its size).
4. Interval (95 %, normal approximation — deterministic, no random seed): the variance of one targeted
   organisation's effect is taken as `s²·(1 + 1/k)`, where `s²` is the sample variance of its controls'
   changes (its own change is as noisy as theirs, plus the noise of their mean). The standard error of the
   mean over `T` organisations is `√(Σ var) / T`; with two or more targeted organisations the empirical
   `sd(effects)/√T` is used when it is larger (conservative).
5. Verdict, in the indicator's direction ("improvement" = the effect signed so that positive is better):
   the whole interval above zero → `effective`; the whole interval below zero → `worse`; otherwise
   `no_evidence`. No verdict (None) when there is no targeted organisation with both values and at least
   `min_controls` controls, or when the indicator has no better/worse direction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

EFFECTIVE, NO_EVIDENCE, WORSE = "effective", "no_evidence", "worse"
VERDICT_RU = {EFFECTIVE: "эффективно", NO_EVIDENCE: "эффект не подтверждён", WORSE: "ухудшение"}
HIGHER, LOWER = "higher_is_better", "lower_is_better"
Z95 = 1.959963984540054
DEFAULT_K = 5
DEFAULT_MIN_CONTROLS = 2


@dataclass(frozen=True)
class Org:
    """One organisation's values of the indicator in the year before and the year after, and its context cluster."""

    code: str
    before: float | None
    after: float | None
    cluster: str | None = None

    @property
    def complete(self) -> bool:
        return _number(self.before) and _number(self.after)

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Pair:
    """A targeted organisation and its matched controls."""

    code: str
    before: float
    after: float
    change: float
    controls: tuple[str, ...]
    control_change: float  # mean change of the controls
    control_sd: float
    effect: float  # change − control_change
    matched_by: str  # "cluster", "cluster+prior" or "prior"


@dataclass(frozen=True)
class Effect:
    verdict: str | None
    effect: float | None  # difference-in-differences in the indicator's scale (a share as a fraction)
    low: float | None
    high: float | None
    se: float | None
    direction: str
    pairs: tuple[Pair, ...] = ()
    missing: tuple[str, ...] = ()  # targeted organisations without both values or without enough controls
    reason: str = ""  # why there is no verdict (Russian), empty when there is one
    treated_change: float | None = None  # mean change of the targeted organisations
    control_change: float | None = None  # mean over pairs of the controls' mean change
    k: int = DEFAULT_K
    controls: tuple[str, ...] = field(default=())

    @property
    def n_treated(self) -> int:
        return len(self.pairs)

    @property
    def n_controls(self) -> int:
        return len(self.controls)

    @property
    def interval(self) -> tuple[float, float] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)


def _number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _var(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    m = _mean(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - 1)


def match(target: Org, pool: list[Org], k: int) -> tuple[list[Org], str]:
    """Up to `k` controls for `target`: same cluster first (nearest prior value), then nearest prior value."""
    def distance(o: Org) -> tuple[float, str]:
        return (abs(o.before - target.before), o.code)

    same = sorted((o for o in pool if target.cluster is not None and o.cluster == target.cluster), key=distance)
    chosen = same[:k]
    if len(chosen) < k:
        taken = {o.code for o in chosen}
        rest = sorted((o for o in pool if o.code not in taken), key=distance)
        chosen += rest[: k - len(chosen)]
    from_cluster = sum(1 for o in chosen if target.cluster is not None and o.cluster == target.cluster)
    how = "cluster" if from_cluster == len(chosen) else ("prior" if from_cluster == 0 else "cluster+prior")
    return chosen, how


def verdict_for(low: float, high: float, direction: str) -> str | None:
    """effective / worse when the whole 95 % interval lies on one side of zero in the indicator's direction."""
    if direction not in (HIGHER, LOWER):
        return None
    better_low, better_high = (low, high) if direction == HIGHER else (-high, -low)
    if better_low > 0:
        return EFFECTIVE
    if better_high < 0:
        return WORSE
    return NO_EVIDENCE


def estimate(treated: Iterable[str], orgs: Iterable[Org], direction: str, *, k: int = DEFAULT_K,
             min_controls: int = DEFAULT_MIN_CONTROLS) -> Effect:
    """The measure's effect on one indicator. `orgs` are all candidate organisations (targeted ones included)."""
    treated_set = set(treated)
    orgs = list(orgs)
    by_code = {o.code: o for o in orgs}
    pool = sorted((o for o in orgs if o.code not in treated_set and o.complete), key=lambda o: o.code)
    pairs: list[Pair] = []
    variances: list[float] = []
    missing: list[str] = []
    used: set[str] = set()
    for code in sorted(treated_set):
        target = by_code.get(code)
        if target is None or not target.complete:
            missing.append(code)
            continue
        controls, how = match(target, pool, k)
        if len(controls) < min_controls:
            missing.append(code)
            continue
        changes = [c.change for c in controls]
        control_change = _mean(changes)
        s2 = _var(changes)
        variances.append(s2 * (1 + 1 / len(controls)))
        used.update(c.code for c in controls)
        pairs.append(Pair(code, target.before, target.after, target.change, tuple(c.code for c in controls),
                          control_change, math.sqrt(s2), target.change - control_change, how))
    base = {"direction": direction, "missing": tuple(missing), "k": k, "controls": tuple(sorted(used))}
    if not pairs:
        reason = ("нет организаций мероприятия со значениями показателя в обоих годах и сопоставимыми "
                  "организациями для сравнения")
        return Effect(None, None, None, None, None, reason=reason, **base)
    effects = [p.effect for p in pairs]
    effect = _mean(effects)
    t = len(pairs)
    se = math.sqrt(sum(variances)) / t
    if t >= 2:
        se = max(se, math.sqrt(_var(effects)) / math.sqrt(t))
    low, high = effect - Z95 * se, effect + Z95 * se
    verdict = verdict_for(low, high, direction)
    reason = "" if verdict is not None else "у показателя нет направления «лучше — хуже»"
    return Effect(verdict, effect, low, high, se, pairs=tuple(pairs), reason=reason,
                  treated_change=_mean([p.change for p in pairs]),
                  control_change=_mean([p.control_change for p in pairs]), **base)


# ---- words --------------------------------------------------------------------------------------------

def _num(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")


def fmt_value(value: float | None, share: bool) -> str:
    if value is None:
        return "—"
    return f"{_num(value * 100, 1)} %" if share else _num(value, 2)


def fmt_change(value: float | None, share: bool) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{_num(value * 100, 1)} п.п." if share else f"{sign}{_num(value, 2)}"


def describe(result: Effect, *, share: bool, name: str = "показатель") -> str:
    """One plain Russian sentence: the verdict and the numbers behind it."""
    if result.verdict is None and result.effect is None:
        return f"Нет вывода: {result.reason}."
    head = VERDICT_RU.get(result.verdict, "без оценки").capitalize() if result.verdict else "Без оценки"
    interval = f"95 % интервал от {fmt_change(result.low, share)} до {fmt_change(result.high, share)}"
    text = (f"{head}: «{name}» у организаций мероприятия ({result.n_treated}) изменился на "
            f"{fmt_change(result.treated_change, share)}, у сопоставимых организаций без мероприятия "
            f"({result.n_controls}) — на {fmt_change(result.control_change, share)}; разница "
            f"{fmt_change(result.effect, share)} ({interval})")
    if result.verdict is None:
        text += f"; {result.reason}"
    elif result.verdict == NO_EVIDENCE:
        text += "; интервал включает ноль — по данным нельзя сказать, что мероприятие подействовало"
    if result.missing:
        text += f"; не вошли в расчёт (нет данных за оба года): {len(result.missing)}"
    return text + "."

"""The effect of each measure, computed from the stored results by `msoko.engine.effectiveness`.

Data: the pooled organisation-level values of the current result run (the dashboards' snapshot, read once
per run) for the measure's «before» and «after» years; the context cluster of each organisation in the
«before» year from the current detection run. Candidate controls: the organisations of the same region and
of the same kinds as the targeted ones. Results are cached per result run and measure definition.

Overall verdict of a measure with several indicators: «worse» if any indicator is worse, else «effective»
if any is effective, else «no evidence» if any has a verdict, else none. Its effect and interval are those
of the first indicator (in the measure's order) that has a computed effect.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import polars as pl

from msoko.engine import effectiveness as eff
from msoko.web.dashboards.data import Snapshot, snapshot
from msoko.web.registry.models import Organisation

_lock = threading.Lock()
_cache: dict[tuple, eff.Effect] = {}


@dataclass(frozen=True)
class IndicatorEffect:
    code: str
    name: str
    share: bool
    before: int | None
    after: int | None
    result: eff.Effect
    text: str


@dataclass(frozen=True)
class MeasureEffect:
    verdict: str | None
    effect: float | None
    interval: tuple[float, float] | None
    text: str
    share: bool
    items: list[IndicatorEffect]

    @property
    def verdict_ru(self) -> str:
        return eff.VERDICT_RU.get(self.verdict, "нет вывода") if self.verdict else "нет вывода"


def _values(snap: Snapshot, code: str, year: int) -> dict[str, float]:
    df = snap.slice(level="organisation", year=year, indicators=[code])
    return {row["id"]: row["value"] for row in df.select("id", "value").iter_rows(named=True)}


def _clusters(snap: Snapshot, year: int) -> dict[str, str]:
    risk = snap.risk
    if risk.is_empty() or "cluster" not in risk.columns:
        return {}
    df = risk.filter(pl.col("year") == year).select("org_id", "cluster").drop_nulls()
    return dict(df.iter_rows())


def compute(snap: Snapshot, region_id: int, treated: tuple[str, ...], code: str, before: int, after: int) -> eff.Effect:
    key = (snap.key, region_id, treated, code, before, after)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    ind = snap.indicators.get(code)
    direction = str(ind.direction) if ind else "neutral"
    kinds = set(Organisation.objects.filter(code__in=treated).values_list("kind", flat=True))
    pool = list(Organisation.objects.filter(municipality__region_id=region_id, kind__in=kinds)
                .values_list("code", flat=True))
    first, second, clusters = _values(snap, code, before), _values(snap, code, after), _clusters(snap, before)
    orgs = [eff.Org(c, first.get(c), second.get(c), clusters.get(c)) for c in sorted(set(pool) | set(treated))]
    result = eff.estimate(treated, orgs, direction)
    with _lock:
        if len(_cache) > 2000:
            _cache.clear()
        _cache[key] = result
    return result


def _no_data(reason: str) -> eff.Effect:
    return eff.Effect(None, None, None, None, None, "neutral", reason=reason)


def measure_effect(measure, snap: Snapshot | None = None) -> MeasureEffect:
    snap = snap or snapshot()
    treated = tuple(sorted(measure.organisations.values_list("code", flat=True)))
    before, after = measure.period()
    items: list[IndicatorEffect] = []
    for code in measure.indicators or []:
        ind = snap.indicators.get(code)
        share = ind is not None and str(ind.kind) == "share"
        name = ind.name if ind else code
        if not treated:
            result = _no_data("мероприятие не направлено ни на одну организацию")
        elif before is None or after is None:
            result = _no_data("не заданы сроки мероприятия")
        elif before >= after:
            result = _no_data("год «до» не раньше года «после»")
        elif after not in snap.years or before not in snap.years:
            missing = [str(y) for y in (before, after) if y not in snap.years]
            result = _no_data(f"нет рассчитанных результатов за {', '.join(missing)} г.")
        else:
            result = compute(snap, measure.cycle.region_id, treated, code, before, after)
        text = eff.describe(result, share=share, name=name)
        items.append(IndicatorEffect(code, name, share, before, after, result, text))
    return overall(items)


def overall(items: list[IndicatorEffect]) -> MeasureEffect:
    verdicts = [i.result.verdict for i in items if i.result.verdict]
    if eff.WORSE in verdicts:
        verdict = eff.WORSE
    elif eff.EFFECTIVE in verdicts:
        verdict = eff.EFFECTIVE
    elif verdicts:
        verdict = eff.NO_EVIDENCE
    else:
        verdict = None
    main = next((i for i in items if i.result.effect is not None), None)
    if not items:
        text = "Нет вывода: у мероприятия не указаны показатели, которые оно должно улучшить."
    else:
        text = " ".join(i.text for i in items)
    return MeasureEffect(verdict, main.result.effect if main else None,
                         main.result.interval if main else None, text, main.share if main else False, items)

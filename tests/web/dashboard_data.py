"""Stored results for the personas' small region, written through the engine's own writers.

Values are chosen by hand: municipality A is above the region on `vpr_base`, B below; school a2's name
is changed in one test to look like a spreadsheet formula.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa

from msoko.engine import distributions
from msoko.engine.catalog import default_catalog
from msoko.engine.detection import store as detection_store
from msoko.engine.results import VALUE_SCHEMA, ResultStore

# (level, id, year, indicator, value, numerator, denominator, change, rank, peers)
ROWS = [
    ("region", "77", 2025, "vpr_base", 0.70, 700, 1000, None, 1, 1),
    ("region", "77", 2026, "vpr_base", 0.75, 750, 1000, 0.05, 1, 1),
    ("municipality", "mun-A", 2025, "vpr_base", 0.80, 480, 600, None, 1, 2),
    ("municipality", "mun-A", 2026, "vpr_base", 0.85, 510, 600, 0.05, 1, 2),
    ("municipality", "mun-B", 2025, "vpr_base", 0.55, 220, 400, None, 2, 2),
    ("municipality", "mun-B", 2026, "vpr_base", 0.60, 240, 400, 0.05, 2, 2),
    ("organisation", "edu100001", 2026, "vpr_base", 0.9125, 365, 400, None, 1, 3),
    ("organisation", "edu100002", 2026, "vpr_base", 0.725, 145, 200, None, 2, 3),
    ("organisation", "edu200001", 2026, "vpr_base", 0.60, 240, 400, None, 3, 3),
    ("region", "77", 2026, "vpr4_base", 0.78, 78, 100, None, 1, 1),
    ("municipality", "mun-A", 2026, "vpr4_base", 0.82, 41, 50, None, 1, 2),
    ("municipality", "mun-B", 2026, "vpr4_base", 0.74, 37, 50, None, 2, 2),
    ("organisation", "edu100001", 2026, "vpr4_base", 0.84, 21, 25, -0.02, 1, 3),
]


# ВПР, Математика, 4 класс, 2026: shares of «2», «3» and above, «4»–«5», «5» (school a1: marks 10/30/40/20 %,
# region: 20/30/40/10 %)
BREAKDOWNS = [
    ("organisation", "edu100001", "vpr_fail", 0.1), ("organisation", "edu100001", "vpr_base", 0.9),
    ("organisation", "edu100001", "vpr_quality", 0.6), ("organisation", "edu100001", "vpr_high", 0.2),
    ("region", "77", "vpr_fail", 0.2), ("region", "77", "vpr_base", 0.8),
    ("region", "77", "vpr_quality", 0.5), ("region", "77", "vpr_high", 0.1),
]


def values() -> pa.Table:
    columns = {name: [] for name in VALUE_SCHEMA.names}
    rows = [(*r, None, None) for r in ROWS]
    rows += [(level, id_, 2026, ind, value, value * 50, 50, None, 1, 1, "Математика", 4)
             for level, id_, ind, value in BREAKDOWNS]
    for level, id_, year, indicator, value, num, den, change, rank, peers, subject, grade in rows:
        row = dict.fromkeys(VALUE_SCHEMA.names)
        row.update(level=level, id=id_, year=year, indicator=indicator, value=value, numerator=float(num),
                   denominator=float(den), change=change, rank=rank, peers=peers, group_size=int(den),
                   under_min_group=False, ci_low=value - 0.02, ci_high=value + 0.02, version=1,
                   definition_hash="x", subject=subject, grade=grade)
        for name in VALUE_SCHEMA.names:
            columns[name].append(row[name])
    return pa.table(columns, schema=VALUE_SCHEMA)


def _detection(folder) -> None:
    risk = pl.DataFrame({
        "year": [2025, 2026, 2026], "org_id": ["edu200001", "edu200001", "edu100002"],
        "shnor": [False, True, False], "shnsu": [True, True, False], "federal_risk": [False, True, False],
        "social_index": [30.0, 28.0, 70.0],
        "explanation": [None, "Школа ниже школ своего кластера три года подряд.", None],
        "reasons": ["low_social_index", "low_standing;low_social_index", ""],
    })
    objectivity = pl.DataFrame({
        "year": [2026, 2026], "org_id": ["edu100001", "edu100001"], "procedure": ["ВПР", "ВПР"],
        "subject": ["Математика", "Русский язык"], "grade": [4, 4], "participants": [50, 48],
        "status": ["ok", "ok"], "flagged": [True, False], "signs": ["journal", ""],
        "explanation": ["Отметки ВПР заметно выше журнальных.", None],
    })
    lists = pl.DataFrame({"year": [2026], "list": ["shnor"], "org_id": ["edu200001"], "status": ["entered"]})
    empty = pl.DataFrame({"year": pl.Series([], dtype=pl.Int32), "org_id": pl.Series([], dtype=pl.Utf8)})
    detection_store.write(folder, {"objectivity": objectivity, "signs": empty, "risk": risk, "lists": lists,
                                   "risk_profile": empty, "social": empty}, {"years": [2025, 2026]})


# ВПР distributions, 2026, Математика 4 (boundaries 6 / 10 / 14 of 20): school a1's histogram (50 pupils),
# the region's as shares; Русский язык 4 of a1 has 8 pupils — under the minimum of 10, no histogram.
SCORES = {  # (level, id) → {score: count}
    ("organisation", "edu100001"): {3: 2, 5: 3, 6: 5, 8: 10, 10: 12, 12: 8, 14: 6, 17: 4},
    ("municipality", "mun-A"): {3: 6, 5: 9, 6: 15, 8: 30, 10: 36, 12: 24, 14: 18, 17: 12},
    ("region", "77"): {2: 100, 5: 150, 7: 200, 9: 150, 11: 200, 15: 150, 19: 50},
}
# (level, id) → {task: (level Б/П, score, max points)}
TASKS = {
    ("organisation", "edu100001"): {"1": ("Б", 40, 50), "2": ("Б", 60, 100), "3": ("П", 30, 150)},
    ("municipality", "mun-A"): {"1": ("Б", 110, 150), "2": ("Б", 180, 300), "3": ("П", 120, 450)},
    ("region", "77"): {"1": ("Б", 700, 1000), "2": ("Б", 1000, 2000), "3": ("П", 900, 3000)},
}
MIN_GROUP = 10


def _distribution_tables() -> dict[str, pa.Table]:
    groups, scores, tasks = [], [], []
    for (level, id_), counts in SCORES.items():
        n = sum(counts.values())
        levels = TASKS[(level, id_)]
        b = [v for v in levels.values() if v[0] == "Б"]
        p = [v for v in levels.values() if v[0] == "П"]
        b_score, b_max = sum(v[1] for v in b), sum(v[2] for v in b)
        p_score, p_max = sum(v[1] for v in p), sum(v[2] for v in p)
        groups.append({"level": level, "id": id_, "year": 2026, "subject": "Математика", "grade": 4,
                       "participants": n, "under_min_group": n < MIN_GROUP, "bound_3": 6, "bound_4": 10,
                       "bound_5": 14, "max_score": 20, "bounds_source": "scales", "b_score": float(b_score),
                       "b_max": float(b_max), "b_completion": b_score / b_max, "p_score": float(p_score),
                       "p_max": float(p_max), "p_completion": p_score / p_max, "task_participants": n})
        scores += [{"level": level, "id": id_, "year": 2026, "subject": "Математика", "grade": 4, "score": s,
                    "count": c, "share": c / n} for s, c in counts.items()]
        tasks += [{"level": level, "id": id_, "year": 2026, "subject": "Математика", "grade": 4, "task": t,
                   "task_level": lv, "score": float(sc), "max_points": float(mx), "participants": n,
                   "completion": sc / mx, "task_order": order}
                  for order, (t, (lv, sc, mx)) in enumerate(levels.items(), start=1)]
    groups.append({**groups[0], "subject": "Русский язык", "participants": 8, "under_min_group": True,
                   "bound_3": 14, "bound_4": 24, "bound_5": 33, "max_score": 38, "b_score": 40.0, "b_max": 80.0,
                   "b_completion": 0.5, "p_score": None, "p_max": None, "p_completion": None})
    return {"groups": pa.Table.from_pylist(groups), "scores": pa.Table.from_pylist(scores),
            "tasks": pa.Table.from_pylist(tasks)}


def install_distributions(folder) -> None:
    """Store the hand-made distributions through the engine's own writer."""
    con = duckdb.connect()
    for name, table in _distribution_tables().items():
        con.register(f"dist_{name}", table)
    distributions.write(con, folder, [2026], replace_all=True, min_group=MIN_GROUP)
    con.close()


def install(folder, settings) -> ResultStore:
    """The personas' region with stored indicator values, a detection run and ВПР distributions in `folder`;
    pages read them."""
    catalog = default_catalog()
    store = ResultStore(folder)
    store.write_run(values(), catalog, store.resolve_versions(catalog))
    _detection(folder)
    install_distributions(folder)
    settings.MSOKO_RESULTS_DIR = str(folder)
    return store

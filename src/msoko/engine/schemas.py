"""Canonical table schemas of the warehouse datasets.

The contract between ingest (which writes these tables) and the engine (which reads them). Column names
follow `docs/formats.md`; a dataset may carry extra columns (context variables, `above_<n>` shares),
which are kept as they come.
"""

from __future__ import annotations

import pyarrow as pa

ORGANISATIONS = pa.schema(
    [
        ("org_id", pa.string()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("municipality_id", pa.string()),
        ("municipality_name", pa.string()),
        ("region_id", pa.string()),
        ("region_name", pa.string()),
        ("locality", pa.string()),
        ("small_school", pa.int8()),
        ("remote", pa.int8()),
        ("advanced", pa.int8()),
        ("correctional", pa.int8()),
        ("students", pa.int32()),
        ("teachers", pa.int32()),
    ]
)

# One row per participant × subject; `participant` is already pseudonymised.
VPR = pa.schema(
    [
        ("year", pa.int16()),
        ("org_id", pa.string()),
        ("participant", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int8()),
        ("variant", pa.int16()),
        ("primary_score", pa.int16()),
        ("mark", pa.int8()),
        ("journal_mark", pa.int8()),
    ]
)

# Per-task scores of ВПР, long form: one row per participant × subject × task.
VPR_TASKS = pa.schema(
    [
        ("year", pa.int16()),
        ("org_id", pa.string()),
        ("participant", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int8()),
        ("task", pa.string()),
        ("score", pa.int16()),
        ("max_score", pa.int16()),
        ("level", pa.string()),  # «Б» basic, «П» advanced, null when unknown
    ]
)

GIA = pa.schema(
    [
        ("year", pa.int16()),
        ("org_id", pa.string()),
        ("participant", pa.string()),
        ("subject", pa.string()),
        ("exam", pa.string()),  # ОГЭ / ЕГЭ / ГВЭ
        ("primary_score", pa.int16()),
        ("test_score", pa.int16()),
        ("mark", pa.int8()),
    ]
)

SCALES = pa.schema(
    [
        ("year", pa.int16()),
        ("procedure", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int8()),
        ("mark_or_level", pa.string()),
        ("min_score", pa.int16()),
        ("max_score", pa.int16()),
        ("score_kind", pa.string()),
        ("source", pa.string()),
    ]
)

# Fixed leading columns; any further numeric column is a context variable.
CONTEXT_KEYS = pa.schema([("year", pa.int16()), ("org_id", pa.string())])

# Fixed leading columns; mean_score, share_2..share_5, below_min, above_<n> follow when present.
RESULTS_BY_ORG_KEYS = pa.schema(
    [
        ("year", pa.int16()),
        ("org_id", pa.string()),
        ("procedure", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int8()),
        ("participants", pa.int32()),
    ]
)

DATASETS: dict[str, pa.Schema] = {
    "organisations": ORGANISATIONS,
    "vpr": VPR,
    "vpr_tasks": VPR_TASKS,
    "gia": GIA,
    "scales": SCALES,
    "context": CONTEXT_KEYS,
    "results_by_org": RESULTS_BY_ORG_KEYS,
}

from __future__ import annotations

from msoko.engine.detection import DetectionResults, run


def run_and_read(ws) -> DetectionResults:
    run(ws)
    results = DetectionResults.open(ws.results)
    assert results is not None
    return results


def signs_of(results: DetectionResults, org_id: str, year: int) -> dict[str, dict]:
    return {row["sign"]: row for row in results.signs(year, org_id).iter_rows(named=True)}


def group_of(results: DetectionResults, org_id: str, year: int) -> dict:
    rows = results.objectivity(year, org_id).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]

from __future__ import annotations

import polars as pl

from msoko.engine.detection import data
from msoko.engine.warehouse import Warehouse
from tests.detection.builders import org, scale_rows, scored, write_workspace
from tests.detection.conftest import SMOOTH


def bounds(ws) -> dict[int, int]:
    con = data.connect(Warehouse(ws.warehouse))
    frames = data.build(con, 2, 2)
    b = frames["bounds"].filter(pl.col("year") == 2030)
    return dict(zip(b["mark"], b["bound"], strict=True))


def test_mark_boundaries_are_read_off_the_data_when_no_scale_is_known(tmp_path):
    ws = write_workspace(tmp_path / "ws", organisations=[org("a")], vpr=scored("a", 2030, SMOOTH))
    assert bounds(ws) == {3: 6, 4: 10, 5: 14}


def test_an_imported_scale_wins_over_the_data(tmp_path):
    shifted = [dict(r, min_score=r["min_score"] + 1) for r in scale_rows(2030, "Математика", 5)]
    ws = write_workspace(tmp_path / "ws", organisations=[org("a")], vpr=scored("a", 2030, SMOOTH), scales=shifted)
    assert bounds(ws) == {3: 7, 4: 11, 5: 15}

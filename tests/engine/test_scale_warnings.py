from __future__ import annotations

import golden

from msoko.engine.pipeline import recompute


def test_a_complete_fixture_computes_without_scale_warnings(golden_workspace):
    assert recompute(golden_workspace).warnings == []


def test_an_ege_subject_without_a_minimum_is_reported(tmp_path, monkeypatch):
    from msoko.core.workspace import Workspace

    rows = [r for r in golden.SCALE_ROWS if r[2] != "Физика"]
    monkeypatch.setattr(golden, "SCALE_ROWS", rows)
    ws = Workspace(tmp_path).ensure()
    golden.build(ws.warehouse)
    # The shipped scales would supply physics 2024; the fixture's own scales override only their own keys,
    # so point the shipped file at nothing for this test.
    monkeypatch.setattr("msoko.engine.sources.shipped_scales_csv", lambda: None)
    messages = [w.message for w in recompute(ws).warnings]
    assert messages == ["ЕГЭ 2024, «Физика»: неизвестен минимальный балл этого года — 1 результатов не вошли в "
                        "показатели «ниже минимума»; загрузите шкалу (msoko import scales)"]

from __future__ import annotations

import pytest

from msoko.core.issues import RejectedInput
from msoko.engine.detection import DetectionConfig, run
from tests.detection.builders import scored
from tests.detection.conftest import SMOOTH
from tests.detection.helpers import group_of, run_and_read
from tests.detection.test_objectivity_rules import RAISED_60


def test_a_region_can_lower_the_number_of_signs_needed_in_detection_yaml(region):
    ws = region(vpr=scored("target", 2025, SMOOTH, journal_delta=RAISED_60))
    (ws.root / "detection.yaml").write_text("objectivity:\n  combination:\n    min_signs: 1\n", encoding="utf-8")
    assert group_of(run_and_read(ws), "target", 2025)["flagged"]


def test_an_unknown_parameter_is_rejected_with_its_name_and_nothing_is_stored(region):
    ws = region(vpr=scored("target", 2025, SMOOTH))
    (ws.root / "detection.yaml").write_text("objectivity:\n  journal:\n    raised_exces: 0.2\n", encoding="utf-8")
    with pytest.raises(RejectedInput) as caught:
        run(ws)
    issue = caught.value.issues[0]
    assert issue.file == "detection.yaml" and issue.column == "objectivity.journal.raised_exces"
    assert "неизвестный параметр" in issue.message
    assert not (ws.results / "detection").exists()


def test_a_file_that_is_not_yaml_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "detection.yaml"
    path.write_text("social:\n  share: [0.1\n", encoding="utf-8")
    cfg, issues = DetectionConfig.load(path)
    assert cfg is None and issues[0].row is not None

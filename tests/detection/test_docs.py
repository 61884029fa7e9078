from pathlib import Path

import pytest

from msoko.engine.detection.config import threshold_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "detection.ru.md"


@pytest.mark.parametrize("name", [row[0] for row in threshold_table()])
def test_every_threshold_is_listed_with_its_source_in_the_russian_docs(name):
    assert f"`{name}`" in DOC.read_text(encoding="utf-8")

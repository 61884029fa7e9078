"""The docs say what the code does: every setting is documented."""

from pathlib import Path

import pytest

from msoko.core.env import VARIABLES

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_every_environment_variable_is_in_the_developer_guide(name):
    assert f"`{name}`" in (DOCS / "developer-guide.md").read_text(encoding="utf-8")

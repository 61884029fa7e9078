"""The docs say what the code does: every setting is documented."""

from pathlib import Path

import pytest

from msoko.core.env import VARIABLES

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_every_environment_variable_is_in_the_developer_guide(name):
    assert f"`{name}`" in (DOCS / "developer-guide.md").read_text(encoding="utf-8")


def test_the_cli_reference_is_generated_from_the_current_code(tmp_path):
    import subprocess
    import sys

    fresh = tmp_path / "cli.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "msoko.cli.main", "utils", "docs", "--name", "msoko",
         "--title", "Командная строка msoko", "--output", str(fresh)],
        check=True, capture_output=True,
    )
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "docs/cli.md is stale: run scripts/gen-docs"
    )


def test_every_command_of_formats_md_exists():
    from typer.testing import CliRunner

    from msoko.cli.main import app

    for command in [["demo"], ["serve"], ["compute"], ["report"], ["import", "registry"], ["import", "results"],
                    ["import", "context"], ["import", "scales"], ["export", "indicators"],
                    ["export", "objectivity"], ["export", "risk"]]:
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "--home" in result.output, command

"""`python -m msoko.cli …` — the same as the `msoko` command."""

from msoko.cli.main import run

run()

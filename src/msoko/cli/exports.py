"""`msoko export …` — owned by the engine (issue 4)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Выгрузка результатов в CSV.", no_args_is_help=True)

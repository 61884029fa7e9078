"""`msoko catalog …` — owned by the engine (issue 4)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Каталог показателей.", no_args_is_help=True)

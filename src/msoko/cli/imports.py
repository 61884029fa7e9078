"""`msoko import …` — registry, results, context, scales."""

from __future__ import annotations

import typer

app = typer.Typer(help="Загрузка данных.", no_args_is_help=True)

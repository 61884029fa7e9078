"""`msoko serve` — the web app over an existing workspace, on a production WSGI server (waitress)."""

from __future__ import annotations

from typing import Annotated

import typer

from msoko.cli.common import HomeOption, console, migrate, setup_django

HostOption = Annotated[str, typer.Option("--host", help="Адрес, на котором слушать.")]
PortOption = Annotated[int, typer.Option("--port", help="Порт.", min=1, max=65535)]


def run_server(host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    from msoko.web.wsgi import application

    console.print(f"Веб-приложение: http://{host}:{port}/  (остановить: Ctrl+C)", markup=False)
    waitress_serve(application, host=host, port=port, threads=8, ident="msoko")


def serve(home: HomeOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Запустить веб-приложение над рабочим пространством."""
    setup_django(home)
    migrate()
    run_server(host, port)

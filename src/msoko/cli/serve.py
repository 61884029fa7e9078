"""`msoko serve` — the web app over an existing workspace, on a production WSGI server.

gunicorn with several worker processes: a page is Python work under the interpreter lock, so one process
serves one page at a time however many threads it has; processes use every core. Each worker has a few
threads so a slow download does not hold a whole process.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from msoko.cli.common import HomeOption, console, migrate, setup_django

HostOption = Annotated[str, typer.Option("--host", help="Адрес, на котором слушать.")]
PortOption = Annotated[int, typer.Option("--port", help="Порт.", min=1, max=65535)]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, max=64, help="Число процессов сервера. По умолчанию — по числу ядер процессора."),
]
THREADS_PER_WORKER = 4


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def _warm_worker(worker) -> None:
    """Read the stored results into the new worker before it takes requests, so the first visitor of
    each process does not wait for the load (≈ 1 s on the demo region)."""
    from msoko.web.dashboards.data import snapshot

    try:
        snapshot()
    except Exception:  # noqa: BLE001 — a workspace without results still serves; pages say so
        worker.log.warning("результаты не прочитаны при запуске процесса", exc_info=True)


def run_server(host: str, port: int, workers: int | None = None) -> None:
    """Serve until stopped. Call it from a process that has not computed anything yet: workers are forked
    from it, and the thread pools of DuckDB and Polars do not survive a fork."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from msoko.web.wsgi import application

    workers = workers or default_workers()
    # The master has used the database (migrations, demo set-up); a connection inherited by forked
    # workers would be shared between processes.
    connections.close_all()

    class Server(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": THREADS_PER_WORKER,
                "timeout": 120,  # a report or export may take a while; jobs run in their own thread
                "graceful_timeout": 10,
                "preload_app": True,  # Django loaded once, then forked
                "proc_name": "msoko",
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "post_worker_init": _warm_worker,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    console.print(
        f"Веб-приложение: http://{host}:{port}/  ({workers} проц.; остановить: Ctrl+C)", markup=False
    )
    Server().run()


def serve(
    home: HomeOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = None,
) -> None:
    """Запустить веб-приложение над рабочим пространством."""
    setup_django(home)
    migrate()
    from msoko.web.jobs.orphans import reap

    reap()  # jobs of a server process that died are failed now, not «выполняется» for ever
    run_server(host, port, workers)

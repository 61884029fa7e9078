"""`msoko serve` — placeholder."""

from msoko.cli.common import HomeOption


def serve(home: HomeOption = None) -> None:
    """Запустить веб-приложение."""

"""`msoko demo` — placeholder."""

from msoko.cli.common import HomeOption


def demo(home: HomeOption = None) -> None:
    """Запустить веб-приложение."""

"""Typed readers for environment variables that fail loudly on bad values.

Every variable msoko reads goes through one of these helpers and is listed in `VARIABLES`, which the
developer guide is checked against (tests/test_docs.py).
"""

from __future__ import annotations

import os


class SettingError(ValueError):
    """A variable is set to a value msoko cannot use."""


VARIABLES: dict[str, str] = {
    "MSOKO_HOME": "Папка рабочего пространства (база данных, хранилище, секретный ключ). По умолчанию ./msoko-data.",
    "MSOKO_DATABASE_URL": "Адрес базы PostgreSQL (postgres://user:pass@host:5432/db). Без него — SQLite в рабочем пространстве.",
    "MSOKO_DEBUG": "Режим отладки Django (0/1). По умолчанию 0.",
    "MSOKO_ALLOWED_HOSTS": "Имена хоста через запятую. По умолчанию 127.0.0.1,localhost.",
    "MSOKO_SECURE_COOKIES": "Cookie только по HTTPS (0/1). Включайте за HTTPS-прокси. По умолчанию 0.",
    "MSOKO_LOGIN_ATTEMPTS": "Сколько неудачных входов подряд допускается до временной блокировки. По умолчанию 5.",
    "MSOKO_LOGIN_LOCKOUT_SECONDS": "На сколько секунд блокируется вход после исчерпания попыток. По умолчанию 900.",
    "MSOKO_MAX_UPLOAD_MB": "Наибольший размер загружаемого файла, МБ. По умолчанию 200.",
    "MSOKO_SECRET_KEY": "Секретный ключ (если не задан, создаётся в рабочем пространстве при первом запуске).",
    "MSOKO_ENGINE": "Чем считать показатели при пересчёте из веба и API: duckdb (на этой машине) или spark (нужны python3 -m uv sync --extra spark и Java 17). По умолчанию duckdb.",
    "MSOKO_SPARK_MASTER": "Адрес кластера Spark для msoko compute --engine spark (spark://host:7077). По умолчанию local[2].",
    "MSOKO_SPARK_PARTITIONS": "Число частей перемешивания Spark (spark.sql.shuffle.partitions). По умолчанию 8.",
    "MSOKO_SPARK_SCRATCH": "Где каждый расчёт на Spark создаёт свою папку промежуточных Parquet-файлов (удаляется после расчёта); на кластере — общая для всех узлов. По умолчанию tmp/ рабочего пространства.",
}


def _raw(name: str) -> str | None:
    if name not in VARIABLES:
        raise KeyError(f"{name} is not a documented msoko variable")
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name}={value!r}: ожидается 0 или 1")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r}: ожидается целое число") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={value!r}: число должно быть не меньше {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise SettingError(f"{name}={value!r}: допустимы {', '.join(choices)}")
    return value

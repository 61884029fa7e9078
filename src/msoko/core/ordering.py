"""The order people expect for names with numbers: «№ 2» before «№ 10», case and «ё» ignored."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple:
    """Sort key: digit runs compare as numbers, the rest as folded text («Школа № 9» < «Школа № 10»)."""
    parts = _NUMBER.split((text or "").casefold().replace("ё", "е"))
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))

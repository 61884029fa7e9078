"""Pseudonymisation of participant codes and the refusal of personal-name columns.

A participant code becomes HMAC-SHA256(workspace secret, code), hex, truncated to 20 characters (80 bits):
stable across imports and procedures (the same code always gives the same pseudonym in one workspace),
not reversible without the secret. Only distinct codes are hashed (dictionary encoding), so a file with
several rows per participant costs one hash per participant.
"""

from __future__ import annotations

import hashlib
import re

import pyarrow as pa
import pyarrow.compute as pc

from msoko.core.issues import Issue

PSEUDONYM_LENGTH = 20

_NAME_PATTERNS = [
    r"ф\.?\s*и\.?\s*о\.?(\s.*)?",
    r"фамилия.*",
    r"имя(\s.*)?",
    r"отчество.*",
    r".*\bфио\b.*",
    r"(student|pupil|participant)?\s*(full|first|last|given|family)\s*name",
    r"surname",
]
_NAME_RE = re.compile("|".join(f"(?:{p})" for p in _NAME_PATTERNS), re.IGNORECASE)


def looks_like_personal_names(column: str) -> bool:
    return bool(_NAME_RE.fullmatch(" ".join(column.replace("_", " ").split())))


def name_columns(header: list[str]) -> list[str]:
    return [column for column in header if looks_like_personal_names(column)]


def refuse_names(header: list[str], file: str, row: int | None, dropped: list[str]) -> list[Issue]:
    """An error for every personal-name column not explicitly dropped."""
    dropped_norm = {d.strip().casefold() for d in dropped}
    issues = []
    for column in name_columns(header):
        if column.strip().casefold() in dropped_norm:
            continue
        issues.append(
            Issue.error(
                f"столбец «{column}» похож на фамилии или имена; персональные данные не загружаются. "
                f'Удалите столбец из файла или загрузите файл с параметром --drop-columns "{column}" '
                "(столбец будет отброшен, в том числе из архивной копии файла)",
                file=file,
                row=row,
                column=column,
            )
        )
    return issues


class Pseudonymiser:
    """Keyed hash of participant codes with precomputed HMAC pads (≈0.7 µs per distinct code)."""

    def __init__(self, secret: str):
        key = secret.encode("utf-8")
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def one(self, code: str) -> str:
        inner = self._inner.copy()
        inner.update(code.strip().encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:PSEUDONYM_LENGTH]

    def array(self, codes: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Pseudonymise a string array; nulls stay null."""
        if isinstance(codes, pa.ChunkedArray):
            codes = codes.combine_chunks()
        if codes.type != pa.string():
            codes = pc.cast(codes, pa.string())
        encoded = codes.dictionary_encode()
        one = self.one
        hashed = pa.array([one(code) for code in encoded.dictionary.to_pylist()], type=pa.string())
        return pc.take(hashed, encoded.indices)

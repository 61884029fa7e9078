"""One case of the persona matrix (tests/web/test_scope_gate.py): a URL, who may open it, and a text that
must not reach anyone else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    url: str
    allowed: set[str]  # personas that may open it
    secret: str  # text that must not reach anyone else
    method: str = "get"

"""Arrows point down only: the engine, ingest, the generator and the core know nothing of Django or the web."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import msoko

PACKAGE = Path(msoko.__file__).parent
# layer → module prefixes it must never import
FORBIDDEN = {
    "core": ("django", "msoko.web", "msoko.cli", "msoko.engine", "msoko.ingest", "duckdb"),
    "engine": ("django", "msoko.web", "msoko.cli", "msoko.ingest", "msoko.reports"),
    "ingest": ("django", "msoko.web", "msoko.cli", "msoko.reports"),
    "synth": ("django", "msoko.web", "msoko.cli", "msoko.ingest"),
    "reports": ("django", "msoko.web", "msoko.cli", "msoko.ingest"),
}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_never_imports_an_upper_one(layer):
    offences = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for line, module in imported_modules(path)
        if module.startswith(FORBIDDEN[layer])
    ]
    assert offences == []

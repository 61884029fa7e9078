"""Step 1: read catalog YAML files into plain data, remembering the line of every value.

A catalog is a folder: `catalog.yaml` (mechanisms, systems and tracks, normative sources, declared
datasets) and `indicators/*.yaml` (each with optional `defaults:` and a list `indicators:`). A single file
holding all sections also works. Nothing is checked here beyond YAML syntax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from msoko.core.issues import Issue

Path_ = tuple[str | int, ...]
# libyaml's composer when installed (same nodes and marks, ≈10× faster than the pure-Python one).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class RawDocument:
    file: str  # as shown to the user
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int], scalars: yaml.SafeLoader) -> object:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            result[key] = _to_python(value_node, (*path, key), lines, scalars)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines, scalars) for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def parse_text(text: str, file: str) -> tuple[RawDocument | None, list[Issue]]:
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        return None, [Issue.error(f"ошибка синтаксиса YAML: {getattr(exc, 'problem', exc)}", file=file, row=row)]
    lines: dict[Path_, int] = {}
    data = _to_python(node, (), lines, yaml.SafeLoader("")) if node is not None else {}
    return RawDocument(file=file, data=data, lines=lines), []


def catalog_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = [path / "catalog.yaml"] if (path / "catalog.yaml").exists() else []
    files += sorted((path / "indicators").glob("*.yaml")) if (path / "indicators").is_dir() else []
    return files


def parse_catalog(path: Path, base: Path | None = None) -> tuple[list[RawDocument], list[Issue]]:
    path = Path(path)
    files = catalog_files(path)
    if not files:
        return [], [Issue.error("каталог не найден: нет catalog.yaml и папки indicators/", file=str(path))]
    documents, issues = [], []
    for file in files:
        shown = str(file.relative_to(base)) if base and file.is_relative_to(base) else str(file)
        document, found = parse_text(file.read_text(encoding="utf-8"), shown)
        issues += found
        if document is not None:
            documents.append(document)
    return documents, issues

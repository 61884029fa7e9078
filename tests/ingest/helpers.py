"""Helpers of the ingest tests (golden lines, file writers, tree hashing)."""

from __future__ import annotations

import hashlib
from pathlib import Path

REAL = Path("/work/shared/data/real")

VPR_HEADER = "year,org_id,participant,subject,grade,variant,primary_score,mark,journal_mark,task:1,task:2"
# Русский язык 4 (2024): marks 2: 0–13, 3: 14–23, 4: 24–32, 5: 33–38 (the shipped scale)
VPR_ROWS = [
    "2024,edu1,10001,Русский язык,4,1,3,2,4,1,2",
    "2024,edu1,10002,Русский язык,4,1,1,2,3,X,1",
    "2024,edu2,10001,Русский язык,4,2,4,2,,2,2",
]
REGISTRY = (
    "org_id,name,kind,municipality_id,municipality_name,region_id,region_name\n"
    "edu1,Школа 1,school,m1,Город,r1,Область\n"
    "edu2,Школа 2,school,m1,Город,r1,Область\n"
)


def write_csv(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def tree_hash(*folders: Path) -> str:
    """Hash of every file's relative path and bytes (directories included by name)."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.exists():
            digest.update(b"<absent>")
            continue
        for path in sorted(folder.rglob("*")):
            digest.update(str(path.relative_to(folder)).encode())
            if path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()

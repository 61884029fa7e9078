"""Ingest: reading the files people have, validating them, and storing accepted imports in the warehouse.

Public API (used by the CLI and the web upload view)::

    from msoko.ingest import import_file, rollback, list_imports, read_registry, write_registry_dataset

No Django here: the web layer mirrors the import journal (`list_imports`) into its database.
"""

from msoko.ingest.pipeline import ImportOutcome, import_file
from msoko.ingest.registry import read_registry
from msoko.ingest.registry_store import write_registry_dataset
from msoko.ingest.rules import effective_scales
from msoko.ingest.store import list_imports, rollback

__all__ = [
    "ImportOutcome",
    "effective_scales",
    "import_file",
    "list_imports",
    "read_registry",
    "rollback",
    "write_registry_dataset",
]

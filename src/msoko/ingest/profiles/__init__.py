"""Import profiles: declarative YAML mapping a foreign layout onto a canonical dataset.

A profile is loaded into pydantic models (`model.py`), checked (errors point at the profile file and the
offending key), then applied by `apply.py` to the file's rows. Shipped profiles live next to this module
as `<name>.yaml`; `--profile` takes a shipped name or a path.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from msoko.ingest.profiles.apply import prepare_with_profile
from msoko.ingest.profiles.model import Profile, load_profile

SHIPPED = Path(__file__).parent


def shipped_profiles() -> dict[str, str]:
    """name → description of every profile shipped with msoko."""
    result = {}
    for path in sorted(SHIPPED.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        result[path.stem] = str(data.get("description", "")).strip()
    return result


__all__ = ["Profile", "load_profile", "prepare_with_profile", "shipped_profiles"]

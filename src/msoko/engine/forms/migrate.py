"""Reading values given under one form version in the terms of another, through the `replaces` chain.

Each version's `replaces.fields` maps its predecessor's codes to its own (None: dropped); a code not named
keeps its name. Going from version 1 to 3 applies 1→2 then 2→3, so a renamed field keeps its history and a
dropped one is never silently shifted onto another column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from msoko.engine.forms.model import Form


def migrate(values: Mapping[str, object], from_version: int, to: Form, forms: Iterable[Form]) -> dict[str, object]:
    chain = {f.version: f for f in forms if f.code == to.code}
    current = dict(values)
    version = to.version
    steps = []
    while version > from_version:
        form = chain.get(version)
        if form is None or form.replaces is None:
            raise ValueError(f"no mapping from version {from_version} to {to.version} of {to.code}")
        steps.append(form)
        version = form.replaces.version
    if version != from_version:
        raise ValueError(f"version {from_version} is not an ancestor of {to.code}@{to.version}")
    for form in reversed(steps):
        assert form.replaces is not None
        mapped: dict[str, object] = {}
        for code, value in current.items():
            target = form.replaces.fields.get(code, code)
            if target is not None:
                mapped[target] = value
        current = mapped
    keep = to.columns_filled()
    return {code: value for code, value in current.items() if code in keep}

"""Rendered page bodies kept per result run, in each server process.

A body depends only on the stored results (the snapshot key changes with every run and registry import),
the object, the filters in the URL and the organisations the viewer may see — all part of the key — so a
body is rendered once per run and then served to every viewer who has passed the scope gate for it. Names
edited in the admin between runs show on the next run. Bounded: the least recently used bodies go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

MAX_BODIES = 256
_lock = threading.Lock()
_bodies: OrderedDict[tuple, SafeString] = OrderedDict()


def body(key: tuple, render: Callable[[], str]) -> SafeString:
    """The body cached under `key`, rendered by `render` the first time (rendered output is already escaped)."""
    with _lock:
        found = _bodies.get(key)
        if found is not None:
            _bodies.move_to_end(key)
            return found
    rendered = mark_safe(render())  # noqa: S308 — a template's own output, escaped when it was rendered
    with _lock:
        _bodies[key] = rendered
        while len(_bodies) > MAX_BODIES:
            _bodies.popitem(last=False)
    return rendered


def clear() -> None:
    with _lock:
        _bodies.clear()

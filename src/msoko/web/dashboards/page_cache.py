"""Rendered pages and exports kept per result run, in each server process.

What a page body or an export shows depends only on the stored results (the snapshot key changes with
every run and registry import), the object, the URL's parameters and the entities the viewer may see — all
part of the key — so it is rendered once per run and then served to every viewer who has passed the scope
gate for it (the views check the scope before they ask). Names edited in the admin between runs show on
the next run. Bounded: the least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

MAX_ENTRIES = 256
T = TypeVar("T")
_lock = threading.Lock()
_entries: OrderedDict[tuple, object] = OrderedDict()


def rendered(key: tuple, render: Callable[[], T]) -> T:
    """The output cached under `key` (an HTML body from render_to_string, or an export's bytes), rendered
    by `render` the first time."""
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]  # type: ignore[return-value]
    output = render()
    with _lock:
        _entries[key] = output
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return output


def kept(request, run_key: tuple, parts: tuple, render: Callable[[], T]) -> T:
    """What `render` makes, kept under the result run (`run_key`, the snapshot's key), every URL parameter
    and `parts`: the page, its object and the entities the viewer may see. Call it after the scope gate."""
    query = tuple(sorted((name, tuple(values)) for name, values in request.GET.lists()))
    return rendered((run_key, query, *parts), render)

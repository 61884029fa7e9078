"""Links to the object pages (region, municipality, organisation) built for many rows at once.

`reverse()` per row cost a long table several milliseconds; the URL of an object page is its name's prefix
followed by the quoted code, so the prefix is reversed once.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse


def object_urls(url_name: str) -> Callable[[str], str]:
    """code → the URL of the `url_name` page of that object (the pattern is `<prefix><code>/`)."""
    prefix = reverse(url_name, kwargs={"code": "-"})[:-2]
    return lambda code: f"{prefix}{quote(code, safe='')}/"

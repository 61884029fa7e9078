"""Sign (f) `repeated`: the school was already flagged in one of the previous years.

It adds to a group that shows at least one other sign this year when the school had any flagged group in
any of the `window_years` previous years. It needs the previous years' flags, so the combination is
evaluated year by year in ascending order (`objectivity.combine`).
"""

from __future__ import annotations

CODE = "repeated"


def fires(other_signs: int, org_id: str, year: int, flagged_by_year: dict[int, set[str]], window_years: int) -> bool:
    if other_signs < 1:
        return False
    return any(org_id in flagged_by_year.get(year - back, ()) for back in range(1, window_years + 1))

"""`data.LatestOnly`, the per-process keeper of the current run's snapshot and ratings: built once per key,
even by concurrent requests, and the old value dropped when the key changes."""

from __future__ import annotations

import threading
import time

from msoko.web.dashboards.data import LatestOnly


def test_concurrent_requests_build_the_value_of_a_key_once_and_share_it():
    kept: LatestOnly[dict] = LatestOnly()
    builds = []

    def build():
        builds.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive while it is being built
        return {"run": 1}

    got = []
    threads = [threading.Thread(target=lambda: got.append(kept.get(("run-1",), build))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1
    assert len(got) == 8 and all(value is got[0] for value in got)


def test_a_new_key_rebuilds_and_a_stored_none_is_kept_as_a_value():
    kept: LatestOnly[str | None] = LatestOnly()
    calls = []
    assert kept.get(("a",), lambda: calls.append("a") or None) is None
    assert kept.get(("a",), lambda: calls.append("a again") or "x") is None  # None is a value, not a miss
    assert kept.get(("b",), lambda: calls.append("b") or "b") == "b"
    assert kept.get(("a",), lambda: calls.append("a rebuilt") or "a") == "a"  # the old value was dropped
    assert calls == ["a", "b", "a rebuilt"]

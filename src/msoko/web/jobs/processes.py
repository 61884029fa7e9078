"""Which server process a job belongs to, and whether that process still lives.

A process is named `host:pid:start` — the start time (clock ticks since boot, from /proc) tells a live
process from a later one that reuses the pid.
"""

from __future__ import annotations

import os
import socket


def _start_ticks(pid: int) -> str | None:
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii", errors="replace").read()  # noqa: SIM115
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: fields after the last ")" are fixed
    return stat[stat.rindex(")") + 2:].split()[19]  # field 22: starttime


def current() -> str:
    """This process's name (never cached: a worker forked from a preloaded master has its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_ticks(os.getpid()) or ''}"


def is_alive(name: str) -> bool | None:
    """True or False for a process of this machine; None for another machine's (it is not ours to judge)."""
    host, _, rest = name.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    return _start_ticks(int(pid)) == start

"""Детерминированный «счётчиковый» генератор: одно и то же значение для одного и того же ученика.

Counter-based randomness: a value is a pure function of (seed, keys…), computed vectorised with the
splitmix64 finaliser. It gives each pupil stable traits (ability, when they joined or left the school)
that are the same in every year and every batch, without storing a roster between years.
"""

from __future__ import annotations

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(n) for n in (30, 27, 31, 11))


def _mix(x: np.ndarray) -> np.ndarray:
    x = x + _GAMMA
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def hash64(seed: int, *keys) -> np.ndarray:
    """A uint64 array, a pure function of the seed and the (broadcast) integer keys."""
    h = np.atleast_1d(np.asarray(seed, dtype=np.uint64))
    for key in keys:
        h = _mix(h ^ np.atleast_1d(np.asarray(key).astype(np.uint64)))
    return _mix(h)


def uniform(seed: int, *keys) -> np.ndarray:
    """Uniform in [0, 1)."""
    return (hash64(seed, *keys) >> _S11).astype(np.float64) * (1.0 / 9007199254740992.0)


def normal(seed: int, *keys) -> np.ndarray:
    """Standard normal (Box–Muller over two hashed uniforms)."""
    u1 = 1.0 - uniform(seed, *keys, 0x51)
    u2 = uniform(seed, *keys, 0xA7)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

"""Argument checks shared by the interleaving modules: a bad value raises ValueError naming the
argument, the value and what is allowed (nothing is clipped or silently fixed)."""

from __future__ import annotations

import numpy as np


def generator(name: str, value) -> np.random.Generator:
    """``value`` if it is a ``np.random.Generator`` (every draw comes from the caller's seeded one)."""
    if not isinstance(value, np.random.Generator):
        raise ValueError(f"{name}: got {value!r}; allowed: a np.random.Generator (np.random.default_rng(seed))")
    return value


def positive_int(name: str, value, low: int = 1) -> int:
    """An integer >= ``low`` (bools are not integers here)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}: got {value!r}; allowed: an integer >= {low}")
    return int(value)


def probability(name: str, value, low_open: bool = False, high_open: bool = False) -> float:
    """A number in [0, 1] (``low_open``/``high_open`` exclude an end)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ok:
        value = float(value)
        above = 0.0 < value if low_open else 0.0 <= value
        below = value < 1.0 if high_open else value <= 1.0
        ok = bool(np.isfinite(value) and above and below)
    if not ok:
        allowed = f"a number in {'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise ValueError(f"{name}: got {value!r}; allowed: {allowed}")
    return value


def ranking(name: str, value) -> np.ndarray:
    """A ranking: a non-empty 1-D sequence of distinct non-negative integer document ids, best first."""
    try:
        array = np.asarray(value)
    except Exception:  # ragged nested lists
        array = None
    if (array is None or array.ndim != 1 or array.size == 0 or array.dtype == bool
            or not np.issubdtype(array.dtype, np.integer) or (array < 0).any()):
        raise ValueError(f"{name}: got {value!r}; allowed: a non-empty 1-D sequence of document ids "
                         "(integers >= 0), best first")
    values, counts = np.unique(array, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"{name}: document {int(values[counts > 1][0])} appears {int(counts.max())} times in "
                         f"{value!r}; allowed: each document at most once")
    return array.astype(np.intp)


def choice(name: str, value, allowed) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name}: got {value!r}; allowed: one of {list(allowed)}")
    return value

"""Input checks shared by the Bradley-Terry fit and the winner functions.

Why one file: comparisons ``(pairs, outcomes)`` and preference matrices arrive from people, files
and simulators; each bad value is reported with the argument's name, the value and what is allowed,
and nothing is clipped, dropped or "fixed" (DESIGN.md, rules of the house).
"""

from __future__ import annotations

import numbers

import numpy as np

ALLOWED_OUTCOMES = (0.0, 0.5, 1.0)
TIE_MODELS = ("half", "davidson", "rao-kupper")
MATRIX_ATOL = 1e-9


def check_positive(name: str, value) -> float:
    """A finite float > 0, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r}; allowed: a finite number > 0")
    return float(value)


def check_count(name: str, value, minimum: int) -> int:
    """An int >= minimum, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}={value!r}; allowed: an int >= {minimum}")
    return int(value)


def check_ties(ties) -> str:
    if ties not in TIE_MODELS:
        raise ValueError(f"ties={ties!r}; allowed: one of {', '.join(repr(t) for t in TIE_MODELS)}")
    return ties


def check_comparisons(pairs, outcomes, n_items=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``(i, j, mu, n_items)`` from ``pairs`` (M, 2) ints and ``outcomes`` (M,) in {0, 0.5, 1}.

    ``mu`` is the label of the lecture's cross-entropy: 1 when ``pairs[m, 0]`` won, 0 when
    ``pairs[m, 1]`` won, 0.5 for a tie. ``n_items`` defaults to the largest index + 1."""
    arr = np.asarray(pairs)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 1:
        raise ValueError(f"pairs has shape {arr.shape}; allowed: (M, 2) with M >= 1, one row (i, j) per comparison")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"pairs has dtype {arr.dtype}; allowed: integer item indices")
    arr = arr.astype(np.int64, copy=False)
    negative = np.flatnonzero((arr < 0).any(axis=1))
    if negative.size:
        m = int(negative[0])
        raise ValueError(f"pairs[{m}]={arr[m].tolist()} has a negative item index; allowed: 0 <= index < n_items")
    if n_items is None:
        n_items = int(arr.max()) + 1
    n_items = check_count("n_items", n_items, 2)
    too_big = np.flatnonzero((arr >= n_items).any(axis=1))
    if too_big.size:
        m = int(too_big[0])
        raise ValueError(f"pairs[{m}]={arr[m].tolist()} has an item index >= n_items={n_items}; "
                         f"allowed: 0 <= index < n_items")
    same = np.flatnonzero(arr[:, 0] == arr[:, 1])
    if same.size:
        m = int(same[0])
        raise ValueError(f"pairs[{m}]={arr[m].tolist()} compares an item with itself; allowed: two different items")
    mu = np.asarray(outcomes)
    if mu.dtype == object or not (np.issubdtype(mu.dtype, np.number) or mu.dtype == bool):
        raise ValueError(f"outcomes has dtype {mu.dtype}; allowed: numbers in {{0, 0.5, 1}}")
    mu = mu.astype(np.float64)
    if mu.shape != (arr.shape[0],):
        raise ValueError(f"outcomes has shape {mu.shape}; allowed: ({arr.shape[0]},), one per row of pairs")
    bad = np.flatnonzero(~((mu == 0.0) | (mu == 0.5) | (mu == 1.0)))  # ALLOWED_OUTCOMES, one pass each
    if bad.size:
        m = int(bad[0])
        raise ValueError(f"outcomes[{m}]={float(mu[m])!r}; allowed: 1 (first item won), 0 (second won), 0.5 (tie)")
    return arr[:, 0].copy(), arr[:, 1].copy(), mu, n_items


def check_preference_matrix(preferences, name: str = "preferences") -> np.ndarray:
    """A (K, K) float array with P[i, j] = probability that i beats j, K >= 2.

    Off the diagonal every entry is in [0, 1] and P[i, j] + P[j, i] = 1 (to 1e-9); the diagonal is
    not read (0.5, 0 or NaN are all common there)."""
    P = np.asarray(preferences)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 2:
        raise ValueError(f"{name} has shape {P.shape}; allowed: a square (K, K) matrix with K >= 2")
    if P.dtype == object or not (np.issubdtype(P.dtype, np.number) or P.dtype == bool):
        raise ValueError(f"{name} has dtype {P.dtype}; allowed: probabilities (numbers in [0, 1])")
    P = P.astype(np.float64)
    off = ~np.eye(P.shape[0], dtype=bool)
    outside = off & ~((P >= 0.0) & (P <= 1.0))  # NaN fails both comparisons
    if outside.any():
        i, j = (int(v) for v in np.argwhere(outside)[0])
        raise ValueError(f"{name}[{i}, {j}]={float(P[i, j])!r}; allowed: a probability in [0, 1] off the diagonal")
    gap = np.abs(P + P.T - 1.0)
    bad = off & (gap > MATRIX_ATOL)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"{name}[{i}, {j}] + {name}[{j}, {i}] = {float(P[i, j])!r} + {float(P[j, i])!r} "
                         f"= {float(P[i, j] + P[j, i]):.6g}; "
                         f"allowed: P[i, j] + P[j, i] = 1 for i != j (one of the two wins, a tie counts half)")
    return P

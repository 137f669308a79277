"""Preference matrices: validation, Bradley–Terry matrices and the built-in instances.

A preference matrix ``P`` (K x K) holds ``P[i, j]``, the probability that arm ``i`` wins a duel
against arm ``j``. Valid means: square with K >= 2, every entry in [0, 1], ``P[i, j] + P[j, i] = 1``
off the diagonal and ``P[i, i] = 0.5``.

Why the best arm is the *last* arm in every built-in instance: many implementations break ties
towards the lowest index, and a best arm at index 0 would give them free help.
"""

from __future__ import annotations

import numpy as np

ATOL = 1e-9


def bradley_terry_matrix(scores) -> np.ndarray:
    """``P[i, j] = 1 / (1 + exp(s_j - s_i))`` for a vector of Bradley–Terry scores (length >= 2)."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1 or s.size < 2 or not np.all(np.isfinite(s)):
        raise ValueError(f"scores: got {scores!r}; allowed: a 1-D sequence of >= 2 finite numbers")
    p = 1.0 / (1.0 + np.exp(s[None, :] - s[:, None]))
    np.fill_diagonal(p, 0.5)
    return p


def validate_preferences(preferences, name: str = "preferences") -> np.ndarray:
    """A float64 copy of ``preferences`` after checking it is a preference matrix; ValueError otherwise."""
    try:
        p = np.array(preferences, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: got {preferences!r}; allowed: a square K x K matrix of numbers (K >= 2)") from None
    if p.ndim != 2 or p.shape[0] != p.shape[1] or p.shape[0] < 2:
        raise ValueError(f"{name}: shape {p.shape}; allowed: a square K x K matrix with K >= 2")
    if not np.all(np.isfinite(p)) or p.min() < 0.0 or p.max() > 1.0:
        raise ValueError(f"{name}: entries range over [{np.nanmin(p)}, {np.nanmax(p)}] (or are not finite); "
                         "allowed: every entry in [0, 1]")
    diag = np.diag(p)
    if not np.allclose(diag, 0.5, atol=ATOL, rtol=0.0):
        bad = int(np.argmax(np.abs(diag - 0.5)))
        raise ValueError(f"{name}: P[{bad}, {bad}] = {diag[bad]}; allowed: P[i, i] = 0.5 for every arm")
    gap = np.abs(p + p.T - 1.0)
    np.fill_diagonal(gap, 0.0)
    if gap.max() > ATOL:
        i, j = np.unravel_index(int(np.argmax(gap)), gap.shape)
        raise ValueError(f"{name}: P[{i}, {j}] + P[{j}, {i}] = {p[i, j] + p[j, i]}; "
                         "allowed: P[i, j] + P[j, i] = 1 for every i != j")
    return p


def _bradley_terry_16() -> np.ndarray:
    """16 arms, scores 3 i / 15 (arm 15 best): P[best, second] = 0.550, P[best, worst] = 0.953."""
    return bradley_terry_matrix(np.linspace(0.0, 3.0, 16))


def _from_ranks(p_by_rank: np.ndarray) -> np.ndarray:
    """Arm index = K - 1 - rank, so rank 0 (the best) is the last arm."""
    return np.ascontiguousarray(p_by_rank[::-1, ::-1])


def _condorcet_hard() -> np.ndarray:
    """8 arms: the Condorcet winner beats every arm with probability only 0.55; the other 7 form a
    cyclic tournament (each beats the next 3 with probability 0.9), so no total order exists and
    every non-winner has the same Copeland score (3 of 7)."""
    k = 8
    p = np.full((k, k), 0.5)
    p[0, 1:], p[1:, 0] = 0.55, 0.45
    for a in range(1, k):
        for b in range(1, k):
            if a != b:
                p[a, b] = 0.9 if (b - a) % (k - 1) in (1, 2, 3) else 0.1
    return _from_ranks(p)


def _copeland() -> np.ndarray:
    """8 arms, no Condorcet winner: Bradley–Terry scores -0.3 rank, then rank 1 beats rank 0 (0.6) but
    loses to ranks 3 and 4 (0.4). Copeland scores by rank: 6, 5, 5, 5, 4, ... so rank 0 (the last
    arm) is the unique Copeland winner, beating 6 of 7."""
    p = bradley_terry_matrix(-0.3 * np.arange(8))
    for (a, b, value) in ((1, 0, 0.6), (1, 3, 0.4), (1, 4, 0.4)):
        p[a, b], p[b, a] = value, 1.0 - value
    return _from_ranks(p)


INSTANCES = {"bradley_terry": _bradley_terry_16, "condorcet_hard": _condorcet_hard, "copeland": _copeland}


def builtin_instance(name: str) -> np.ndarray:
    """The preference matrix of a built-in instance (a fresh copy)."""
    if name not in INSTANCES:
        raise ValueError(f"instance: got {name!r}; allowed: one of {sorted(INSTANCES)}")
    return INSTANCES[name]()

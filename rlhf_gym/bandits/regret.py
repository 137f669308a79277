"""Regret of a duel (i, j) for a preference matrix P, and cumulative regret curves.

With ``eps(a, b) = P[a, b] - 1/2``:
- strong regret (Zoghi et al. 2014; Komiyama et al. 2015): ``(eps(c, i) + eps(c, j)) / 2`` against the
  Condorcet winner c (Yue et al. 2012 use the sum without the 1/2);
- weak regret (Yue et al. 2012): ``min(eps(c, i), eps(c, j))``: no regret if either arm is c;
- Copeland regret (Zoghi et al. 2015): ``cpld(a*) - (cpld(i) + cpld(j)) / 2`` with the normalised Copeland
  score ``cpld(a) = #{b != a: P[a, b] > 1/2} / (K - 1)`` and a* a Copeland winner.
Strong and weak regret need a Condorcet winner: without one their tables and curves are NaN (not
guessed). Copeland regret is defined for every matrix; with a Condorcet winner it is zero exactly at (c, c).
"""

from __future__ import annotations

import numpy as np

REGRET_KINDS = ("strong", "weak", "copeland")


def copeland_scores(p: np.ndarray) -> np.ndarray:
    """Number of other arms each arm beats (``P[a, b] > 1/2``), an int vector."""
    beats = np.asarray(p) > 0.5
    np.fill_diagonal(beats, False)
    return beats.sum(axis=1)


def copeland_winners(p: np.ndarray) -> np.ndarray:
    """The arms with the highest Copeland score (ascending indices)."""
    scores = copeland_scores(p)
    return np.flatnonzero(scores == scores.max())


def condorcet_winner(p: np.ndarray) -> int | None:
    """The arm that beats every other arm with probability > 1/2, or None if there is none."""
    scores = copeland_scores(p)
    winners = np.flatnonzero(scores == len(scores) - 1)
    return int(winners[0]) if winners.size else None


def best_arm(p: np.ndarray) -> int:
    """The Condorcet winner if there is one, else the lowest-index Copeland winner."""
    c = condorcet_winner(p)
    return int(copeland_winners(p)[0]) if c is None else c


def regret_table(p: np.ndarray, kind: str) -> np.ndarray:
    """(K, K) table: entry (i, j) is the ``kind`` regret of the duel (i, j); NaN where undefined."""
    p = np.asarray(p, dtype=np.float64)
    k = p.shape[0]
    if kind == "copeland":
        cpld = copeland_scores(p) / (k - 1)
        return cpld.max() - (cpld[:, None] + cpld[None, :]) / 2.0
    if kind not in REGRET_KINDS:
        raise ValueError(f"kind: got {kind!r}; allowed: one of {REGRET_KINDS}")
    c = condorcet_winner(p)
    if c is None:
        return np.full((k, k), np.nan)
    eps = p[c] - 0.5
    if kind == "strong":
        return (eps[:, None] + eps[None, :]) / 2.0
    return np.minimum(eps[:, None], eps[None, :])


def cumulative_regret(p: np.ndarray, first: np.ndarray, second: np.ndarray, kind: str) -> np.ndarray:
    """Cumulative ``kind`` regret along each row of duels ``(first[r, t], second[r, t])``: (n_runs, T)."""
    table = regret_table(p, kind)
    return np.cumsum(table[first, second], axis=-1)

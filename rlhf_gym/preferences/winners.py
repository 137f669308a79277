"""Winners of a preference matrix: Condorcet, Copeland and Borda.

``P[i, j]`` is the probability that item i beats item j (a tie counts half), so P + P^T = 1 off the
diagonal; the diagonal is not read.

- Condorcet winner: the item that beats every other one (P[i, j] > 1/2 for all j != i); there may
  be none (a cycle), and there is never more than one.
- Copeland winners: the items with the most (wins - losses) over the others, a win being
  P[i, j] > 1/2 and a loss P[i, j] < 1/2 (an exact 1/2 counts as neither). Always at least one; a
  Condorcet winner is the only Copeland winner.
- Borda winners: the items with the largest mean P[i, j] over the others (the chance of beating an
  item drawn at random). Borda can disagree with Copeland: it weighs margins, Copeland counts wins.

Why these three: the dueling-bandit literature measures regret against them (strong / weak regret
against a Condorcet winner, Copeland regret), and the same matrix can give three different answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlhf_gym.preferences.checks import check_preference_matrix

SCORE_ATOL = 1e-12
"""Two Borda scores closer than this are a tie (they are means of floats)."""


@dataclass(frozen=True)
class Winners:
    """The three winners of one matrix, with the scores behind them."""

    condorcet: int | None
    copeland: tuple[int, ...]
    borda: tuple[int, ...]
    copeland_scores: np.ndarray
    borda_scores: np.ndarray


def _off_diagonal(P: np.ndarray) -> np.ndarray:
    return ~np.eye(P.shape[0], dtype=bool)


def copeland_scores(preferences) -> np.ndarray:
    """(K,) ints: for each item, the number of others it beats minus the number that beat it."""
    P = check_preference_matrix(preferences)
    off = _off_diagonal(P)
    return ((P > 0.5) & off).sum(axis=1) - ((P < 0.5) & off).sum(axis=1)


def borda_scores(preferences) -> np.ndarray:
    """(K,) floats: for each item, the mean of P[i, j] over the K - 1 others."""
    P = check_preference_matrix(preferences)
    return np.where(_off_diagonal(P), P, 0.0).sum(axis=1) / (P.shape[0] - 1)


def condorcet_winner(preferences) -> int | None:
    """The item that beats every other one, or None when no item does."""
    P = check_preference_matrix(preferences)
    beats_all = (np.where(_off_diagonal(P), P, 1.0) > 0.5).all(axis=1)
    found = np.flatnonzero(beats_all)
    return int(found[0]) if found.size else None


def copeland_winners(preferences) -> tuple[int, ...]:
    """The items with the highest Copeland score (ties kept, in index order)."""
    scores = copeland_scores(preferences)
    return tuple(int(k) for k in np.flatnonzero(scores == scores.max()))


def borda_winners(preferences) -> tuple[int, ...]:
    """The items with the highest Borda score (scores within 1e-12 of the best are tied)."""
    scores = borda_scores(preferences)
    return tuple(int(k) for k in np.flatnonzero(scores >= scores.max() - SCORE_ATOL))


def winners(preferences) -> Winners:
    """All three winners of ``preferences`` (checked once; see the module docstring)."""
    P = check_preference_matrix(preferences)
    return Winners(condorcet=condorcet_winner(P), copeland=copeland_winners(P), borda=borda_winners(P),
                   copeland_scores=copeland_scores(P), borda_scores=borda_scores(P))

"""What every vectorised dueling-bandit algorithm shares: the win counts of n_runs independent runs.

Why arrays: ``wins[r, i, j]`` counts run r's duels that arm i won against arm j, for every run at
once, so a step of all runs is a handful of numpy operations on (n_runs, K, K) arrays instead of a
Python loop over runs. A duel of an arm with itself teaches nothing and is not counted.

An algorithm has ``select(t) -> (first, second)`` (two int arrays of shape (n_runs,), t = 1, 2, ...)
and ``update(first, second, first_won)``. Every random draw uses the generator it was given.
"""

from __future__ import annotations

import numpy as np


def random_argmax(values: np.ndarray, allowed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, a uniformly random index among the allowed entries of maximal value (-1 if none allowed)."""
    masked = np.where(allowed, values, -np.inf)
    top = masked.max(axis=-1, keepdims=True)
    ties = allowed & (masked == top)
    pick = np.argmax(np.where(ties, rng.random(values.shape), -1.0), axis=-1)
    return np.where(allowed.any(axis=-1), pick, -1)


def random_member(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, a uniformly random True index of ``mask`` (-1 for an all-False row)."""
    return random_argmax(np.zeros(mask.shape), mask, rng)


class DuelingAlgorithm:
    """Base class: holds ``wins`` (n_runs, K, K), ``n_runs``, ``n_arms``, ``horizon`` and ``rng``."""

    name = "base"

    def __init__(self, n_arms: int, n_runs: int, horizon: int, rng: np.random.Generator) -> None:
        self.n_arms, self.n_runs, self.horizon, self.rng = n_arms, n_runs, horizon, rng
        self.wins = np.zeros((n_runs, n_arms, n_arms))
        self.rows = np.arange(n_runs)
        self.eye = np.eye(n_arms, dtype=bool)

    def select(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def update(self, first: np.ndarray, second: np.ndarray, first_won: np.ndarray) -> None:
        counted = (first != second).astype(np.float64)
        won = first_won.astype(np.float64)
        self.wins[self.rows, first, second] += counted * won
        self.wins[self.rows, second, first] += counted * (1.0 - won)

    def confidence_bounds(self, alpha: float, t: int) -> tuple[np.ndarray, np.ndarray]:
        """RUCB/CCB bounds ``W/N ± sqrt(alpha ln t / N)`` clipped to [0, 1]; (1, 0) when N = 0; 0.5 on the diagonal."""
        n = self.wins + self.wins.transpose(0, 2, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, self.wins / n, 0.5)
            radius = np.where(n > 0, np.sqrt(alpha * np.log(t) / n), 1.0)
        upper = np.minimum(mean + radius, 1.0)
        lower = np.maximum(mean - radius, 0.0)
        upper[:, self.eye] = 0.5
        lower[:, self.eye] = 0.5
        return upper, lower

"""Comparisons simulated from known scores (and a known tie model) for the preference tests."""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def random_pairs(rng: np.random.Generator, n_items: int, n_pairs: int) -> np.ndarray:
    first = rng.integers(0, n_items, n_pairs)
    return np.column_stack([first, (first + rng.integers(1, n_items, n_pairs)) % n_items])


def simulate(rng: np.random.Generator, scores: np.ndarray, n_pairs: int, ties: str = "none", tie: float = 0.0):
    """(pairs, outcomes): Bradley-Terry without ties, or with Davidson's nu / Rao-Kupper's theta = ``tie``."""
    pairs = random_pairs(rng, scores.size, n_pairs)
    d = scores[pairs[:, 0]] - scores[pairs[:, 1]]
    if ties == "none":
        return pairs, (rng.random(n_pairs) < expit(d)).astype(float)
    if ties == "davidson":
        weights = np.column_stack([np.exp(d / 2), np.full_like(d, tie), np.exp(-d / 2)])
        p_win, p_tie = (weights / weights.sum(axis=1, keepdims=True))[:, :2].T
    else:  # rao-kupper
        eta = np.log(tie)
        p_win, p_lose = expit(d - eta), expit(-d - eta)
        p_tie = 1.0 - p_win - p_lose
    u = rng.random(n_pairs)
    return pairs, np.where(u < p_win, 1.0, np.where(u < p_win + p_tie, 0.5, 0.0))

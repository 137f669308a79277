"""Relative Upper Confidence Bound (RUCB; Zoghi, Whiteson, Munos & de Rijke, ICML 2014), vectorised.

Each step: U = W/N + sqrt(alpha ln t / N) (1 when N = 0, 1/2 on the diagonal); the champions C are
the arms with ``U[c, j] >= 1/2`` for all j; if C is empty, c is uniform over all arms; the
hypothesised best arm B (one arm or none) is kept only while in C; with |C| = 1, c is that arm and
becomes B; with |C| > 1, c is drawn from C with probability 1/2 for B and the rest shared equally
(uniform when B is empty). The challenger d = argmax_j U[j, c] with random ties, and d = c only when
c is the sole maximiser (U[c, c] = 1/2): a Condorcet winner that has beaten everyone then duels
itself at no regret. (duelpy 1.0.0 never lets d = c.) alpha = 0.51 as in the paper.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.bandits.base import DuelingAlgorithm, random_argmax


class RUCB(DuelingAlgorithm):
    name = "rucb"

    def __init__(self, n_arms, n_runs, horizon, rng, alpha: float = 0.51) -> None:
        super().__init__(n_arms, n_runs, horizon, rng)
        self.alpha = alpha
        self.hypothesis = np.full(n_runs, -1)

    def select(self, t):
        upper, _ = self.confidence_bounds(self.alpha, t)
        champions = (upper >= 0.5).all(axis=2)
        size = champions.sum(axis=1)
        b = self.hypothesis
        b_in = (b >= 0) & champions[self.rows, np.maximum(b, 0)]
        b = np.where(b_in, b, -1)
        # Draw c: weight 1/2 on B (if in C), the rest shared equally over C \ B; uniform when C is empty.
        weights = champions.astype(np.float64)
        is_b = np.arange(self.n_arms)[None, :] == b[:, None]
        others = np.maximum(size - b_in, 1)[:, None]
        weights = np.where(b_in[:, None] & (size[:, None] > 1), np.where(is_b, 0.5, 0.5 * weights / others), weights)
        weights = np.where(size[:, None] == 0, 1.0, weights)
        cdf = np.cumsum(weights, axis=1)
        draw = self.rng.random(self.n_runs) * cdf[:, -1]
        c = np.minimum((cdf <= draw[:, None]).sum(axis=1), self.n_arms - 1)
        self.hypothesis = np.where(size == 1, c, b)
        # Challenger: argmax_j U[j, c]; c itself only when it is the sole maximiser.
        column = upper[self.rows, :, c]
        top = column.max(axis=1, keepdims=True)
        ties = column == top
        sole_c = ties.sum(axis=1) == 1
        allowed = ties & ~(np.arange(self.n_arms)[None, :] == c[:, None])
        d = random_argmax(column, allowed, self.rng)
        d = np.where(sole_c, np.argmax(ties, axis=1), d)
        return c, d

"""RMED1 (Komiyama, Honda, Kashima & Nakagawa, COLT 2015), vectorised.

First every pair is dueled once (K(K-1)/2 steps, pairs in lexicographic order). Then arms are
visited in loops: each run keeps the current loop's remaining arms L_R (visited in a random order
fixed per run) and the next loop's arms L_N. For the visited arm l, with ``μ̂`` the empirical
preferences, the opponent set ``O_l = {j != l: μ̂[l, j] <= 1/2}`` and the empirical divergence
``I_i = Σ_{j in O_i} N_ij d(μ̂[i, j], 1/2)`` (d: Bernoulli KL divergence), the opponent is
m = l if O_l is empty (l beats everyone empirically: it duels itself at no cost if it is the
Condorcet winner); m = î* = argmin I if î* is in O_l; else m = argmin_{j != l} μ̂[l, j]. After each
duel, every arm j outside L_R and L_N with ``I_j - I_î* <= log t + f(K)`` joins L_N, with
f(K) = 0.3 K^1.01; when L_R is empty the next loop starts with L_N. Ties are broken at random.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.bandits.base import DuelingAlgorithm, random_argmax


def bernoulli_kl_half(p: np.ndarray) -> np.ndarray:
    """d(p, 1/2) = p log 2p + (1 - p) log 2(1 - p), with 0 log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(2.0 * p), 0.0)
        b = np.where(p < 1, (1.0 - p) * np.log(2.0 * (1.0 - p)), 0.0)
    return a + b


class RMED1(DuelingAlgorithm):
    name = "rmed1"

    def __init__(self, n_arms, n_runs, horizon, rng) -> None:
        super().__init__(n_arms, n_runs, horizon, rng)
        self.pairs = np.array([(i, j) for i in range(n_arms) for j in range(i + 1, n_arms)])
        self.f_k = 0.3 * n_arms**1.01
        self.rank = np.argsort(rng.random((n_runs, n_arms)), axis=1)  # visiting order of each run
        self.remaining = np.ones((n_runs, n_arms), dtype=bool)
        self.next_loop = np.zeros((n_runs, n_arms), dtype=bool)

    def select(self, t):
        if t <= len(self.pairs):
            i, j = self.pairs[t - 1]
            return np.full(self.n_runs, i), np.full(self.n_runs, j)
        n = self.wins + self.wins.transpose(0, 2, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = np.where(n > 0, self.wins / n, 0.5)
        opponents = (mu <= 0.5) & ~self.eye
        divergence = (opponents * n * bernoulli_kl_half(mu)).sum(axis=2)
        best = random_argmax(-divergence, np.ones_like(self.remaining), self.rng)
        # The check after the previous duel: candidates for the next loop.
        close = divergence - divergence[self.rows, best][:, None] <= np.log(t - 1) + self.f_k
        self.next_loop |= close & ~self.remaining
        empty = ~self.remaining.any(axis=1)
        self.remaining[empty] = self.next_loop[empty]
        self.next_loop[empty] = False
        l = np.argmin(np.where(self.remaining, self.rank, self.n_arms), axis=1)
        self.remaining[self.rows, l] = False
        o_l = opponents[self.rows, l]
        row = mu[self.rows, l]
        others = ~(np.arange(self.n_arms)[None, :] == l[:, None])
        weakest = random_argmax(-row, others, self.rng)
        m = np.where(o_l[self.rows, best], best, weakest)
        m = np.where(o_l.any(axis=1), m, l)
        return l, m

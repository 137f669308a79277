"""Copeland Confidence Bound (CCB; Zoghi, Karnin, Whiteson & de Rijke, NeurIPS 2015), vectorised.

Needs no Condorcet winner: it minimises Copeland regret. Per step, with RUCB's bounds U, L (alpha =
0.501) and the optimistic / pessimistic Copeland scores ``Cu[i] = #{k != i: U[i, k] >= 1/2}``,
``Cl[i] = #{k != i: L[i, k] > 1/2}``, each run keeps a set B of Copeland-winner hypotheses, for each
arm i a set B^i of arms i is believed to lose to, and the number L_C of losses a Copeland winner has:
1. reset (B = all arms, B^i = {}, L_C = K) if some j in B^i is now beaten by i with confidence;
2. drop from B every arm i with ``Cu[i] < max Cl``; for those arms, if |B^i| != L_C + 1, set
   ``B^i = {k: U[i, k] < 1/2}``; an empty B resets;
3. every optimistic Copeland winner i with ``Cu[i] = Cl[i]`` joins B with B^i = {} and sets
   L_C = K - 1 - Cu[i]; every other B^j smaller than L_C + 1 is emptied, a larger one keeps a random
   L_C + 1 of its arms;
4. with probability 1/4 duel a uniformly random pair (i, j in B^i) whose interval contains 1/2, if any;
   otherwise c is uniform over the optimistic Copeland winners (over those also in B, with probability
   2/3, when there are any), and d = argmax U[j, c] over the arms j with L[j, c] <= 1/2 — among B^c
   with probability 1/2 when B^c holds such an arm, else among all arms — with random ties and d = c
   only when c is the sole maximiser.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.bandits.base import DuelingAlgorithm, random_argmax, random_member


class CCB(DuelingAlgorithm):
    name = "ccb"

    def __init__(self, n_arms, n_runs, horizon, rng, alpha: float = 0.501) -> None:
        super().__init__(n_arms, n_runs, horizon, rng)
        self.alpha = alpha
        self.hyp = np.ones((n_runs, n_arms), dtype=bool)  # B
        self.loses_to = np.zeros((n_runs, n_arms, n_arms), dtype=bool)  # B^i as rows
        self.max_losses = np.full(n_runs, n_arms)  # L_C
        self.arms = np.arange(n_arms)

    def _reset(self, runs: np.ndarray) -> None:
        self.hyp[runs] = True
        self.loses_to[runs] = False
        self.max_losses[runs] = self.n_arms

    def select(self, t):
        k, rows = self.n_arms, self.rows
        upper, lower = self.confidence_bounds(self.alpha, t)
        off = ~self.eye
        cu = ((upper >= 0.5) & off).sum(axis=2)
        cl = ((lower > 0.5) & off).sum(axis=2)
        # 1. Disproven hypotheses.
        self._reset(np.flatnonzero((self.loses_to & (lower > 0.5)).any(axis=(1, 2))))
        # 2. Non-Copeland winners leave B; refresh B^i of the arms in B whose size is off.
        in_b = self.hyp
        size_off = in_b & (self.loses_to.sum(axis=2) != (self.max_losses + 1)[:, None])
        self.loses_to = np.where(size_off[:, :, None], upper < 0.5, self.loses_to)
        self.hyp = in_b & ~(cu < cl.max(axis=1, keepdims=True))
        self._reset(np.flatnonzero(~self.hyp.any(axis=1)))
        # 3. Confirmed Copeland winners join B.
        winners = cu == cu.max(axis=1, keepdims=True)
        confirmed = winners & (cu == cl)
        runs = np.flatnonzero(confirmed.any(axis=1))
        if runs.size:
            conf = confirmed[runs]
            self.hyp[runs] |= conf
            lc = k - 1 - cu[runs].max(axis=1)
            self.max_losses[runs] = lc
            sets = self.loses_to[runs] & ~conf[:, :, None]
            sizes = sets.sum(axis=2)
            keep = lc[:, None, None] + 1
            sets &= ~(sizes < keep[:, :, 0])[:, :, None]
            order = np.argsort(np.argsort(np.where(sets, self.rng.random(sets.shape), 2.0), axis=2), axis=2)
            sets &= order < keep
            self.loses_to[runs] = sets
        # 4. The duel.
        explore = self.rng.random(self.n_runs) < 0.25
        open_pairs = self.loses_to & (lower <= 0.5) & (upper >= 0.5)
        pair = random_member(open_pairs.reshape(self.n_runs, k * k), self.rng)
        explore &= pair >= 0
        common = winners & self.hyp
        narrow = common.any(axis=1) & (self.rng.random(self.n_runs) < 2.0 / 3.0)
        c = random_member(np.where(narrow[:, None], common, winners), self.rng)
        column_u = upper[rows, :, c]
        eligible = lower[rows, :, c] <= 0.5
        in_bc = eligible & self.loses_to[rows, c]
        use_bc = in_bc.any(axis=1) & (self.rng.random(self.n_runs) < 0.5)
        pool = np.where(use_bc[:, None], in_bc, eligible)
        top = np.where(pool, column_u, -np.inf).max(axis=1, keepdims=True)
        ties = pool & (column_u == top)
        is_c = self.arms[None, :] == c[:, None]
        sole_c = (ties.sum(axis=1) == 1) & ties[rows, c]
        d = random_argmax(column_u, ties & ~is_c, self.rng)
        d = np.where(sole_c, c, d)
        first = np.where(explore, pair // k, c)
        second = np.where(explore, pair % k, d)
        return first, second

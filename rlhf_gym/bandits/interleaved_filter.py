"""Interleaved Filter 2 (IF2; Yue, Broder, Kleinberg & Joachims, JCSS 2012), vectorised.

A candidate b is dueled round-robin against every arm still in the set W (index order). After each
full round, with ``P̂[b, j]`` the candidate's win rate against j since b became the candidate and the
interval ``P̂ ± sqrt(4 log(1/δ) / n)``, δ = 1 / (T K²): arms that b beats with confidence leave W; if
some arm beats b with confidence (the one with the lowest P̂ on ties of evidence), it becomes the
candidate, and — the IF2 pruning step — every arm that b beat empirically (``P̂ > 1/2``) leaves W
first; the new candidate's statistics start at zero. When W is empty, exploitation duels (b, b).
The first candidate is uniform. IF assumes a total order (strong stochastic transitivity).
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.bandits.base import DuelingAlgorithm


class InterleavedFilter(DuelingAlgorithm):
    name = "if2"

    def __init__(self, n_arms, n_runs, horizon, rng) -> None:
        super().__init__(n_arms, n_runs, horizon, rng)
        self.log_inv_delta = np.log(horizon * n_arms**2)
        self.candidate = rng.integers(0, n_arms, size=n_runs)
        self.active = ~(np.arange(n_arms)[None, :] == self.candidate[:, None])
        self.pointer = np.full(n_runs, -1)
        self.cand_wins = np.zeros((n_runs, n_arms))
        self.cand_duels = np.zeros((n_runs, n_arms))
        self.arms = np.arange(n_arms)[None, :]

    def _end_of_round(self, runs: np.ndarray) -> None:
        n = self.cand_duels[runs]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, self.cand_wins[runs] / n, 0.5)
            radius = np.where(n > 0, np.sqrt(4.0 * self.log_inv_delta / n), np.inf)
        active = self.active[runs]
        active &= ~(mean - radius > 0.5)
        beaten = active & (mean + radius < 0.5)
        switch = beaten.any(axis=1)
        new = np.argmin(np.where(beaten, mean, np.inf), axis=1)
        active = np.where(switch[:, None], active & ~(mean > 0.5) & (self.arms != new[:, None]), active)
        self.active[runs] = active
        self.candidate[runs] = np.where(switch, new, self.candidate[runs])
        self.cand_wins[runs] *= ~switch[:, None]
        self.cand_duels[runs] *= ~switch[:, None]

    def select(self, t):
        ahead = self.active & (self.arms > self.pointer[:, None])
        done = ~ahead.any(axis=1) & self.active.any(axis=1)
        if done.any():
            self._end_of_round(np.flatnonzero(done))
            self.pointer[done] = -1
            ahead = self.active & (self.arms > self.pointer[:, None])
        exploring = ahead.any(axis=1)
        nxt = np.argmax(ahead, axis=1)
        self.pointer = np.where(exploring, nxt, self.pointer)
        second = np.where(exploring, nxt, self.candidate)
        return self.candidate.copy(), second

    def update(self, first, second, first_won):
        super().update(first, second, first_won)
        played = first != second
        self.cand_duels[self.rows, second] += played
        self.cand_wins[self.rows, second] += played & first_won

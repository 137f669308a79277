"""The dueling-bandit expert: it always duels the best arm with itself, the only duel with no regret.

The best arm is the Condorcet winner, or the lowest-index Copeland winner when there is none; the
expert knows the preference matrix (it reads ``env.unwrapped``), so it needs no observation.
"""

from __future__ import annotations

import numpy as np


class BestPairExpert:
    """``predict`` returns the action (best, best) for every observation in the batch."""

    def __init__(self, env) -> None:
        base = getattr(env, "unwrapped", env)
        self.best_arm = int(base.best_arm)
        self.observation_space, self.action_space = base.observation_space, base.action_space

    def predict(self, obs, state=None, episode_start=None, deterministic=True):
        batch = np.asarray(obs).reshape(-1).shape[0]
        return np.full((batch, 2), self.best_arm, dtype=np.int64), state

"""A gymnasium wrapper that remembers the observation the agent is acting on.

Why: both LearnedReward (the reward reads the transition's first observation) and DAgger (the
expert is asked about the state the agent is in) need it; keeping it in one base class gives
both the same rule: ``step`` before ``reset`` is an error, never a guess.
"""

from __future__ import annotations

import gymnasium as gym


class LastObservation(gym.Wrapper):
    """``self.last_obs()`` is the observation the next ``step`` acts on."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self._obs = None

    def reset(self, *, seed=None, options=None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._obs = obs
        return obs, info

    def last_obs(self):
        if self._obs is None:
            raise RuntimeError(f"{type(self).__name__}.step called before reset(); call env.reset() first")
        return self._obs

"""Fixed-horizon CartPole: Gymnasium's CartPole-v1 whose episodes always last ``horizon`` steps.

## Description
The stock CartPole-v1 physics and actions. Why a fixed horizon: in the stock env an episode
ends when the pole falls, so an episode's length alone tells a preference learner what is good,
and a learned reward that happens to be negative teaches the agent to fall quickly. Here the
physics go on after a fall and every episode lasts ``horizon`` steps, so only the reward can
tell a good clip from a bad one.

## Rewards
1.0 while the pole and cart are within CartPole's limits, 0.0 otherwise; also in
``info["true_reward"]``.

## Episode End
Truncation after ``horizon`` steps (default 500); never terminated.

## Arguments
``horizon`` (int >= 1), and CartPole's own keyword arguments (e.g. ``render_mode``).

## Version History
- v1: first version (as CartPole-v1, whose physics it keeps); it lived in baselines/rlhf_cartpole.py
  before 2026-12-06.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np


class FixedHorizonCartPole(gym.Wrapper):
    """CartPole that never terminates; reward and info["true_reward"] = 1 while upright and on track."""

    def __init__(self, horizon: int = 500, **kwargs):
        if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
            raise ValueError(f"FixedHorizonCartPole: horizon={horizon!r}; allowed: an integer >= 1")
        super().__init__(gym.make("CartPole-v1", max_episode_steps=None, **kwargs).env)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, self.env.observation_space.shape, np.float32)
        self.horizon, self._t = horizon, 0

    def reset(self, **kwargs):
        self._t = 0
        return self.env.reset(**kwargs)

    def step(self, action):
        obs, _, terminated, _, info = self.env.step(action)
        self.env.unwrapped.steps_beyond_terminated = None  # keep stepping after a fall, without warnings
        self._t += 1
        reward = 0.0 if terminated else 1.0
        return obs, reward, False, self._t >= self.horizon, {**info, "true_reward": reward}

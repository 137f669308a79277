"""LearnedReward: a gymnasium wrapper that replaces the env's reward with reward_fn's.

Why keep two numbers in ``info``: the agent sees only the learned reward, but a
person evaluating it needs the task's return. ``info["env_reward"]`` holds what the
env returned and ``info["true_reward"]`` the hidden task reward (the env's reward
when the env reports no hidden one).
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np

from rlhf_gym.wrappers.last_observation import LastObservation


# Shared with VecLearnedReward: a reward_fn is user code, so a wrong shape or a NaN
# stops training with a message instead of being broadcast or clipped into the agent.
def check_reward_fn(reward_fn, env) -> None:
    if not callable(reward_fn):
        raise TypeError(f"reward_fn={reward_fn!r}; allowed: a callable (obs, actions, next_obs, dones) -> np.ndarray")
    check = getattr(reward_fn, "check_env", None)
    if callable(check):
        check(env)  # a RewardModel refuses an env with other spaces


def check_rewards(rewards, n: int) -> np.ndarray:
    out = np.asarray(rewards, dtype=np.float32)
    if out.shape != (n,):
        raise ValueError(f"reward_fn returned shape {out.shape}; allowed: ({n},), one reward per transition")
    if not math.isfinite(out.sum()) and not np.all(np.isfinite(out)):  # the sum first: one cheap check
        raise ValueError(f"reward_fn returned non-finite rewards {out[~np.isfinite(out)][:3]}; allowed: finite floats")
    return out


class LearnedReward(LastObservation):
    """``reward = reward_fn(obs[None], action[None], next_obs[None], done[None])[0]``."""

    def __init__(self, env: gym.Env, reward_fn):
        super().__init__(env)
        check_reward_fn(reward_fn, env)
        self.reward_fn = reward_fn

    def step(self, action):
        obs = self.last_obs()
        next_obs, env_reward, terminated, truncated, info = self.env.step(action)
        done = bool(terminated or truncated)
        reward = check_rewards(
            self.reward_fn(np.asarray(obs)[None], np.asarray(action)[None], np.asarray(next_obs)[None],
                           np.array([done])), 1)[0]
        info = dict(info)
        info["env_reward"] = float(env_reward)
        info.setdefault("true_reward", float(env_reward))
        self._obs = next_obs
        return next_obs, float(reward), terminated, truncated, info

"""VecLearnedReward: an SB3 VecEnvWrapper that replaces rewards with reward_fn's.

Why a VecEnv wrapper: the reward model runs once per batch of n_envs transitions,
not once per env, which keeps its cost small against the agent's own. After an
auto-reset SB3 returns the new episode's first observation; the transition's real
next observation is ``infos[i]["terminal_observation"]``, and that is what the
reward model sees. Listeners (the online RLHF loop) get every batched transition.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from rlhf_gym.wrappers.learned_reward import check_reward_fn, check_rewards


class VecLearnedReward(VecEnvWrapper):
    """Rewards from ``reward_fn(obs, actions, next_obs, dones)``; ``info["env_reward"]``
    and ``info["true_reward"]`` keep the env's own and the task's reward."""

    def __init__(self, venv: VecEnv, reward_fn):
        super().__init__(venv)
        check_reward_fn(reward_fn, venv)
        self.reward_fn = reward_fn
        self.listeners: list = []
        self._obs = None
        self._actions = None

    def add_listener(self, fn) -> None:
        """``fn(obs, actions, next_obs, true_rewards, learned_rewards, dones, terminated)`` after
        every step; ``terminated`` is ``dones`` without the time-limit endings."""
        if not callable(fn):
            raise TypeError(f"add_listener: fn={fn!r}; allowed: a callable")
        self.listeners.append(fn)

    def remove_listener(self, fn) -> None:
        self.listeners = [f for f in self.listeners if f != fn]  # ==: a bound method is a new object per access

    def reset(self):
        self._obs = self.venv.reset()
        return self._obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions)
        self.venv.step_async(actions)

    def step_wait(self):
        if self._obs is None:
            raise RuntimeError("VecLearnedReward.step_wait called before reset()")
        obs, env_rewards, dones, infos = self.venv.step_wait()
        next_obs = obs
        if dones.any():
            next_obs = np.array(obs, copy=True)
            for i in np.flatnonzero(dones):
                if infos[i].get("terminal_observation") is not None:
                    next_obs[i] = infos[i]["terminal_observation"]
        rewards = check_rewards(self.reward_fn(self._obs, self._actions, next_obs, dones), self.num_envs)
        for info, env_reward in zip(infos, env_rewards.tolist()):
            info["env_reward"] = env_reward
            info.setdefault("true_reward", env_reward)  # what a teacher judges by (data.segments.reward_for_teacher)
        if self.listeners:
            true = np.array([info["true_reward"] for info in infos], dtype=np.float64)
            terminated = np.array([bool(d) and not info.get("TimeLimit.truncated", False)
                                   for d, info in zip(dones, infos)])
            for fn in self.listeners:
                fn(self._obs, self._actions, next_obs, true, rewards.copy(), dones, terminated)
        self._obs = obs
        return obs, rewards, dones, infos

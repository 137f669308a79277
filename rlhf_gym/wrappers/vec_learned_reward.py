"""VecLearnedReward: an SB3 VecEnvWrapper that replaces rewards with reward_fn's.

Why a VecEnv wrapper: the reward model runs once per batch of n_envs transitions,
not once per env, which keeps its cost small against the agent's own. After an
auto-reset SB3 returns the new episode's first observation; the transition's real
next observation is ``infos[i]["terminal_observation"]``, and that is what the
reward model sees. Listeners (the online RLHF loop) get every batched transition.

``at_rollout_end=True`` is the fast path for on-policy agents (PPO, A2C): the steps are kept and
their rewards computed in one call of n_steps x n_envs transitions when the rollout ends
(``RolloutEndRewards`` writes them into the agent's rollout buffer and recomputes its advantages),
instead of one small call per step whose fixed cost is most of the reward's time.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from rlhf_gym.wrappers.learned_reward import check_reward_fn, check_rewards


class VecLearnedReward(VecEnvWrapper):
    """Rewards from ``reward_fn(obs, actions, next_obs, dones)``; ``info["env_reward"]``
    and ``info["true_reward"]`` keep the env's own and the task's reward.

    ``at_rollout_end``: every step returns reward 0 and is kept; ``rollout_rewards()`` gives the
    kept steps' rewards in one call (an on-policy agent needs ``RolloutEndRewards`` as a callback)."""

    def __init__(self, venv: VecEnv, reward_fn, at_rollout_end: bool = False):
        super().__init__(venv)
        check_reward_fn(reward_fn, venv)
        if not isinstance(at_rollout_end, bool):
            raise TypeError(f"at_rollout_end={at_rollout_end!r}; allowed: True or False")
        self.reward_fn = reward_fn
        self.at_rollout_end = at_rollout_end
        self.listeners: list = []
        self._kept: list = []
        self._obs = None
        self._actions = None

    def rollout_rewards(self) -> np.ndarray:
        """The learned rewards of the steps kept since the last call (``at_rollout_end``), (T, n_envs),
        from one ``reward_fn`` call; the steps are then forgotten."""
        t, n = len(self._kept), self.num_envs
        if t == 0:
            return np.zeros((0, n), dtype=np.float32)
        obs, actions, next_obs, dones = (np.stack(x) for x in zip(*self._kept))
        self._kept = []
        flat = [a.reshape((t * n,) + a.shape[2:]) for a in (obs, actions, next_obs, dones)]
        return check_rewards(self.reward_fn(*flat), t * n).reshape(t, n)

    def forget_kept(self) -> None:
        """Drop the kept steps (a rollout that starts afresh)."""
        self._kept = []

    def add_listener(self, fn) -> None:
        """``fn(obs, actions, next_obs, true_rewards, learned_rewards, dones, terminated)`` after
        every step; ``terminated`` is ``dones`` without the time-limit endings; ``learned_rewards``
        is None when they come at the rollout end."""
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
        if self.at_rollout_end:
            rewards = np.zeros(self.num_envs, dtype=np.float32)  # a new array: SB3 adds its timeout bootstrap in place
            self._kept.append((self._obs, self._actions, next_obs, dones))
        else:
            rewards = check_rewards(self.reward_fn(self._obs, self._actions, next_obs, dones), self.num_envs)
        for info, env_reward in zip(infos, env_rewards.tolist()):
            info["env_reward"] = env_reward
            info.setdefault("true_reward", env_reward)  # what a teacher judges by (data.segments.reward_for_teacher)
        if self.listeners:
            true = np.array([info["true_reward"] for info in infos], dtype=np.float64)
            terminated = np.array([bool(d) and not info.get("TimeLimit.truncated", False)
                                   for d, info in zip(dones, infos)])
            for fn in self.listeners:
                fn(self._obs, self._actions, next_obs, true, None if self.at_rollout_end else rewards.copy(), dones,
                   terminated)
        self._obs = obs
        return obs, rewards, dones, infos

"""Honest evaluation: seeded episodes, the hidden true return, and success as the env reports it.

Why: every command, baseline and test compares policies by the same numbers. The return sums
``info["true_reward"]`` (the task reward, also under a wrapper that replaced the env's reward;
the env reward where an env has no hidden one), and success is ``info["is_success"]`` at an
episode's last step -- the Gymnasium / SB3 convention -- so no env is special-cased here.
"""

from __future__ import annotations

from typing import Any, Callable

import gymnasium as gym
import numpy as np

Actor = Callable[[Any], Any]


def run_episodes(env: gym.Env, act: Actor, n_episodes: int, seed: int) -> dict[str, Any]:
    """Roll out ``act(obs) -> action`` for ``n_episodes`` episodes seeded ``seed, seed + 1, ...``.

    Returns ``true_return_mean``, ``true_return_std``, ``episodes`` and, when the env reports
    ``info["is_success"]`` at the last step of every episode, ``success_rate``.
    """
    if isinstance(n_episodes, bool) or not isinstance(n_episodes, (int, np.integer)) or n_episodes < 1:
        raise ValueError(f"n_episodes: {n_episodes!r}; allowed: an integer >= 1")
    returns, successes = [], []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        total, done, info = 0.0, False, {}
        while not done:
            obs, reward, terminated, truncated, info = env.step(act(obs))
            total += float(info.get("true_reward", reward))
            done = terminated or truncated
        returns.append(total)
        if "is_success" in info:
            successes.append(bool(info["is_success"]))
    summary: dict[str, Any] = {
        "true_return_mean": float(np.mean(returns)),
        "true_return_std": float(np.std(returns)),
        "episodes": n_episodes,
    }
    if successes:
        summary["success_rate"] = float(np.mean(successes))
    return summary


def policy_actor(policy, deterministic: bool = True) -> Actor:
    """Turn anything with SB3's ``predict`` (a model, an expert) into ``act(obs) -> action``."""

    def act(obs):
        action, _ = policy.predict(obs, deterministic=deterministic)
        return action

    return act


def random_actor(env: gym.Env, seed: int) -> Actor:
    """Uniform random actions from the env's action space, seeded with ``seed``."""
    space = env.action_space
    space.seed(seed)
    return lambda obs: space.sample()


def evaluate_true_return(policy, env_id: str, env_kwargs: dict | None = None, n_episodes: int = 20,
                         seed: int = 10_000, deterministic: bool = True) -> dict[str, Any]:
    """Evaluate a policy (SB3 model or expert) on fresh seeded episodes of ``env_id``.

    ``deterministic=False``: an SB3 policy samples its actions (seed torch to repeat them).
    """
    env = gym.make(env_id, **(env_kwargs or {}))
    try:
        return run_episodes(env, policy_actor(policy, deterministic), n_episodes, seed)
    finally:
        env.close()


__all__ = ["evaluate_true_return", "policy_actor", "random_actor", "run_episodes"]

"""A few demonstrations first: the env's scripted expert shows the task before any label is asked.

Why (Ibarz et al. 2018): a preference learner starts from a random policy whose clips a teacher
can only rank among failures; a handful of expert episodes give the agent a start (behavioural
cloning into its policy) and the reward model a reference ("a demonstration beats the agent's
clip", pairs that cost the teacher nothing). ``cfg.demos`` sets how many episodes, BC epochs and
free pairs per reward fit; every draw comes from the run's seed.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.data.segments import Segment
from rlhf_gym.rlhf.config import RLHFConfig


def record_demonstrations(cfg: RLHFConfig) -> list[Segment]:
    """``cfg.demos.episodes`` episodes of the expert on the training env, cut into ``cfg.schedule.segment_length``
    clips; a ValueError names the env when it has no scripted expert."""
    import gymnasium as gym

    from rlhf_gym.data.rollouts import collect_segments
    from rlhf_gym.envs.horizon import episode_horizon

    env = gym.make(cfg.env_id, **cfg.training_env_kwargs)
    try:
        expert = demo_expert(cfg, env)
        rng = np.random.default_rng([cfg.seed, 3])
        horizon = episode_horizon(env) or 1000
        per_episode = max(1, -(-int(horizon) // cfg.schedule.segment_length))
        clips: list[Segment] = []
        for _ in range(cfg.demos.episodes):  # one episode at a time: clips per episode vary with its length
            clips += collect_segments(env, per_episode, cfg.schedule.segment_length, rng, policy=expert,
                                      max_steps=10 * int(horizon))
        return clips
    finally:
        env.close()


def demo_expert(cfg: RLHFConfig, env):
    """The env's scripted expert, or one ValueError saying ``demos.episodes`` must be 0 for this env."""
    from rlhf_gym.experts import expert_for

    try:
        return expert_for(env)
    except ValueError:
        raise ValueError(f"demos.episodes: {cfg.demos.episodes}, but {cfg.env_id} has no scripted expert; "
                         "allowed: 0 for this env") from None


def clone_into(agent, clips: list[Segment], epochs: int, seed: int) -> dict:
    """Behavioural cloning of the clips' valid steps into ``agent``'s policy; BC's statistics."""
    from rlhf_gym.algorithms.bc import train_bc

    obs = np.concatenate([c.obs[c.valid > 0] for c in clips])
    actions = np.concatenate([c.actions[c.valid > 0] for c in clips])
    stats = train_bc(agent, obs, actions, n_epochs=epochs, rng=np.random.default_rng([seed, 4]))
    return {"bc_loss": stats.loss, "bc_samples": stats.n_samples, "bc_mse": stats.mse}


def demo_pairs(demos: list[Segment], pool: list[Segment], n: int, rng: np.random.Generator):
    """``n`` (demonstration, agent clip) pairs with label 1.0: the demonstration is better."""
    if not demos or not pool or n <= 0:
        return [], []
    left = rng.integers(len(demos), size=n)
    right = rng.integers(len(pool), size=n)
    return [(demos[i], pool[j]) for i, j in zip(left, right)], [1.0] * n

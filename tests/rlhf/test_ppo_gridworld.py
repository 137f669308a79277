"""Stable-Baselines3 PPO trained on GridWorld's true reward reaches 95% of value iteration's optimum."""

import gymnasium as gym
import numpy as np
import pytest
import torch

import rlhf_gym  # noqa: F401
from rlhf_gym.evaluation import policy_actor, random_actor, run_episodes
from rlhf_gym.experts import expert_for
from rlhf_gym.presets import agent_for


@pytest.mark.slow
def test_ppo_reaches_95_percent_of_the_optimal_return():
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    torch.set_num_threads(1)
    env_id = "rlhf_gym/GridWorld-v0"
    env = gym.make(env_id)
    optimal = run_episodes(env, policy_actor(expert_for(env)), n_episodes=10, seed=100)["true_return_mean"]
    agent = agent_for(env_id)  # the preset's PPO settings
    model = PPO("MlpPolicy", make_vec_env(env_id, n_envs=agent.n_envs, seed=0), seed=0, device="cpu", **agent.kwargs)
    model.learn(total_timesteps=agent.steps)
    learned = run_episodes(env, policy_actor(model), n_episodes=10, seed=100)["true_return_mean"]
    random = run_episodes(env, random_actor(env, 0), n_episodes=10, seed=100)["true_return_mean"]
    assert optimal > 0.5 and random < 0.5 * optimal
    assert learned >= 0.95 * optimal, (learned, optimal)
    assert np.isfinite(learned)

"""Evaluation: success is the env's own info["is_success"] at the last step; the return is the true one."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.evaluation import evaluate_true_return, policy_actor, random_actor, run_episodes
from rlhf_gym.experts import expert_for


class Countdown(gym.Env):
    """Three steps; true reward 1 per step (env reward 10); success reported as the episode's seed is even."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, report_success=True):
        self.report_success = report_success

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.even = 0, seed % 2 == 0
        return np.zeros(1, np.float32), {}

    def step(self, action):
        self.t += 1
        done = self.t == 3
        info = {"true_reward": 1.0}
        if self.report_success:
            info["is_success"] = done and self.even  # only the last step counts
        return np.zeros(1, np.float32), 10.0, done, False, info


class NoTrueReward(Countdown):
    def step(self, action):
        obs, reward, term, trunc, _ = super().step(action)
        return obs, reward, term, trunc, {}


def test_success_comes_from_is_success_at_the_last_step_and_the_return_from_true_reward():
    summary = run_episodes(Countdown(), lambda obs: 0, n_episodes=4, seed=10)  # seeds 10, 11, 12, 13
    assert summary == {"true_return_mean": 3.0, "true_return_std": 0.0, "episodes": 4, "success_rate": 0.5}


def test_no_success_rate_without_is_success_and_the_env_reward_without_true_reward():
    assert "success_rate" not in run_episodes(Countdown(report_success=False), lambda obs: 0, 2, 0)
    assert run_episodes(NoTrueReward(report_success=False), lambda obs: 0, 2, 0)["true_return_mean"] == 30.0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_episodes_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="n_episodes"):
        run_episodes(Countdown(), lambda obs: 0, bad, 0)


def test_backflip_success_is_a_flip_and_an_upright_landing():
    """is_success equals the old rule (flips >= 1 and landed_upright at the last step) on every step."""
    env = gym.make("rlhf_gym/Backflip-v0")
    act, rng, outcomes = policy_actor(expert_for(env)), np.random.default_rng(0), []
    for episode in range(4):
        obs, _ = env.reset(seed=episode)
        done = False
        while not done:
            action = act(obs) if episode % 2 == 0 else rng.uniform(-1, 1, 2).astype(np.float32)
            obs, _, terminated, truncated, info = env.step(action)
            assert info["is_success"] == bool(info["flips"] >= 1 and info["landed_upright"])
            done = terminated or truncated
        outcomes.append(info["is_success"])
    assert outcomes == [True, False, True, False]  # the expert lands its flips; random actions do not
    assert evaluate_true_return(expert_for(env), "rlhf_gym/Backflip-v0", {}, 3)["success_rate"] == 1.0


def test_random_actor_is_seeded():
    env = gym.make("rlhf_gym/GridWorld-v0")
    first = [random_actor(env, 3)(None) for _ in range(1)] + [random_actor(env, 3)(None)]
    assert first[0] == first[1]
    assert run_episodes(env, random_actor(env, 0), 5, 3) == run_episodes(env, random_actor(env, 0), 5, 3)

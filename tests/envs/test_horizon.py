import gymnasium as gym

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.envs.horizon import episode_horizon


def test_horizon_kept_on_a_wrapper_is_found():
    env = gym.make("rlhf_gym/FixedHorizonCartPole-v1", horizon=37)
    assert getattr(env.unwrapped, "horizon", None) is None  # the base CartPoleEnv does not know it
    assert episode_horizon(env) == 37


def test_time_limit_and_base_env_horizon():
    assert episode_horizon(gym.make("CartPole-v1")) == 500
    assert episode_horizon(gym.make("CartPole-v1", max_episode_steps=123)) == 123
    grid = gym.make("rlhf_gym/GridWorld-v0")
    assert episode_horizon(grid) == grid.unwrapped.horizon


def test_no_horizon_anywhere_is_none():
    env = gym.make("CartPole-v1", max_episode_steps=None).env  # no TimeLimit, no horizon
    assert episode_horizon(env) is None

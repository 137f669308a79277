"""The learned-reward wrappers replace rewards correctly, also across auto-resets."""

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.vec_env import DummyVecEnv

import rlhf_gym  # noqa: F401
from rlhf_gym.wrappers import LearnedReward, VecLearnedReward


class CounterEnv(gym.Env):
    """obs = [step count]; ends after ``horizon`` steps; reward 1, true reward 2."""

    def __init__(self, horizon=3):
        self.observation_space = gym.spaces.Box(0, 100, (1,), np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.horizon, self.t = horizon, 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([0.0], np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([self.t], np.float32), 1.0, False, self.t >= self.horizon, {"true_reward": 2.0}


def by_next_obs(obs, actions, next_obs, dones):
    return 10.0 * np.asarray(next_obs, dtype=np.float32).reshape(len(next_obs), -1)[:, 0] + np.asarray(actions)


def test_gym_wrapper_replaces_reward_and_keeps_env_and_true_reward():
    env = LearnedReward(gym.make("rlhf_gym/GridWorld-v0"), lambda o, a, n, d: 100.0 + np.asarray(n, dtype=np.float32))
    obs, _ = env.reset(seed=0)
    done = False
    while not done:
        nxt, r, term, trunc, info = env.step(env.action_space.sample())
        assert r == 100.0 + nxt and isinstance(r, float)
        assert info["env_reward"] == info["true_reward"]
        done = term or trunc
    cart = LearnedReward(gym.make("CartPole-v1"), lambda o, a, n, d: np.zeros(len(o)))
    cart.reset(seed=0)
    _, r, *_, info = cart.step(0)
    assert r == 0.0 and info["env_reward"] == 1.0 and info["true_reward"] == 1.0


def test_vec_wrapper_uses_terminal_observation_across_auto_resets():
    venv = VecLearnedReward(DummyVecEnv([lambda: CounterEnv(3), lambda: CounterEnv(2)]), by_next_obs)
    seen = []
    venv.add_listener(lambda *args: seen.append(args))
    venv.reset()
    for t in range(6):
        actions = np.array([t % 2, 1])
        obs, rewards, dones, infos = venv.step(actions)
        expected_next = np.array([t % 3 + 1, t % 2 + 1], dtype=np.float32)
        assert np.allclose(rewards, 10 * expected_next + actions)
        assert dones.tolist() == [t % 3 == 2, t % 2 == 1]
        for i in range(2):
            if dones[i]:
                assert obs[i, 0] == 0.0  # auto-reset observation, but the reward used the terminal one
            assert infos[i]["env_reward"] == 1.0 and infos[i]["true_reward"] == 2.0
        assert np.allclose(seen[-1][2][:, 0], expected_next) and np.allclose(seen[-1][3], [2.0, 2.0])
        assert not seen[-1][6].any()  # time-limit endings are not terminations


def test_vec_wrapper_refuses_bad_reward_fns():
    venv = DummyVecEnv([lambda: CounterEnv(3)] * 2)
    with pytest.raises(ValueError, match=r"shape \(1,\)"):
        w = VecLearnedReward(venv, lambda o, a, n, d: np.zeros(1))
        w.reset()
        w.step(np.array([0, 0]))
    with pytest.raises(ValueError, match="non-finite"):
        w = VecLearnedReward(venv, lambda o, a, n, d: np.full(2, np.nan))
        w.reset()
        w.step(np.array([0, 0]))
    with pytest.raises(TypeError, match="reward_fn"):
        VecLearnedReward(venv, "not callable")
    from rlhf_gym.rewards import RewardModel

    with pytest.raises(ValueError, match="observation_space"):
        VecLearnedReward(venv, RewardModel.for_env(gym.make("Pendulum-v1")))

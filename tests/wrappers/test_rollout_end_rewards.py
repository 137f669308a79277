"""Rewards computed once per rollout give PPO the very buffer per-step rewards give it (the timeout
bootstrap included), and the fast path refuses what it cannot serve."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import A2C, PPO, SAC
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env

from rlhf_gym.rewards import RewardModel
from rlhf_gym.wrappers import RolloutEndRewards, VecLearnedReward


class KeepBuffer(BaseCallback):
    """Copies the rollout buffer's rewards, returns and advantages at every rollout end."""

    def __init__(self):
        super().__init__()
        self.rollouts = []

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        b = self.model.rollout_buffer
        self.rollouts.append((b.rewards.copy(), b.returns.copy(), b.advantages.copy()))


def buffers(algo, at_rollout_end: bool, env_id="Pendulum-v1", rollouts=3):
    torch.manual_seed(0)
    venv = make_vec_env(env_id, n_envs=2, seed=3, env_kwargs={"max_episode_steps": 50})  # truncations inside a rollout
    rm = RewardModel.for_env(venv, kind="mlp", inputs=("obs", "action", "next_obs"), ensemble_size=3, seed=1)
    model = algo("MlpPolicy", VecLearnedReward(venv, rm, at_rollout_end=at_rollout_end), n_steps=64, seed=0,
                 device="cpu")
    keep = KeepBuffer()
    model.learn(64 * 2 * rollouts, callback=[RolloutEndRewards(), keep] if at_rollout_end else keep)
    return keep.rollouts


@pytest.mark.parametrize("algo", [PPO, A2C])
def test_rewards_at_the_rollout_end_fill_the_buffer_per_step_rewards_fill(algo):
    per_step, at_end = buffers(algo, False), buffers(algo, True)
    assert len(per_step) == len(at_end) == 3  # later rollouts too: the policies stayed identical
    for (r1, ret1, adv1), (r2, ret2, adv2) in zip(per_step, at_end):
        assert np.abs(r1).max() > 0.01  # the learned rewards are there, not zeros
        np.testing.assert_allclose(r2, r1, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ret2, ret1, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(adv2, adv1, rtol=1e-4, atol=1e-4)


def test_an_off_policy_agent_and_a_per_step_wrapper_are_refused_in_one_line():
    venv = make_vec_env("Pendulum-v1", n_envs=1, seed=0)
    rm = RewardModel.for_env(venv, kind="mlp", inputs=("obs", "action"), ensemble_size=1, seed=0)
    sac = SAC("MlpPolicy", VecLearnedReward(venv, rm, at_rollout_end=True), learning_starts=10, device="cpu")
    with pytest.raises(ValueError, match=r"with SAC; allowed: an on-policy agent \(PPO, A2C\)"):
        sac.learn(20, callback=RolloutEndRewards())
    ppo = PPO("MlpPolicy", VecLearnedReward(make_vec_env("Pendulum-v1", n_envs=1, seed=0), rm), n_steps=16, batch_size=16,
              device="cpu")
    with pytest.raises(ValueError, match=r"has no VecLearnedReward\(at_rollout_end=True\)"):
        ppo.learn(16, callback=RolloutEndRewards())


def test_the_kept_steps_are_judged_in_one_call_and_then_forgotten():
    calls = []

    def by_next_obs(obs, actions, next_obs, dones):
        calls.append(len(obs))
        return next_obs[:, 0].astype(np.float32)

    venv = VecLearnedReward(make_vec_env("CartPole-v1", n_envs=2, seed=0), by_next_obs, at_rollout_end=True)
    venv.reset()
    seen = []
    for _ in range(5):
        obs, rewards, dones, infos = venv.step(np.array([0, 1]))
        assert not rewards.any()  # zeros until the rollout end
        seen.append(np.where(dones, [i.get("terminal_observation", o)[0] for i, o in zip(infos, obs)], obs[:, 0]))
    np.testing.assert_allclose(venv.rollout_rewards(), np.array(seen))
    assert calls == [10] and venv.rollout_rewards().shape == (0, 2)
    with pytest.raises(TypeError, match="at_rollout_end='yes'; allowed: True or False"):
        VecLearnedReward(make_vec_env("CartPole-v1", n_envs=1), by_next_obs, at_rollout_end="yes")

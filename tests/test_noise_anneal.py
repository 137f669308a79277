"""NoiseAnneal leaves training alone before its start, then caps the log std down a line to its target."""

import numpy as np
import pytest
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env

from rlhf_gym.algorithms.noise_anneal import NoiseAnneal


class _RecordLogStd(BaseCallback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def _on_rollout_start(self):
        self.seen.append(self.model.policy.log_std.detach().numpy().copy())

    def _on_step(self):
        return True


def _train(callbacks):
    venv = make_vec_env("Pendulum-v1", n_envs=2, seed=3)
    model = PPO("MlpPolicy", venv, seed=3, device="cpu", n_steps=64, batch_size=64, n_epochs=2)
    model.learn(1280, callback=callbacks)  # 10 rollouts of 128 steps
    return model


def test_anneal_is_a_no_op_before_start_and_follows_the_line_after():
    plain, annealed = _RecordLogStd(), _RecordLogStd()
    _train([plain])
    model = _train([NoiseAnneal(-2.0, start=0.5), annealed])
    assert len(plain.seen) == len(annealed.seen) == 10
    for k in range(5):  # progress 0.0 ... 0.4: the same training, bit for bit
        assert np.array_equal(plain.seen[k], annealed.seen[k])
    start = annealed.seen[4]  # the cap starts from the log std PPO reached by progress 0.5 (one update later)
    for k in range(6, 10):
        share = (k / 10 - 0.5) / 0.5
        assert np.all(annealed.seen[k] <= start + (-2.0 - start) * share + 0.05)
    assert np.all(model.policy.log_std.detach().numpy() < -1.4)
    assert np.all(plain.seen[-1] > -0.5)  # without the cap PPO keeps its noise in so few steps


def test_bad_settings_and_policies_without_log_std_are_named():
    for bad in (float("nan"), 5.0, "low", True):
        with pytest.raises(ValueError, match="final_log_std"):
            NoiseAnneal(bad)
    for bad in (1.0, -0.1, None):
        with pytest.raises(ValueError, match="start"):
            NoiseAnneal(-2.0, start=bad)
    sac = SAC("MlpPolicy", "Pendulum-v1", seed=0, device="cpu", learning_starts=10)
    with pytest.raises(ValueError, match="no state-independent log_std; allowed: PPO or A2C"):
        sac.learn(20, callback=NoiseAnneal(-2.0))

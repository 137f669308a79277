"""Behavioural cloning trains ordinary SB3 models to reproduce an expert's actions."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlhf_gym.algorithms.bc import train_bc
from rlhf_gym.data.trajectories import collect_demonstrations, flatten_demonstrations


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)
    torch.manual_seed(0)


def pendulum_expert(obs):
    """A linear controller, clipped to Pendulum's torque range by construction."""
    obs = np.asarray(obs, dtype=np.float64)
    return np.clip(-1.5 * obs[..., 1:2] - 0.3 * obs[..., 2:3], -2.0, 2.0)


@pytest.mark.parametrize("algo", ["PPO", "DQN"])
def test_bc_reaches_expert_accuracy_on_training_states(algo):
    import stable_baselines3 as sb3

    env = gym.make("FrozenLake-v1", is_slippery=False)
    table = np.random.default_rng(0).integers(0, 4, size=16)  # an arbitrary expert: one action per state
    obs = np.arange(16)
    model = getattr(sb3, algo)("MlpPolicy", env, seed=0, device="cpu")
    before = float(np.mean(model.predict(obs, deterministic=True)[0] == table))
    stats = train_bc(model, obs, table, n_epochs=150, batch_size=16, learning_rate=3e-3, rng=np.random.default_rng(0))
    assert before < 0.6
    assert stats.accuracy == 1.0
    assert stats.n_samples == 16


@pytest.mark.parametrize("algo", ["PPO", "SAC", "TD3"])
def test_bc_continuous_matches_a_linear_controller(algo, tmp_path):
    import stable_baselines3 as sb3

    env = gym.make("Pendulum-v1")
    rng = np.random.default_rng(0)
    theta = rng.uniform(-np.pi, np.pi, 600)
    obs = np.stack([np.cos(theta), np.sin(theta), rng.uniform(-3, 3, 600)], axis=1).astype(np.float32)
    acts = pendulum_expert(obs).astype(np.float32)
    kwargs = {"learning_starts": 10**6} if algo != "PPO" else {}
    model = getattr(sb3, algo)("MlpPolicy", env, seed=0, device="cpu", **kwargs)
    base_mse = float(np.mean((model.predict(obs, deterministic=True)[0] - acts) ** 2))
    stats = train_bc(model, obs, acts, n_epochs=40, batch_size=64, learning_rate=3e-3, rng=rng)
    assert stats.mse < 0.1 * base_mse and stats.mse < 0.05, (base_mse, stats)
    # The result is an ordinary SB3 model: save, load and predict the same.
    model.save(tmp_path / "m.zip")
    again = getattr(sb3, algo).load(tmp_path / "m.zip", device="cpu")
    np.testing.assert_allclose(again.predict(obs[:5], deterministic=True)[0], model.predict(obs[:5], deterministic=True)[0])


def test_bc_then_finetune_with_learn():
    from stable_baselines3 import PPO

    env = gym.make("CartPole-v1", max_episode_steps=100)
    expert = lambda o: int(o[2] + 0.5 * o[3] > 0)
    demos = collect_demonstrations(env, expert, 5, np.random.default_rng(0))
    obs, acts = flatten_demonstrations(demos)
    model = PPO("MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=1, seed=0, device="cpu")
    stats = train_bc(model, obs, acts, n_epochs=60, learning_rate=3e-3, rng=np.random.default_rng(1))
    assert stats.accuracy > 0.9
    from stable_baselines3.common.evaluation import evaluate_policy

    from stable_baselines3.common.monitor import Monitor

    mean, _ = evaluate_policy(model, Monitor(env), n_eval_episodes=3)
    assert mean > 90  # expert balances for the full 100 steps
    model.learn(64)  # fine-tuning still works on the cloned policy


def test_bc_bad_input():
    from stable_baselines3 import PPO

    model = PPO("MlpPolicy", gym.make("FrozenLake-v1"), device="cpu")
    with pytest.raises(ValueError, match="empty"):
        train_bc(model, np.zeros((0,), dtype=np.int64), np.zeros((0,), dtype=np.int64))
    with pytest.raises(ValueError, match="action_space"):
        train_bc(model, np.arange(3), np.array([0, 1, 9]))
    with pytest.raises(ValueError, match="pair up"):
        train_bc(model, np.arange(3), np.array([0, 1]))
    pend = PPO("MlpPolicy", gym.make("Pendulum-v1"), device="cpu")
    with pytest.raises(ValueError, match="observation_space"):
        train_bc(pend, np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32))
    with pytest.raises(ValueError, match="outside"):
        train_bc(pend, np.zeros((4, 3), np.float32), np.full((4, 1), 5.0, np.float32))


def test_min_updates_fits_a_tiny_dataset_that_few_epochs_do_not():
    """16 one-hot states in one batch: 3 epochs are 3 gradient steps (the argmax may already be right
    while the expert action's probability is still ~1/4); min_updates makes it a fit."""
    from stable_baselines3 import PPO

    env = gym.make("FrozenLake-v1", is_slippery=False)
    table = np.random.default_rng(1).integers(0, 4, size=16)
    obs = np.arange(16)
    few = train_bc(PPO("MlpPolicy", env, seed=0, device="cpu"), obs, table, n_epochs=3, batch_size=16,
                   learning_rate=3e-3, rng=np.random.default_rng(0))
    model = PPO("MlpPolicy", env, seed=0, device="cpu")
    fitted = train_bc(model, obs, table, n_epochs=3, batch_size=16, learning_rate=3e-3, min_updates=300,
                      rng=np.random.default_rng(0))
    assert few.n_epochs == 3 and fitted.n_epochs == 300  # one batch per epoch
    assert few.loss > 1.0 and fitted.loss < 0.1 and fitted.accuracy == 1.0  # uniform over 4 actions: 1.39
    with pytest.raises(ValueError, match="min_updates"):
        train_bc(model, obs, table, min_updates=-1)

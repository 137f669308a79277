"""The fused numpy copy of a reward net gives the torch net's numbers, for every shape of model."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlhf_gym.rewards import RewardModel


def _randomised(model: RewardModel, rng: np.random.Generator) -> RewardModel:
    """Non-trivial weights and normalisation statistics, as a fit leaves them."""
    net = model.net
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.as_tensor(rng.normal(0.0, 0.5, size=p.shape), dtype=torch.float32))
        net.in_mean.copy_(torch.as_tensor(rng.normal(size=net.in_mean.shape), dtype=torch.float32))
        net.in_std.copy_(torch.as_tensor(rng.uniform(0.2, 3.0, size=net.in_std.shape), dtype=torch.float32))
        net.out_mean.copy_(torch.as_tensor(rng.normal(size=net.out_mean.shape), dtype=torch.float32))
        net.out_std.copy_(torch.as_tensor(rng.uniform(0.5, 2.0, size=net.out_std.shape), dtype=torch.float32))
    return model


@pytest.mark.parametrize("env_id, kwargs", [
    ("Pendulum-v1", dict(kind="mlp", inputs=("obs", "action"), hidden_sizes=(64, 64), ensemble_size=3)),
    ("Pendulum-v1", dict(kind="mlp", inputs=("obs", "obs_change"), hidden_sizes=(16,), ensemble_size=2,
                         input_clip=1.5)),
    ("Pendulum-v1", dict(kind="mlp", inputs=("next_obs",), hidden_sizes=(8, 8, 8), ensemble_size=1)),
    ("CartPole-v1", dict(kind="mlp", inputs=("obs", "action"), hidden_sizes=(32, 32), ensemble_size=3,
                         input_clip=2.0)),
    ("CartPole-v1", dict(kind="linear", inputs=("obs", "action"), ensemble_size=3)),
    ("CartPole-v1", dict(kind="mlp", inputs=("next_obs",), ensemble_size=3, input_transform="symlog")),
    ("FrozenLake-v1", dict(kind="linear", inputs=("next_obs",), ensemble_size=1, normalize_inputs=False)),
])
def test_numpy_members_and_mean_equal_the_torch_net(env_id, kwargs):
    env = gym.make(env_id)
    rng = np.random.default_rng(7)
    model = _randomised(RewardModel.for_env(env, seed=3, **kwargs), rng)
    n = 37
    obs = np.stack([env.observation_space.sample() for _ in range(n)])
    nxt = np.stack([env.observation_space.sample() for _ in range(n)])
    act = np.stack([env.action_space.sample() for _ in range(n)])
    with torch.no_grad():
        raw = model.net(model.encode(obs, act, nxt)).numpy()  # (K, N), before output normalisation
    normalized = (raw - model.net.out_mean.numpy()[:, None]) / model.net.out_std.numpy()[:, None]
    assert np.abs(raw).max() > 0.1  # a net that outputs nothing would pass the comparisons
    np.testing.assert_allclose(model.member_rewards(obs, act, nxt, normalized=False), raw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(model.member_rewards(obs, act, nxt), normalized, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(model(obs, act, nxt), normalized.mean(axis=0), rtol=1e-4, atol=1e-4)
    assert model(obs, act, nxt).dtype == np.float32 and model(obs, act, nxt).shape == (n,)


def test_numpy_copy_follows_every_change_of_the_weights():
    env = gym.make("Pendulum-v1")
    model = RewardModel.for_env(env, kind="mlp", hidden_sizes=(8,), ensemble_size=2, seed=0)
    obs = np.ones((4, 3), np.float32)
    act = np.zeros((4, 1), np.float32)
    before = model(obs, act, obs)
    with torch.no_grad():
        model.net.members[1][0].bias.add_(1.0)  # in place, as an optimiser step
    after = model(obs, act, obs)
    assert not np.allclose(before, after)
    with torch.no_grad():
        model.net.out_std.mul_(2.0)  # as fit_output_normalization
    np.testing.assert_allclose(model(obs, act, obs), after / 2.0, rtol=1e-5)  # out_mean is 0 here


@pytest.mark.parametrize("bad", [[-1], [0, 4], [2, 5, 1]])
def test_discrete_values_outside_the_space_are_refused_at_both_ends(bad):
    model = RewardModel.for_env(gym.make("FrozenLake-v1"), kind="linear", inputs=("obs", "action"))
    obs = np.zeros(len(bad), np.int64)
    with pytest.raises(ValueError, match=r"discrete value out of range .*allowed: 0\.\.3"):
        model(obs, np.array(bad), obs)

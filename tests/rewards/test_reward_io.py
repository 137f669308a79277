"""Reward model files: weights that are not finite or not of the model's dtype are refused, naming file and tensor."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from rlhf_gym.rewards import RewardModel, load_reward_model, save_reward_model
from rlhf_gym.rewards.io import state_equal


def _saved(tmp_path, **kwargs):
    env = gym.make("Pendulum-v1")
    model = RewardModel.for_env(env, hidden_sizes=(8,), ensemble_size=2, seed=0, **kwargs)
    weights, _ = save_reward_model(model, tmp_path / "rm")
    return model, weights


def _edit(weights, name, change):
    tensors = load_file(str(weights))
    tensors[name] = change(tensors[name])
    save_file(tensors, str(weights), metadata={"format": "rlhf_gym.reward_model"})


def test_a_clean_file_loads_bit_identical(tmp_path):
    model, _ = _saved(tmp_path)
    assert state_equal(model, load_reward_model(tmp_path / "rm"))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_weights_are_refused_naming_file_and_tensor(tmp_path, value):
    model, weights = _saved(tmp_path)
    name = sorted(model.net.state_dict())[0]

    def poison(t):
        t = t.clone()
        t.view(-1)[0] = value
        return t

    _edit(weights, name, poison)
    with pytest.raises(ValueError, match=rf"rm.safetensors' tensor '{name}' holds 1 non-finite values"):
        load_reward_model(tmp_path / "rm")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.int64, torch.int32])
def test_weights_of_the_wrong_dtype_are_refused(tmp_path, dtype):
    _, weights = _saved(tmp_path)
    _edit(weights, "in_std", lambda t: t.to(dtype))
    with pytest.raises(ValueError, match=rf"rm.safetensors' holds tensor 'in_std' as {dtype}; allowed: torch.float32"):
        load_reward_model(tmp_path / "rm")


def test_features_are_checked_too(tmp_path):
    env = gym.make("FrozenLake-v1")
    feats = np.eye(16, 3, dtype=np.float32)
    model = RewardModel.for_env(env, kind="linear", inputs=("next_obs",), features=feats)
    weights, _ = save_reward_model(model, tmp_path / "rm")
    assert state_equal(model, load_reward_model(tmp_path / "rm"))
    _edit(weights, "features", lambda t: t.double())
    with pytest.raises(ValueError, match=r"tensor 'features' as torch.float64"):
        load_reward_model(tmp_path / "rm")
    _edit(weights, "features", lambda t: torch.full_like(t.float(), float("nan")))
    with pytest.raises(ValueError, match=r"tensor 'features' holds 48 non-finite"):
        load_reward_model(tmp_path / "rm")

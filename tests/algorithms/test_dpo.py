"""DPO moves an SB3 policy towards preferred sequences, relative to its reference, and refuses bad input."""

import copy

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import PPO

from rlhf_gym.algorithms.dpo import Sequences, dpo_loss, sequence_log_probs, train_dpo


@pytest.fixture()
def policy_and_reference():
    torch.set_num_threads(1)
    model = PPO("MlpPolicy", gym.make("FrozenLake-v1"), seed=0, device="cpu")
    return model.policy, copy.deepcopy(model.policy)


def synthetic_pairs(rng, n=40, length=3):
    """In every state the preferred sequence takes action 1 and the dispreferred one action 2."""
    states = rng.integers(0, 16, size=(n, length))
    index = np.repeat(np.arange(n), length)
    flat = states.reshape(-1)
    chosen = Sequences(obs=flat, actions=np.full(n * length, 1), index=index, n=n)
    rejected = Sequences(obs=flat, actions=np.full(n * length, 2), index=index, n=n)
    return chosen, rejected


def test_dpo_raises_the_margin_of_preferred_over_dispreferred_against_the_reference(policy_and_reference):
    policy, reference = policy_and_reference
    chosen, rejected = synthetic_pairs(np.random.default_rng(0))
    ref_before = sequence_log_probs(reference, chosen).detach().clone()
    stats = train_dpo(policy, reference, chosen, rejected, beta=0.5, n_epochs=30, batch_size=16,
                      learning_rate=3e-3, rng=np.random.default_rng(1))
    assert abs(stats.margin_before) < 1e-5  # the policy starts as its reference
    assert stats.margin_after > 3.0 and stats.accuracy == 1.0
    with torch.no_grad():
        gained = sequence_log_probs(policy, chosen) - sequence_log_probs(reference, chosen)
        lost = sequence_log_probs(policy, rejected) - sequence_log_probs(reference, rejected)
    assert float(gained.mean()) > 0 > float(lost.mean())
    assert torch.equal(sequence_log_probs(reference, chosen), ref_before)  # the reference is frozen
    # Unseen states (the policy generalises through its network, but the training states moved more).
    probs = policy.get_distribution(policy.obs_to_tensor(np.arange(16))[0]).distribution.probs.detach()
    assert float((probs[:, 1] > probs[:, 2]).float().mean()) == 1.0


def test_sequence_log_probs_sum_over_each_sequence(policy_and_reference):
    policy, _ = policy_and_reference
    seqs = Sequences(obs=np.array([0, 5, 5, 9]), actions=np.array([0, 1, 3, 2]), index=np.array([0, 0, 2, 2]), n=3)
    with torch.no_grad():
        per_step = policy.get_distribution(policy.obs_to_tensor(seqs.obs)[0]).log_prob(torch.as_tensor(seqs.actions))
        total = sequence_log_probs(policy, seqs)
    assert torch.allclose(total, torch.stack([per_step[:2].sum(), torch.tensor(0.0), per_step[2:].sum()]))
    picked = seqs.select(np.array([2, 0]))
    assert picked.n == 2 and picked.index.tolist() == [1, 1, 0, 0] and picked.obs.tolist() == [0, 5, 5, 9]


def test_dpo_loss_is_log_two_at_the_reference_and_smoothing_caps_the_margin():
    zero = torch.zeros(4)
    assert torch.isclose(dpo_loss(zero, zero, zero, zero, beta=0.1), torch.tensor(np.log(2.0), dtype=torch.float32))
    h = torch.linspace(0, 20, 201)
    smoothed = torch.stack([dpo_loss(x[None], zero[:1], zero[:1], zero[:1], 1.0, label_smoothing=0.1) for x in h])
    best = float(h[smoothed.argmin()])
    assert abs(best - np.log(0.9 / 0.1)) < 0.1  # conservative DPO's optimum margin is log((1 - e) / e)


@pytest.mark.parametrize("kwargs, match", [
    ({"beta": 0}, "beta=0; allowed: a number > 0"),
    ({"label_smoothing": 0.5}, r"label_smoothing=0.5; allowed: a number in \[0, 0.5\)"),
    ({"n_epochs": 0}, "n_epochs=0, .*allowed: n_epochs >= 1"),
])
def test_bad_settings_name_themselves(policy_and_reference, kwargs, match):
    policy, reference = policy_and_reference
    chosen, rejected = synthetic_pairs(np.random.default_rng(0), n=4)
    with pytest.raises(ValueError, match=match):
        train_dpo(policy, reference, chosen, rejected, **kwargs)


def test_bad_sequences_name_themselves(policy_and_reference):
    policy, reference = policy_and_reference
    chosen, _ = synthetic_pairs(np.random.default_rng(0), n=4)
    fewer, _ = synthetic_pairs(np.random.default_rng(0), n=3)
    with pytest.raises(ValueError, match="chosen/rejected: 4 and 3 sequences; allowed: the same number"):
        train_dpo(policy, reference, chosen, fewer)
    with pytest.raises(ValueError, match=r"index values in \[0, 5\]; allowed: \[0, n - 1\] with n=2"):
        Sequences(obs=np.zeros(2), actions=np.zeros(2), index=np.array([0, 5]), n=2)
    with pytest.raises(ValueError, match="3 observations, 2 actions and 2 indices"):
        Sequences(obs=np.zeros(3), actions=np.zeros(2), index=np.zeros(2), n=1)

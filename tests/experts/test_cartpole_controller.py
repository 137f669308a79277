"""The scripted CartPole expert balances the whole fixed horizon; a random policy does not."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.experts import expert_for
from rlhf_gym.experts.cartpole_controller import CartPoleExpert


def _true_return(env, policy, seed):
    obs, _ = env.reset(seed=seed)
    total = 0.0
    for _ in range(500):
        obs, reward, _, _, _ = env.step(int(policy(obs)))
        total += reward
    return total


def test_expert_holds_the_pole_for_all_500_steps_and_random_play_does_not():
    env = gym.make("rlhf_gym/FixedHorizonCartPole-v1")
    expert = expert_for(env)
    assert isinstance(expert, CartPoleExpert)
    rng = np.random.default_rng(0)
    assert [_true_return(env, lambda o: expert.predict(o)[0], s) for s in range(5)] == [500.0] * 5
    assert max(_true_return(env, lambda o: rng.integers(2), s) for s in range(5)) < 100


def test_expert_predicts_a_batch_and_refuses_a_wrong_shape():
    expert = CartPoleExpert()
    actions, _ = expert.predict(np.array([[0, 0, 0.1, 0], [0, 0, -0.1, 0]]))
    assert actions.tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"shape \(4,\) or \(n, 4\)"):
        expert.predict(np.zeros(3))

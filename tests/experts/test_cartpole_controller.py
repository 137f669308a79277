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


def test_the_cartpole_presets_demonstrations_are_upright_clips_from_the_runs_seed():
    from rlhf_gym import presets
    from rlhf_gym.rlhf.demonstrations import record_demonstrations

    cfg = presets.load("cartpole")
    clips = record_demonstrations(cfg)
    per_episode = -(-500 // cfg.schedule.segment_length)
    assert len(clips) == cfg.demos.episodes * per_episode
    assert all(c.true_rewards[c.valid > 0].min() == 1.0 for c in clips)  # the pole never falls in them
    again = record_demonstrations(cfg)
    assert all(np.array_equal(a.obs, b.obs) for a, b in zip(clips, again))
    other = record_demonstrations(cfg.with_overrides(["seed=1"]))
    assert not np.array_equal(clips[0].obs, other[0].obs)

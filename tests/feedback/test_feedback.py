"""Clips never cross episodes; query selection picks what it claims."""

import numpy as np
import pytest

from rlhf_gym.feedback import EpisodeRecorder, Segment, cut_episode, disagreement_pairs, random_pairs, select_pairs
from rlhf_gym.rewards import RewardModel


def _episode(t, start=0):
    steps = np.arange(start, start + t)
    return {"obs": steps[:, None].astype(float), "actions": np.zeros((t, 1)), "next_obs": steps[:, None] + 1.0,
            "true_rewards": np.ones(t), "dones": steps == start + t - 1}


def test_cut_episode_windows_and_padding():
    rng = np.random.default_rng(0)
    for _ in range(5):
        segs = cut_episode(_episode(23), 5, rng)
        assert len(segs) >= 4 and all(len(s) == 5 and s.valid.all() for s in segs)
        for s in segs:
            assert np.array_equal(np.diff(s.obs[:, 0]), np.ones(4))  # contiguous steps
        assert segs[-1].next_obs[-1, 0] == 23  # how the episode ended is always shown
        ended = cut_episode(_episode(23), 5, rng, terminated=True)
        last = ended[-1]
        n = int(last.valid.sum())
        assert 1 <= n <= 4 and not last.valid[n:].any() and last.next_obs[n - 1, 0] == 23
        assert (last.obs[n:, 0] == 23).all() and last.true_return() == n  # absorbing: reward 0
        assert all(s.valid.all() and s.next_obs[-1, 0] <= 23 - n for s in ended[:-1])
    short = cut_episode(_episode(3), 5, rng)[0]
    assert short.valid.tolist() == [True, True, True, False, False]
    assert short.true_return() == 3.0 and short.obs[3, 0] == short.next_obs[2, 0]


def test_recorder_never_crosses_episode_boundaries():
    rng = np.random.default_rng(1)
    rec = EpisodeRecorder(n_envs=2, length=4, rng=rng)
    # env 0: episodes of 6 then 9 steps; env 1: one of 15 steps. obs encode (episode, t).
    ends = {0: {5, 14}, 1: {14}}
    for t in range(15):
        obs = np.array([[0 if t < 6 else 1, t], [2, t]], dtype=float)
        rec.add(obs, np.zeros((2, 1)), obs + [0, 1], np.ones(2), np.array([t in ends[0], t in ends[1]]))
    segs = rec.take()
    assert segs and all(len(np.unique(s.obs[:, 0])) == 1 for s in segs)
    assert {int(s.obs[0, 0]) for s in segs} == {0, 1, 2}


def test_random_and_disagreement_pairs():
    rng = np.random.default_rng(2)
    idx = random_pairs(10, 500, rng)
    assert idx.shape == (500, 2) and (idx[:, 0] != idx[:, 1]).all() and idx.max() == 9
    space_segs = [Segment(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), rng.normal(size=(4, 2)), np.zeros(4))
                  for _ in range(40)]
    import gymnasium as gym

    obs_space, act_space = gym.spaces.Box(-5, 5, (2,)), gym.spaces.Box(-5, 5, (1,))
    model = RewardModel(obs_space, act_space, hidden_sizes=(8,), ensemble_size=4, seed=0)
    chosen = disagreement_pairs(space_segs, 10, model, np.random.default_rng(3), oversample=20)
    from rlhf_gym.data.segments import stack_segments

    ret = model.segment_returns(stack_segments(space_segs), normalized=True)

    def var(pairs):
        return (0.5 * (1 + np.tanh(0.5 * (ret[:, pairs[:, 0]] - ret[:, pairs[:, 1]])))).var(axis=0)

    assert var(chosen).min() >= np.quantile(var(random_pairs(40, 2000, np.random.default_rng(4))), 0.8)
    with pytest.raises(ValueError, match="ensemble_size=1"):
        disagreement_pairs(space_segs, 3, RewardModel(obs_space, act_space), rng)
    with pytest.raises(ValueError, match="method='best'"):
        select_pairs("best", space_segs, 3, rng)
    assert len(select_pairs("random", space_segs, 3, rng)) == 3
    # mixed: the first half is the disagreement choice, the rest random pairs
    ids = {id(seg): i for i, seg in enumerate(space_segs)}
    mixed = np.array([(ids[id(a)], ids[id(b)]) for a, b in select_pairs("mixed", space_segs, 20, np.random.default_rng(3),
                                                                        model, oversample=20)])
    assert len(mixed) == 20 and var(mixed[:10]).min() >= np.quantile(var(random_pairs(40, 2000, rng)), 0.8)
    assert var(mixed[10:]).mean() < var(mixed[:10]).mean()


def test_novelty_pairs_ask_about_the_clips_no_label_covers():
    import gymnasium as gym
    import torch

    rng = np.random.default_rng(5)
    segs = [Segment(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), rng.normal(size=(4, 2)), np.zeros(4))
            for _ in range(40)]
    model = RewardModel(gym.spaces.Box(-50, 50, (2,)), gym.spaces.Box(-5, 5, (1,)), inputs=("obs",))
    model.fit_input_normalization(torch.as_tensor(np.concatenate([s.obs for s in segs]), dtype=torch.float32))
    for i in (3, 17, 29):  # states far outside the labelled statistics
        segs[i].obs[2, 1] = 40.0
    pairs = select_pairs("novelty", segs, 6, np.random.default_rng(6), model)
    ids = {id(s): i for i, s in enumerate(segs)}
    chosen = [(ids[id(a)], ids[id(b)]) for a, b in pairs]
    assert len(chosen) == 6 and all(a != b for a, b in chosen)
    assert {3, 17, 29} <= {i for pair in chosen[:3] for i in pair}  # the first half pairs each novel clip
    with pytest.raises(ValueError, match="reward_model"):
        select_pairs("novelty", segs, 2, rng)

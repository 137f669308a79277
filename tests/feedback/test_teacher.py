"""The synthetic teacher's irrationalities have the statistics they claim."""

import math

import gymnasium as gym
import numpy as np
import pytest

from rlhf_gym.feedback import Segment, SyntheticTeacher, collect_segments
from rlhf_gym.data.segments import reward_for_teacher


def _seg(rewards):
    r = np.asarray(rewards, dtype=float)
    n = len(r)
    return Segment(np.zeros((n, 1)), np.zeros((n, 1)), np.zeros((n, 1)), r)


def test_exact_teacher_prefers_the_higher_return_and_ties_equal():
    t = SyntheticTeacher(0)
    assert t.label(_seg([1, 1]), _seg([0, 1])) == 1.0
    assert t.label(_seg([0, 0]), _seg([0, 1])) == 0.0
    assert t.label(_seg([1, 0]), _seg([0, 1])) == 0.5


def test_mistake_rate_is_epsilon():
    t = SyntheticTeacher(np.random.default_rng(1), error_rate=0.2)
    labels = np.array([t.label(_seg([1.0]), _seg([0.0])) for _ in range(4000)])
    wrong = float(np.mean(labels == 0.0))
    assert abs(wrong - 0.2) < 3 * math.sqrt(0.2 * 0.8 / 4000), wrong


def test_rationality_beta_follows_bradley_terry():
    t = SyntheticTeacher(np.random.default_rng(2), beta=2.0)
    left = np.array([t.label(_seg([0.5, 0.0]), _seg([0.0, 0.0])) for _ in range(4000)])
    p = 1 / (1 + math.exp(-2.0 * 0.5))
    assert abs(left.mean() - p) < 3 * math.sqrt(p * (1 - p) / 4000), left.mean()


def test_myopia_weights_recent_steps_more():
    early, late = _seg([1.0, 0.0, 0.0, 0.0]), _seg([0.0, 0.0, 0.0, 0.9])
    assert SyntheticTeacher(0, gamma=1.0).label(early, late) == 1.0
    assert SyntheticTeacher(0, gamma=0.5).label(early, late) == 0.0  # 0.125 < 0.9
    assert early.true_return(0.5) == pytest.approx(0.125)


def test_skip_and_equal_thresholds():
    t = SyntheticTeacher(0, skip_threshold=1.0, equal_threshold=0.3)
    assert t.label(_seg([0.2, 0.2]), _seg([0.1, 0.0])) is None  # both below 1.0: cannot tell
    assert t.skipped == 1 and t.labels_given == 0
    assert t.label(_seg([1.0, 0.2]), _seg([1.0, 0.0])) == 0.5  # |1.2 - 1.0| < 0.3
    assert t.label(_seg([1.0, 1.0]), _seg([1.0, 0.0])) == 1.0
    assert t.labels_given == 2


def test_true_reward_from_info_else_env_reward():
    assert reward_for_teacher({"true_reward": 2.0, "env_reward": 5.0}, 9.0) == 2.0
    assert reward_for_teacher({"env_reward": 5.0}, 9.0) == 5.0
    assert reward_for_teacher({}, 9.0) == 9.0
    segs = collect_segments(gym.make("CartPole-v1"), 5, 4, np.random.default_rng(0))
    assert all(np.array_equal(s.true_rewards[s.valid], np.ones(s.valid.sum())) for s in segs)


def test_same_seed_same_answers():
    def answers(seed):
        t = SyntheticTeacher(np.random.default_rng(seed), beta=1.0, error_rate=0.1)
        return [t.label(_seg([0.3]), _seg([0.0])) for _ in range(50)]

    assert answers(3) == answers(3)


@pytest.mark.parametrize("kwargs,name", [({"beta": 0}, "beta"), ({"gamma": 1.5}, "gamma"),
                                         ({"error_rate": -0.1}, "error_rate"), ({"equal_threshold": -1}, "equal_threshold")])
def test_bad_settings_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SyntheticTeacher(0, **kwargs)
    with pytest.raises(ValueError, match="same length"):
        SyntheticTeacher(0).label(_seg([1.0]), _seg([1.0, 2.0]))

"""The cascade user's click rates match the analytic probabilities, and its exact click-vector
distribution matches simulated sessions."""

import numpy as np
import pytest

from rlhf_gym.interleaving import CLICK_MODELS, CascadeUser, all_patterns

GRADES = np.array([3, 0, 4, 1, 2, 0, 4])
N = 100_000


@pytest.mark.parametrize("name", sorted(CLICK_MODELS))
def test_click_rates_match_the_analytic_probabilities(name):
    user = CascadeUser.named(name)
    clicks = user.clicks(np.broadcast_to(GRADES, (N, GRADES.size)), np.random.default_rng(0))
    rate, truth = clicks.mean(axis=0), user.click_probabilities(GRADES)
    assert truth[0] == CLICK_MODELS[name][0][3]  # rank 1 is always examined: its attractiveness
    assert np.all(np.abs(rate - truth) <= 4 * np.sqrt(truth * (1 - truth) / N) + 1e-12)
    # by hand: rank 2 is examined unless rank 1 was clicked and the user stopped
    c, s = np.array(CLICK_MODELS[name][0]), np.array(CLICK_MODELS[name][1])
    assert truth[1] == pytest.approx((1 - c[3] * s[3]) * c[0])


def test_exact_click_vector_probabilities_match_simulation():
    user = CascadeUser.named("navigational")
    grades = GRADES[:5]
    probs = user.pattern_probabilities(grades)
    patterns = all_patterns(5)
    assert probs.sum() == pytest.approx(1.0)
    assert np.allclose(probs @ patterns, user.click_probabilities(grades))
    clicks = user.clicks(np.broadcast_to(grades, (N, 5)), np.random.default_rng(1))
    frequency = np.bincount(clicks @ (2 ** np.arange(5)[::-1]), minlength=32) / N
    assert np.all(np.abs(frequency - probs) <= 4 * np.sqrt(probs * (1 - probs) / N) + 1e-9)


def test_stopping_after_every_click_allows_one_click_and_a_zero_click_grade_is_never_clicked():
    user = CascadeUser([0.0, 0.6], stop_prob=1.0)
    clicks = user.clicks(np.ones((1000, 6), dtype=int), np.random.default_rng(2))
    assert clicks.sum(axis=1).max() == 1 and abs(clicks.any(axis=1).mean() - (1 - 0.4 ** 6)) < 0.01
    assert not user.clicks(np.zeros((1000, 6), dtype=int), np.random.default_rng(2)).any()


def test_same_seed_same_clicks():
    user = CascadeUser.named("informational")
    grades = np.tile(GRADES, (50, 1))
    assert np.array_equal(user.clicks(grades, np.random.default_rng(4)), user.clicks(grades, np.random.default_rng(4)))

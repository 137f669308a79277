"""Interleaving picks the truly better ranker, and needs far fewer sessions than an A/B test."""

import numpy as np
import pytest
from scipy import stats

from rlhf_gym.interleaving import (CascadeUser, OutcomeDistribution, compare, exact_distribution, make_queries,
                                   ranker_pair, sessions_needed, simulate_sessions)

USERS = [CascadeUser.named(n) for n in ("perfect", "navigational", "informational")]


@pytest.fixture(scope="module")
def clear_pair():
    rng = np.random.default_rng(0)
    return ranker_pair(make_queries(60, 20, rng), 2.5, 0.5, rng, depth=8)  # b is the better ranker


def test_the_pair_knows_its_better_ranker(clear_pair):
    assert clear_pair.better == "b" and clear_pair.ndcg_b > clear_pair.ndcg_a + 0.1


@pytest.mark.parametrize("method", ["team_draft", "balanced"])
def test_interleaving_picks_the_better_ranker_more_often_than_chance(clear_pair, method):
    votes = simulate_sessions(clear_pair, method, USERS, 3000, np.random.default_rng(1)).value
    wins_b, wins_a = int((votes == -1).sum()), int((votes == 1).sum())
    assert wins_b > wins_a and stats.binomtest(wins_b, wins_b + wins_a, 0.5, alternative="greater").pvalue < 1e-6
    exact = exact_distribution(clear_pair, method, USERS)  # +1 = the better (b) wins
    assert exact.delta > 0.1
    assert abs(-votes.mean() - exact.delta) < 4 * votes.std() / np.sqrt(len(votes))


@pytest.mark.parametrize("method", ["ab_clicks", "ab_abandonment", "ab_first_click"])
def test_exact_ab_metrics_match_simulated_sessions(clear_pair, method):
    s = simulate_sessions(clear_pair, method, USERS, 40_000, np.random.default_rng(2))
    exact = exact_distribution(clear_pair, method, USERS)
    for arm, probs in ((1, exact.better), (0, exact.worse)):  # b (arm 1) is the better ranker
        values = s.value[s.arm == arm]
        assert abs(values.mean() - probs @ exact.values) < 4 * values.std() / np.sqrt(len(values)) + 1e-9


def test_interleaving_needs_ten_times_fewer_sessions_than_ab_on_a_clear_instance(clear_pair):
    rng = np.random.default_rng(3)
    found = {m: compare(clear_pair, m, USERS, rng, repeats=1000).n
             for m in ("team_draft", "balanced", "ab_clicks", "ab_abandonment")}
    # measured: team draft 90, balanced 81, A/B clicks 4,454, A/B abandonment 2,362
    assert all(n is not None for n in found.values())
    assert 10 * max(found["team_draft"], found["balanced"]) < min(found["ab_clicks"], found["ab_abandonment"])


def test_sessions_needed_agrees_with_the_normal_approximation_on_a_known_vote():
    votes = OutcomeDistribution("team_draft", np.array([-1.0, 0.0, 1.0]), np.array([0.2, 0.5, 0.3]))
    found = sessions_needed(votes, np.random.default_rng(4), repeats=2000)
    by_hand = (1.6449 + 1.6449) ** 2 * (0.5 - 0.1 ** 2) / 0.1 ** 2  # (z + z)^2 var / delta^2 = 530
    assert found.normal_n == pytest.approx(by_hand, rel=1e-3)
    assert 0.85 * by_hand < found.n < 1.25 * by_hand  # measured 574
    assert found.power[-1] >= 0.95 and (found.power[:-1] < 0.95).all()


def test_equal_rankers_are_picked_no_more_often_than_the_tests_level():
    tie = OutcomeDistribution("team_draft", np.array([-1.0, 0.0, 1.0]), np.array([0.25, 0.5, 0.25]))
    found = sessions_needed(tie, np.random.default_rng(5), repeats=2000, n_max=5000, step=1.5)
    assert found.n is None and found.normal_n == np.inf
    assert found.power.max() <= 0.05 + 4 * np.sqrt(0.05 * 0.95 / 2000)
    worse = OutcomeDistribution("ab_clicks", np.array([0.0, 1.0]), np.array([0.6, 0.4]), np.array([0.5, 0.5]))
    assert sessions_needed(worse, np.random.default_rng(6), repeats=500, n_max=20_000, step=1.5).n is None

"""Bad input raises a ValueError naming the argument, the value and what is allowed."""

import numpy as np
import pytest

from rlhf_gym.interleaving import (CascadeUser, OutcomeDistribution, balanced, compare, exact_distribution,
                                   make_queries, noisy_ranking, ranker_pair, sessions_needed, simulate_sessions,
                                   team_draft)

RNG = np.random.default_rng(0)
PAIR = ranker_pair(make_queries(5, 6, np.random.default_rng(1)), 0.5, 2.0, np.random.default_rng(2), depth=4)
USER = CascadeUser.named("navigational")
VOTES = OutcomeDistribution("team_draft", np.array([-1.0, 0.0, 1.0]), np.array([0.2, 0.5, 0.3]))


@pytest.mark.parametrize("call, words", [
    (lambda: team_draft([0, 1, 1], [1, 0], RNG), "a: document 1 appears 2 times in \\[0, 1, 1\\]; allowed: each document at most once"),
    (lambda: team_draft([0, 1], [], RNG), "b: got \\[\\]; allowed: a non-empty 1-D sequence of document ids"),
    (lambda: balanced([0, -1], [1, 0], RNG), "a: got \\[0, -1\\]; allowed: a non-empty 1-D sequence of document ids \\(integers >= 0\\)"),
    (lambda: balanced([0.5, 1], [1, 0], RNG), "a: got \\[0.5, 1\\]"),
    (lambda: team_draft([0, 1], [1, 2], RNG, length=4), "length: got 4; allowed: an integer from 1 to 3"),
    (lambda: team_draft([0, 1], [1, 0], RNG, length=0), "length: got 0; allowed: an integer >= 1"),
    (lambda: team_draft([0, 1], [1, 0], 7), "rng: got 7; allowed: a np.random.Generator"),
    (lambda: CascadeUser([0.5, 1.2]), "click_prob: got \\[0.5, 1.2\\]; allowed: a 1-D sequence of probabilities in \\[0, 1\\]"),
    (lambda: CascadeUser([0.5, 0.7], stop_prob=-0.1), "stop_prob: got -0.1; allowed: a number in \\[0, 1\\]"),
    (lambda: CascadeUser([0.5, 0.7], stop_prob=[0.1, 0.2, 0.3]), "stop_prob: got 3 grades; allowed: one per grade"),
    (lambda: CascadeUser.named("lazy"), "name: got 'lazy'; allowed: one of \\['perfect', 'navigational', 'informational'\\]"),
    (lambda: USER.clicks(np.array([[0, 5]]), RNG), "grades: got .*allowed: an integer array \\(..., L\\) of grades 0..4"),
    (lambda: make_queries(0, 5, RNG), "n_queries: got 0; allowed: an integer >= 1"),
    (lambda: noisy_ranking([[0, 1]], -1.0, RNG), "noise: got -1.0; allowed: a finite number >= 0"),
    (lambda: ranker_pair(np.zeros((2, 3), dtype=int), 0.1, 0.2, RNG, depth=5), "depth: got 5; allowed: 1..3"),
    (lambda: exact_distribution(PAIR, "ab_dwell", USER), "method: got 'ab_dwell'; allowed: one of \\['team_draft'"),
    (lambda: exact_distribution(PAIR, "balanced", "navigational"), "user: got 'navigational'; allowed: a CascadeUser"),
    (lambda: simulate_sessions(PAIR, "balanced", USER, 0, RNG), "n_sessions: got 0; allowed: an integer >= 1"),
    (lambda: sessions_needed(VOTES, RNG, alpha=1.5), "alpha: got 1.5; allowed: a number in \\(0, 1\\)"),
    (lambda: sessions_needed(VOTES, RNG, step=1.0), "step: got 1.0; allowed: a number in \\(1, 10\\]"),
    (lambda: sessions_needed(VOTES, RNG, n_min=100, n_max=50), "n_max: got 50; allowed: an integer >= 100"),
    (lambda: sessions_needed([0.5, 0.5], RNG), "distribution: got list; allowed: an OutcomeDistribution"),
    (lambda: compare("pair", "team_draft", USER, RNG), "pair: got str; allowed: a RankerPair"),
])
def test_bad_input_names_argument_value_and_what_is_allowed(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_a_pair_of_equally_good_rankers_has_no_better_one():
    grades = np.array([[0, 3, 1]])
    with pytest.raises(ValueError, match="both rankers have mean nDCG 1.0; allowed: a pair whose quality differs"):
        _ = ranker_pair(grades, 0.0, 0.0, RNG, depth=3).better

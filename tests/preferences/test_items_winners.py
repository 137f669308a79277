"""Condorcet, Copeland and Borda winners on hand-built matrices, and their bootstrap probabilities."""

import numpy as np
import pytest
from preference_sim import simulate
from scipy.stats import binom

from rlhf_gym.preferences import (borda_scores, condorcet_winner, copeland_scores, empirical_preferences,
                                  winner_probabilities, winners)


def from_upper(upper: dict, n: int) -> np.ndarray:
    """A preference matrix from {(i, j): P[i, j]} for i < j."""
    P = np.full((n, n), 0.5)
    for (i, j), p in upper.items():
        P[i, j], P[j, i] = p, 1.0 - p
    return P


# item 0 beats 1, 2, 3 narrowly and loses to 4 outright; 1 > 2 > 3 > 1 is a cycle; 4 loses to 1, 2, 3
CYCLE = from_upper({(0, 1): 0.51, (0, 2): 0.51, (0, 3): 0.51, (0, 4): 0.0, (1, 2): 0.9, (1, 3): 0.1,
                    (1, 4): 1.0, (2, 3): 0.9, (2, 4): 0.6, (3, 4): 0.6}, 5)


def test_a_condorcet_winner_wins_all_three():
    P = from_upper({(0, 1): 0.6, (0, 2): 0.7, (1, 2): 0.8}, 3)
    found = winners(P)
    assert found.condorcet == 0 and found.copeland == (0,) and found.borda == (0,)
    assert found.copeland_scores.tolist() == [2, 0, -2]
    assert found.borda_scores == pytest.approx([0.65, 0.6, 0.25])


def test_a_cycle_has_no_condorcet_winner_but_one_copeland_winner_and_another_borda_winner():
    found = winners(CYCLE)
    assert found.condorcet is None
    assert copeland_scores(CYCLE).tolist() == [2, 0, 0, 0, -2] and found.copeland == (0,)
    # Borda weighs margins: 0's narrow wins and outright loss average 0.3825; item 1 averages 0.6225
    assert borda_scores(CYCLE) == pytest.approx([0.3825, 0.6225, 0.5225, 0.5225, 0.45])
    assert found.borda == (1,)


def test_exact_halves_are_neither_wins_nor_losses_and_ties_are_kept():
    P = from_upper({(0, 1): 0.5, (0, 2): 0.8, (1, 2): 0.8}, 3)
    found = winners(P)
    assert condorcet_winner(P) is None and found.copeland == (0, 1) and found.borda == (0, 1)


def test_the_diagonal_is_not_read():
    P = from_upper({(0, 1): 0.3}, 2)
    np.fill_diagonal(P, np.nan)
    assert condorcet_winner(P) == 1


def test_bootstrap_probabilities_of_two_items_are_binomial_tails():
    # 12 wins and 8 losses: a replicate draws Binomial(20, 0.6) wins for item 0
    pairs, outcomes = np.array([[0, 1]] * 20), np.array([1.0] * 12 + [0.0] * 8)
    found = winner_probabilities(pairs, outcomes, rng=np.random.default_rng(0), n_bootstrap=20_000)
    above, tie = binom.sf(10, 20, 0.6), binom.pmf(10, 20, 0.6)
    assert found.condorcet[0] == pytest.approx(above, abs=0.01)
    assert found.no_condorcet == pytest.approx(tie, abs=0.01)
    assert found.copeland[0] == pytest.approx(above + tie / 2, abs=0.01)
    assert found.borda == pytest.approx(found.copeland)
    assert found.estimate.condorcet == 0 and found.estimate.copeland == (0,)


def test_bootstrap_on_a_cycle_finds_the_copeland_and_borda_winners_and_is_seeded():
    rng = np.random.default_rng(1)
    a, b = np.triu_indices(5, k=1)
    pairs = np.repeat(np.column_stack([a, b]), 400, axis=0)
    outcomes = (rng.random(len(pairs)) < CYCLE[pairs[:, 0], pairs[:, 1]]).astype(float)
    P, counts = empirical_preferences(pairs, outcomes)
    assert np.all(counts[a, b] == 400) and np.abs(P - CYCLE).max() < 0.1
    found = winner_probabilities(pairs, outcomes, rng=np.random.default_rng(2), n_bootstrap=300)
    assert found.condorcet.sum() + found.no_condorcet == pytest.approx(1.0)
    assert found.copeland.sum() == pytest.approx(1.0) and found.borda.sum() == pytest.approx(1.0)
    assert found.borda[1] > 0.95  # a 0.1 Borda margin is far outside the noise of 400 comparisons per pair
    assert found.no_condorcet > 0.95  # 4 beats 0 every time
    again = winner_probabilities(pairs, outcomes, rng=np.random.default_rng(2), n_bootstrap=300)
    assert np.array_equal(found.copeland, again.copeland)


def test_bradley_terry_bootstrap_picks_the_clear_best_and_splits_two_equal_bests():
    rng = np.random.default_rng(3)
    truth = np.array([2.0, 2.0, 0.0, -0.5, -1.0, 0.5, -2.0, 0.0])
    pairs, outcomes = simulate(rng, truth, 4000)
    found = winner_probabilities(pairs, outcomes, rng=np.random.default_rng(4), n_bootstrap=100,
                                 model="bradley-terry")
    assert found.condorcet[:2].sum() == pytest.approx(1.0) and 0.15 < found.condorcet[0] < 0.85
    assert found.no_condorcet == 0.0 and np.array_equal(found.copeland, found.condorcet)
    assert found.fit is not None and found.estimate.condorcet == int(found.fit.scores.argmax())

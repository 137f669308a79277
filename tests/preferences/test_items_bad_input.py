"""Bad input gets a ValueError that names the argument, the value and what is allowed."""

import numpy as np
import pytest

from rlhf_gym.preferences import fit_bradley_terry, winner_probabilities, winners

GOOD_PAIRS, GOOD_OUTCOMES = np.array([[0, 1], [1, 2], [2, 0]]), np.array([1.0, 0.0, 0.5])


@pytest.mark.parametrize("pairs, outcomes, n_items, message", [
    ([[0, 3]], [1.0], 3, r"pairs\[0\]=\[0, 3\] has an item index >= n_items=3; allowed: 0 <= index < n_items"),
    ([[0, 1], [-1, 2]], [1.0, 0.0], None, r"pairs\[1\]=\[-1, 2\] has a negative item index; allowed"),
    ([[0, 1], [2, 2]], [1.0, 0.0], None, r"pairs\[1\]=\[2, 2\] compares an item with itself; allowed: two"),
    ([0, 1, 2], [1.0], None, r"pairs has shape \(3,\); allowed: \(M, 2\)"),
    (np.zeros((2, 3), dtype=int), [1.0, 1.0], None, r"pairs has shape \(2, 3\)"),
    (np.zeros((0, 2), dtype=int), [], None, r"pairs has shape \(0, 2\); allowed: \(M, 2\) with M >= 1"),
    ([[0.0, 1.0]], [1.0], None, r"pairs has dtype float64; allowed: integer item indices"),
    ([[0, 1]], [0.7], None, r"outcomes\[0\]=0.7; allowed: 1 \(first item won\), 0 \(second won\), 0.5 \(tie\)"),
    ([[0, 1]], [np.nan], None, r"outcomes\[0\]=nan; allowed"),
    ([[0, 1], [1, 0]], [1.0], None, r"outcomes has shape \(1,\); allowed: \(2,\), one per row of pairs"),
    ([[0, 1]], ["win"], None, r"outcomes has dtype <U3; allowed: numbers"),
    ([[0, 1]], [1.0], 1, r"n_items=1; allowed: an int >= 2"),
    ([[0, 1]], [1.0], 2.5, r"n_items=2.5; allowed: an int >= 2"),
])
def test_bad_comparisons_are_named(pairs, outcomes, n_items, message):
    with pytest.raises(ValueError, match=message):
        fit_bradley_terry(pairs, outcomes, n_items)
    with pytest.raises(ValueError, match=message):
        winner_probabilities(pairs, outcomes, n_items, rng=np.random.default_rng(0))


@pytest.mark.parametrize("kwargs, message", [
    ({"prior_precision": 0.0}, r"prior_precision=0.0; allowed: a finite number > 0"),
    ({"prior_precision": -1.0}, r"prior_precision=-1.0; allowed"),
    ({"prior_precision": float("inf")}, r"prior_precision=inf; allowed"),
    ({"ties": "ignore"}, r"ties='ignore'; allowed: one of 'half', 'davidson', 'rao-kupper'"),
    ({"max_iter": 0}, r"max_iter=0; allowed: an int >= 1"),
    ({"initial_scores": [0.0]}, r"initial_scores has shape \(1,\); allowed: None or \(3,\) finite floats"),
])
def test_bad_fit_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_bradley_terry(GOOD_PAIRS, GOOD_OUTCOMES, **kwargs)


def test_a_tie_model_on_nothing_but_ties_is_refused():
    with pytest.raises(ValueError, match=r"outcomes are all ties \(0.5\) with ties='davidson'; .* allowed"):
        fit_bradley_terry([[0, 1], [1, 2]], [0.5, 0.5], ties="davidson")


@pytest.mark.parametrize("matrix, message", [
    ([[0.5, 0.7], [0.4, 0.5]],
     r"preferences\[0, 1\] \+ preferences\[1, 0\] = 0.7 \+ 0.4 = 1.1.*allowed: P\[i, j\] \+ P\[j, i\] = 1"),
    ([[0.5, 1.5], [-0.5, 0.5]], r"preferences\[0, 1\]=1.5; allowed: a probability in \[0, 1\] off the diagonal"),
    ([[0.5, np.nan], [0.5, 0.5]], r"preferences\[0, 1\]=nan; allowed: a probability"),
    (np.full((2, 3), 0.5), r"preferences has shape \(2, 3\); allowed: a square \(K, K\) matrix with K >= 2"),
    ([[0.5]], r"preferences has shape \(1, 1\); allowed"),
    (np.full((2, 2, 2), 0.5), r"preferences has shape \(2, 2, 2\)"),
])
def test_a_matrix_that_is_not_a_preference_matrix_is_named(matrix, message):
    with pytest.raises(ValueError, match=message):
        winners(matrix)


@pytest.mark.parametrize("kwargs, message", [
    ({"rng": 0}, r"rng=0; allowed: a numpy.random.Generator"),
    ({"rng": np.random.default_rng(0), "n_bootstrap": 0}, r"n_bootstrap=0; allowed: an int >= 1"),
    ({"rng": np.random.default_rng(0), "model": "elo"}, r"model='elo'; allowed: one of 'empirical', 'bradley"),
])
def test_bad_bootstrap_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        winner_probabilities(GOOD_PAIRS, GOOD_OUTCOMES, **kwargs)


def test_the_empirical_bootstrap_names_a_pair_never_compared():
    with pytest.raises(ValueError, match=r"pairs never compares items 0 and 3 \(3 of 6 pairs are missing\); allowed"):
        winner_probabilities(GOOD_PAIRS, GOOD_OUTCOMES, n_items=4, rng=np.random.default_rng(0))

"""Regret definitions on a hand-computed 3-arm case."""

import numpy as np
import pytest

from rlhf_gym.bandits import (bradley_terry_matrix, condorcet_winner, copeland_winners, cumulative_regret,
                              regret_table, validate_preferences)

# Arm 0 beats 1 (0.7) and 2 (0.6); arm 1 beats 2 (0.9). eps(0, .) = (0, 0.2, 0.1).
P = np.array([[0.5, 0.7, 0.6], [0.3, 0.5, 0.9], [0.4, 0.1, 0.5]])


def test_hand_computed_tables():
    assert condorcet_winner(P) == 0
    strong = regret_table(P, "strong")
    assert strong[1, 2] == pytest.approx(0.15) and strong[0, 1] == pytest.approx(0.1) and strong[0, 0] == 0
    weak = regret_table(P, "weak")
    assert weak[1, 2] == pytest.approx(0.1) and weak[0, 1] == 0.0 and weak[1, 1] == pytest.approx(0.2)
    cop = regret_table(P, "copeland")  # normalised Copeland scores 1, 1/2, 0
    assert cop[2, 2] == pytest.approx(1.0) and cop[1, 2] == pytest.approx(0.75) and cop[0, 0] == 0


def test_cumulative_curves():
    first = np.array([[1, 0, 0], [2, 2, 0]])
    second = np.array([[2, 1, 0], [2, 1, 0]])
    assert np.allclose(cumulative_regret(P, first, second, "strong"), [[0.15, 0.25, 0.25], [0.1, 0.25, 0.25]])
    assert np.allclose(cumulative_regret(P, first, second, "weak"), [[0.1, 0.1, 0.1], [0.1, 0.2, 0.2]])


def test_no_condorcet_winner_gives_nan_strong_regret():
    cycle = np.array([[0.5, 0.8, 0.3], [0.2, 0.5, 0.8], [0.7, 0.2, 0.5]])
    assert condorcet_winner(cycle) is None and copeland_winners(cycle).tolist() == [0, 1, 2]
    assert np.isnan(regret_table(cycle, "strong")).all() and (regret_table(cycle, "copeland") == 0).all()


def test_bradley_terry_matrix_and_validation():
    p = bradley_terry_matrix([0.0, np.log(3.0)])
    assert p[1, 0] == pytest.approx(0.75) and p[0, 1] == pytest.approx(0.25)
    assert np.array_equal(validate_preferences(p), p)
    with pytest.raises(ValueError, match="scores"):
        bradley_terry_matrix([1.0])
    with pytest.raises(ValueError, match="kind: got 'bad'"):
        regret_table(P, "bad")

"""Ties: half a win by default, or the Davidson / Rao-Kupper models recovering a known tie parameter."""

import numpy as np
import pytest
from preference_sim import simulate

from rlhf_gym.preferences import fit_bradley_terry


@pytest.mark.parametrize("ties, truth", [("davidson", 0.8), ("rao-kupper", 1.6)])
def test_tie_models_recover_a_known_tie_parameter_and_the_scores(ties, truth):
    rng = np.random.default_rng(10)
    scores = rng.normal(size=30)
    scores -= scores.mean()
    pairs, outcomes = simulate(rng, scores, 20_000, ties=ties, tie=truth)
    fit = fit_bradley_terry(pairs, outcomes, ties=ties)
    assert fit.converged and 0.1 < np.mean(outcomes == 0.5) < 0.5
    assert abs(fit.tie_parameter - truth) < 3 * fit.tie_std_error and fit.tie_std_error < 0.05
    assert np.corrcoef(fit.scores, scores)[0, 1] > 0.99
    assert np.all(np.abs(fit.scores - scores) < 4.5 * fit.std_errors)


def test_davidson_on_two_equal_items_matches_the_closed_form():
    # a wins, b losses, t ties between two items: P(i) : P(tie) : P(j) = a : t : b at the MLE, so
    # d = log(a / b) and nu = t / sqrt(a b); here a = b = 7, t = 6
    pairs = np.array([[0, 1]] * 20)
    outcomes = np.array([1.0] * 7 + [0.0] * 7 + [0.5] * 6)
    fit = fit_bradley_terry(pairs, outcomes, ties="davidson", prior_precision=1e-9)
    assert fit.scores == pytest.approx([0.0, 0.0], abs=1e-9)
    assert fit.tie_parameter == pytest.approx(6 / np.sqrt(7 * 7), rel=1e-7)
    win, tie = 7 / 20, 6 / 20
    assert fit.win_probability(0, 1) == pytest.approx(win + tie / 2)
    uneven = fit_bradley_terry(pairs, [1.0] * 9 + [0.0] * 4 + [0.5] * 6 + [1.0], ties="davidson",
                               prior_precision=1e-9)  # a = 10, b = 4, t = 6
    assert uneven.scores[0] - uneven.scores[1] == pytest.approx(np.log(10 / 4), abs=1e-7)
    assert uneven.tie_parameter == pytest.approx(6 / np.sqrt(40), rel=1e-7)


def test_a_tie_counts_half_a_win_by_default():
    pairs = np.array([[0, 1], [0, 1], [1, 0], [0, 1]])
    halves = fit_bradley_terry(pairs, [1.0, 0.5, 0.5, 0.0], prior_precision=1e-10)
    assert halves.tie_parameter is None
    assert halves.scores == pytest.approx([0.0, 0.0], abs=1e-8)  # one win, one loss, two ties: equal


@pytest.mark.parametrize("ties, boundary", [("davidson", 0.0), ("rao-kupper", 1.0)])
def test_a_tie_model_without_ties_is_the_plain_fit_at_its_boundary(ties, boundary):
    rng = np.random.default_rng(11)
    pairs, outcomes = simulate(rng, rng.normal(size=8), 500)
    plain = fit_bradley_terry(pairs, outcomes)
    tied = fit_bradley_terry(pairs, outcomes, ties=ties)
    assert tied.tie_parameter == boundary and tied.tie_std_error is None
    assert np.abs(tied.scores - plain.scores).max() < 1e-12
    assert tied.win_probability(0, 1) == pytest.approx(plain.win_probability(0, 1))


def test_preference_matrix_of_a_tie_model_is_a_preference_matrix():
    rng = np.random.default_rng(12)
    pairs, outcomes = simulate(rng, rng.normal(size=6), 3000, ties="rao-kupper", tie=2.0)
    P = fit_bradley_terry(pairs, outcomes, ties="rao-kupper").preference_matrix()
    assert np.allclose(P + P.T, 1.0) and np.allclose(np.diag(P), 0.5)

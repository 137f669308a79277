"""fit_bradley_terry against known truth: closed forms, simulated scores, coverage, choix."""

import numpy as np
import pytest
from preference_sim import simulate
from scipy.optimize import brentq
from scipy.special import expit

from rlhf_gym.preferences import fit_bradley_terry
from rlhf_gym.preferences import hessian as hessian_module


def two_item_data(wins, losses, ties=0):
    pairs = np.array([[0, 1]] * (wins + losses + ties))
    return pairs, np.array([1.0] * wins + [0.0] * losses + [0.5] * ties)


def test_two_items_match_the_closed_form_log_odds_and_its_standard_error():
    pairs, outcomes = two_item_data(12, 8, ties=4)  # a tie is half a win: p = 14 / 24
    fit = fit_bradley_terry(pairs, outcomes, prior_precision=1e-10)
    p, n = 14 / 24, 24
    assert fit.scores[0] - fit.scores[1] == pytest.approx(np.log(p / (1 - p)), abs=1e-7)
    assert fit.scores.sum() == pytest.approx(0.0, abs=1e-12)
    # var(d) = 1 / (n p (1 - p)) and the centred score is d / 2
    assert fit.std_errors == pytest.approx(np.full(2, 0.5 / np.sqrt(n * p * (1 - p))), rel=1e-6)
    assert fit.converged and fit.n_components == 1


def test_two_items_with_a_strong_prior_solve_the_map_equation():
    pairs, outcomes = two_item_data(9, 3)
    alpha = 2.0
    fit = fit_bradley_terry(pairs, outcomes, prior_precision=alpha)
    # d/dd of [-9 log s(d) - 3 log s(-d) + alpha/2 * 2 (d/2)^2] = 0
    d = brentq(lambda d: -9 * expit(-d) + 3 * expit(d) + alpha * d / 2, -10, 10, xtol=1e-14)
    assert fit.scores == pytest.approx([d / 2, -d / 2], abs=1e-9)
    curvature = 12 * expit(d) * expit(-d) + alpha / 2  # in d
    assert fit.std_errors[0] == pytest.approx(0.5 / np.sqrt(curvature), rel=1e-6)


def test_recovers_known_scores_from_simulated_comparisons():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=60)
    truth -= truth.mean()
    pairs, outcomes = simulate(rng, truth, 30_000)
    fit = fit_bradley_terry(pairs, outcomes)
    assert np.corrcoef(fit.scores, truth)[0, 1] > 0.99
    assert np.abs(fit.scores - truth).mean() < 0.06
    assert np.all(np.abs(fit.scores - truth) < 4.5 * fit.std_errors)


def test_ninety_five_percent_intervals_cover_the_true_scores():
    rng = np.random.default_rng(1)
    covered = []
    for _ in range(40):
        truth = rng.normal(size=20)
        truth -= truth.mean()
        pairs, outcomes = simulate(rng, truth, 1500)
        fit = fit_bradley_terry(pairs, outcomes)
        covered.append(np.abs(fit.scores - truth) <= 1.96 * fit.std_errors)
    assert 0.92 <= np.mean(covered) <= 0.98  # 800 intervals; the benchmark measures 93-97% on 100k


def test_an_item_that_never_loses_gets_a_finite_top_score_and_a_wide_interval():
    rng = np.random.default_rng(2)
    truth = np.array([0.0, 0.5, 0.0, -0.5, 1.0])
    pairs, outcomes = simulate(rng, truth, 400)
    champion = 5  # a sixth item, winning each of its 30 comparisons
    extra = np.column_stack([np.full(30, champion), rng.integers(0, 5, 30)])
    fit = fit_bradley_terry(np.vstack([pairs, extra]), np.concatenate([outcomes, np.ones(30)]))
    assert fit.converged and np.all(np.isfinite(fit.scores)) and np.all(np.isfinite(fit.std_errors))
    assert fit.scores.argmax() == champion and 3.0 < fit.scores[champion] < 40.0
    assert fit.std_errors[champion] > 3 * fit.std_errors[:5].max()


def test_separate_groups_of_items_stay_finite_and_are_reported():
    pairs = np.array([[0, 1], [1, 0], [0, 1], [2, 3], [3, 2], [3, 2]])
    fit = fit_bradley_terry(pairs, np.ones(6))
    assert fit.n_components == 2 and np.all(np.isfinite(fit.scores))
    assert fit.scores[0] - fit.scores[1] == pytest.approx(np.log(2), abs=1e-3)
    assert fit.scores[3] - fit.scores[2] == pytest.approx(np.log(2), abs=1e-3)


def test_conjugate_gradient_and_sparse_lu_paths_agree_with_the_dense_ones(monkeypatch):
    rng = np.random.default_rng(3)
    truth = rng.normal(size=80)
    pairs, outcomes = simulate(rng, truth, 3000)
    dense = fit_bradley_terry(pairs, outcomes)
    monkeypatch.setattr(hessian_module, "SOLVE_DENSE_LIMIT", 10)
    monkeypatch.setattr(hessian_module, "VARIANCE_DENSE_LIMIT", 10)
    sparse = fit_bradley_terry(pairs, outcomes)
    assert np.abs(dense.scores - sparse.scores).max() < 1e-8
    assert np.abs(dense.std_errors - sparse.std_errors).max() < 1e-7


def test_n_items_adds_items_never_compared_at_the_prior():
    fit = fit_bradley_terry([[0, 1], [1, 0], [0, 1]], [1, 1, 0], n_items=4, prior_precision=1e-2)
    assert fit.scores.shape == (4,) and fit.scores[2] == pytest.approx(fit.scores[3])
    assert fit.std_errors[2] == pytest.approx(np.sqrt(1 / 1e-2 * (1 - 1 / 4)), rel=1e-2)


def test_the_same_estimates_as_choix_opt_pairwise():
    choix = pytest.importorskip("choix")
    rng = np.random.default_rng(4)
    truth = rng.normal(size=30)
    pairs, outcomes = simulate(rng, truth, 2000)
    data = [(a, b) if o == 1.0 else (b, a) for (a, b), o in zip(pairs.tolist(), outcomes)]
    theirs = choix.opt_pairwise(30, data, alpha=0.5 * 1e-2, tol=1e-10)  # choix's penalty is alpha ||s||^2
    ours = fit_bradley_terry(pairs, outcomes, prior_precision=1e-2).scores
    assert np.abs(ours - (theirs - theirs.mean())).max() < 1e-6

"""Bradley-Terry scores for K items from pairwise comparisons, with standard errors.

P(i beats j) = sigma(s_i - s_j). The fit maximises the log-likelihood of the comparisons plus a
Gaussian prior s ~ N(0, I / prior_precision) (a MAP estimate; the penalty is
prior_precision / 2 * ||s||^2) by Newton's method with a backtracking line search, using the exact
gradient and the exact sparse Hessian (hessian.py). Standard errors come from the inverse of that
Hessian at the optimum (the Laplace approximation of the posterior).

Ties: by default a tie is half a win, mu = 0.5 in the cross-entropy of the lecture notes
(-mu log P - (1 - mu) log(1 - P)). ``ties="davidson"`` or ``ties="rao-kupper"`` model the chance
of a tie with one more parameter, estimated jointly with the scores (tie_models.py).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components

from rlhf_gym.preferences.checks import check_comparisons, check_count, check_positive, check_ties
from rlhf_gym.preferences.hessian import Factor, ScoreHessian
from rlhf_gym.preferences.tie_models import (initial_tie_parameter, pair_terms, published_tie_parameter)


@dataclass(frozen=True)
class BradleyTerryFit:
    """What ``fit_bradley_terry`` found.

    ``scores`` sum to zero (the likelihood only sees differences, and the prior's mean is 0, so the
    MAP is centred); ``std_errors`` are those of these centred scores, so ``scores ± 1.96 std_errors``
    is a 95% interval for each item's score relative to the mean item. ``tie_parameter`` is
    Davidson's nu (P(tie) = nu / (2 + nu) between equals) or Rao-Kupper's theta >= 1, None for
    ``ties="half"``."""

    scores: np.ndarray
    std_errors: np.ndarray | None
    ties: str
    tie_parameter: float | None
    tie_std_error: float | None
    log_likelihood: float
    prior_precision: float
    iterations: int
    converged: bool
    n_components: int
    """connected parts of the comparison graph; scores in different parts are related only by the prior"""

    def win_probability(self, i, j) -> np.ndarray:
        """P(i beats j) without ties, or the expected outcome P(win) + P(tie) / 2 under a tie model."""
        diff = self.scores[np.asarray(i)] - self.scores[np.asarray(j)]
        t = self._internal_tie_parameter()
        if t is None:
            return 0.5 * (1.0 + np.tanh(0.5 * diff))
        win = np.exp(pair_terms(self.ties, diff, np.ones_like(diff, dtype=float), t).loglik)
        tie = np.exp(pair_terms(self.ties, diff, np.full_like(diff, 0.5, dtype=float), t).loglik)
        return win + 0.5 * tie

    def preference_matrix(self) -> np.ndarray:
        """(K, K) matrix of ``win_probability(i, j)``, with 0.5 on the diagonal (see winners.py)."""
        i, j = np.meshgrid(np.arange(self.scores.size), np.arange(self.scores.size), indexing="ij")
        return self.win_probability(i.ravel(), j.ravel()).reshape(i.shape)

    def _internal_tie_parameter(self) -> float | None:
        boundary = {"davidson": 0.0, "rao-kupper": 1.0}.get(self.ties)
        if self.tie_parameter is None or self.tie_parameter == boundary:
            return None  # no tie in the data: the model is exactly "half"
        if self.ties == "davidson":
            return float(np.log(self.tie_parameter))
        return float(np.log(np.log(self.tie_parameter)))


def fit_bradley_terry(pairs, outcomes, n_items=None, prior_precision: float = 1e-3, ties: str = "half",
                      std_errors: bool = True, max_iter: int = 100, tol: float = 1e-10,
                      initial_scores=None) -> BradleyTerryFit:
    """Fit Bradley-Terry scores to comparisons ``pairs[m] = (i, j)`` with ``outcomes[m]`` = 1 (i won),
    0 (j won) or 0.5 (a tie).

    ``prior_precision`` is the precision (1 / variance) of the Gaussian prior on every score: the
    objective adds prior_precision / 2 * ||s||^2, the same penalty as choix's ``alpha`` in
    ``ilsr``'s documentation of regularisation (choix's ``opt_pairwise`` code adds alpha * ||s||^2,
    so pass alpha = prior_precision / 2 to reproduce it). Why 1e-3: a prior standard deviation of
    ~32 score units is flat over every realistic score (a gap of 10 already means 99.995% wins), so
    the estimates equal the maximum-likelihood ones wherever those exist (shrinkage ~ 1e-3 / the
    Fisher information of an item, < 0.1% once an item has a handful of comparisons) and standard
    errors keep their coverage; yet it is strong enough that an item that never loses, or a
    comparison graph in several pieces, gets a finite score instead of an infinite one.

    ``ties``: "half" (a tie is mu = 0.5 in the cross-entropy), "davidson" or "rao-kupper". With a tie
    model and no tie in the data the tie parameter's estimate is its boundary (nu = 0, theta = 1),
    where both models are exactly "half"; that fit is returned with ``tie_std_error=None``.

    ``std_errors=False`` skips the variances (a dense K x K factor for K <= hessian.DENSE_LIMIT, a
    sparse LU above). Newton's method stops once half the squared Newton decrement is below ``tol``
    and then takes that last step; a fit that does not get there in ``max_iter`` iterations warns and
    has ``converged=False``."""
    i, j, mu, n_items = check_comparisons(pairs, outcomes, n_items)
    alpha = check_positive("prior_precision", prior_precision)
    ties = check_ties(ties)
    max_iter = check_count("max_iter", max_iter, 1)
    tol = check_positive("tol", tol)
    tie_fraction = float(np.mean(mu == 0.5))
    if ties != "half" and tie_fraction == 1.0:
        raise ValueError(f"outcomes are all ties (0.5) with ties={ties!r}; the tie parameter has no finite "
                         f"estimate; allowed: at least one comparison with a winner, or ties='half'")
    use_t = ties != "half" and tie_fraction > 0.0
    scores = np.zeros(n_items) if initial_scores is None else _check_initial(initial_scores, n_items)
    x = np.append(scores, initial_tie_parameter(ties, tie_fraction)) if use_t else scores.copy()
    model = ties if use_t else "half"
    hessian = ScoreHessian(i, j, n_items, alpha)
    objective = _Objective(model, i, j, mu, n_items, alpha)
    value = objective.value(x)
    converged, iteration = False, 0
    for iteration in range(1, max_iter + 1):
        grad, factor, cross, corner = objective.derivatives(x, hessian)
        if iteration == 1:
            first_norm = max(float(np.linalg.norm(grad)), 1e-300)
        # inexact Newton: loose linear solves while far away, exact ones near the optimum
        factor.rtol = float(np.clip(np.linalg.norm(grad) / first_norm, 1e-10, 1e-2)) if iteration > 1 else 1e-2
        step = _newton_step(grad, factor, cross, corner, n_items)
        slope = float(grad @ step)
        if -slope / 2.0 <= tol:
            x, converged = x + step, True
            break
        x, value = _backtrack(objective, x, value, step, slope)
    if not converged:
        warnings.warn(f"fit_bradley_terry stopped after max_iter={max_iter} Newton iterations without "
                      f"converging (tol={tol})", RuntimeWarning, stacklevel=2)
    return _result(objective, hessian, x, ties, use_t, alpha, iteration, converged, std_errors)


class _Objective:
    """Negative log-posterior of x = scores (+ the tie parameter t), its gradient and Hessian parts.
    The pair terms of the last point are kept: the line search's accepted point is the next
    iteration's, so each iteration passes over the comparisons once."""

    def __init__(self, model, i, j, mu, n_items, alpha):
        self.model, self.i, self.j, self.mu, self.n, self.alpha = model, i, j, mu, n_items, alpha
        self._last = (None, None)

    def terms(self, x):
        s, t = (x[:-1], float(x[-1])) if x.size > self.n else (x, None)
        if self._last[0] is None or not np.array_equal(self._last[0], x):
            self._last = (x.copy(), pair_terms(self.model, s[self.i] - s[self.j], self.mu, t))
        return s, self._last[1]

    def value(self, x) -> float:
        s, terms = self.terms(x)
        return float(-terms.loglik.sum() + 0.5 * self.alpha * s @ s)

    def derivatives(self, x, hessian: ScoreHessian):
        s, terms = self.terms(x)
        grad_s = self.alpha * s - np.bincount(self.i, terms.d, self.n) + np.bincount(self.j, terms.d, self.n)
        factor = Factor(hessian.matrix(-terms.dd), self.alpha)
        if terms.t is None:
            return grad_s, factor, None, None
        cross = -np.bincount(self.i, terms.dt, self.n) + np.bincount(self.j, terms.dt, self.n)
        return np.append(grad_s, -terms.t.sum()), factor, cross, float(-terms.tt.sum())


def _newton_step(grad, factor: Factor, cross, corner, n_items) -> np.ndarray:
    """Solve [[H, c], [c^T, h]] step = -grad by the Schur complement; if the joint Hessian is not
    positive definite (the Rao-Kupper likelihood need not be convex in t), take a Newton step in the
    scores and a scaled gradient step in t, which is still a descent direction."""
    if cross is None:
        return -factor.solve(grad)
    u, w = factor.solve(np.column_stack([grad[:n_items], cross])).T
    schur = corner - cross @ w
    if schur > 1e-12 * (1.0 + abs(corner)):
        dt = (cross @ u - grad[-1]) / schur
        return np.append(-u - w * dt, dt)
    return np.append(-u, -grad[-1] / (abs(corner) + 1.0))


def _backtrack(objective: _Objective, x, value, step, slope, shrink=0.5, armijo=1e-4):
    length = 1.0
    for _ in range(60):
        trial = x + length * step
        trial_value = objective.value(trial)
        if np.isfinite(trial_value) and trial_value <= value + armijo * length * slope:
            return trial, trial_value
        length *= shrink
    return x, value  # no decrease at machine precision: the next decrement test stops the loop


def _result(objective, hessian, x, ties, use_t, alpha, iterations, converged, want_errors) -> BradleyTerryFit:
    s, terms = objective.terms(x)
    scores, tie, tie_se, ses = s - s.mean(), None, None, None
    if want_errors or use_t:
        _, factor, cross, corner = objective.derivatives(x, hessian)
        ses = factor.centred_inverse_diagonal() if want_errors else None
    if use_t:
        w = factor.solve(cross)
        schur = corner - cross @ w
        tie, d_tie = published_tie_parameter(ties, float(x[-1]))
        if schur > 0:
            tie_se = d_tie / np.sqrt(schur)
            if ses is not None:
                ses = ses + w**2 / schur  # the t uncertainty widens the scores' marginal variances
    elif ties == "davidson":
        tie = 0.0
    elif ties == "rao-kupper":
        tie = 1.0
    if ses is not None:
        ses = np.sqrt(np.maximum(ses, 0.0))
    components = connected_components(hessian.pattern(), directed=False)[0]
    return BradleyTerryFit(scores=scores, std_errors=ses, ties=ties, tie_parameter=tie, tie_std_error=tie_se,
                           log_likelihood=float(terms.loglik.sum()), prior_precision=alpha, iterations=iterations,
                           converged=converged, n_components=int(components))


def _check_initial(initial_scores, n_items) -> np.ndarray:
    arr = np.asarray(initial_scores, dtype=np.float64)
    if arr.shape != (n_items,) or not np.isfinite(arr).all():
        raise ValueError(f"initial_scores has shape {arr.shape}; allowed: None or ({n_items},) finite floats")
    return arr.copy()

"""How sure comparison data make each item the Condorcet, Copeland or Borda winner: a seeded bootstrap.

Two models of the data:

- ``"empirical"`` (the dueling-bandit setting: few items, every pair compared): P[i, j] is the share
  of i's wins against j (a tie counts half). A bootstrap replicate redraws, pair by pair, as many
  comparisons of that pair as the data hold (a multinomial over win / tie / loss with the observed
  shares), so every replicate has the same design as the data. Cycles and Copeland-Borda
  disagreements show up as they are.
- ``"bradley-terry"`` (any number of items, sparse data): a replicate redraws M comparisons with
  replacement and refits the scores (``fit_bradley_terry``, warm-started). Under Bradley-Terry
  P[i, j] grows with s_i - s_j, so the three winners are all the top-scoring item; the probabilities
  are the same for the three criteria and there is always a Condorcet winner.

A replicate with several tied Copeland or Borda winners gives each of them an equal share, so every
probability vector sums to 1 (with ``no_condorcet`` for Condorcet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlhf_gym.preferences.bradley_terry import BradleyTerryFit, fit_bradley_terry
from rlhf_gym.preferences.checks import check_comparisons, check_count
from rlhf_gym.preferences.winners import SCORE_ATOL, Winners, winners

MODELS = ("empirical", "bradley-terry")


@dataclass(frozen=True)
class WinnerProbabilities:
    """Bootstrap probabilities (K,) that each item is the winner, and the estimate from all the data."""

    condorcet: np.ndarray
    no_condorcet: float
    copeland: np.ndarray
    borda: np.ndarray
    estimate: Winners
    """the winners of the data's own preference matrix (empirical, or the fitted Bradley-Terry one)"""
    n_bootstrap: int
    model: str
    fit: BradleyTerryFit | None = None


def empirical_preferences(pairs, outcomes, n_items=None) -> tuple[np.ndarray, np.ndarray]:
    """(P, counts): P[i, j] = (wins of i over j + ties / 2) / counts[i, j], NaN where the two were never
    compared, 0.5 on the diagonal; counts (K, K) ints, symmetric."""
    i, j, mu, n_items = check_comparisons(pairs, outcomes, n_items)
    counts = np.zeros((n_items, n_items))
    np.add.at(counts, (i, j), 1.0)
    counts += counts.T
    score = np.zeros((n_items, n_items))
    np.add.at(score, (i, j), mu)
    np.add.at(score, (j, i), 1.0 - mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        P = np.where(counts > 0, score / counts, np.nan)
    np.fill_diagonal(P, 0.5)
    return P, counts.astype(np.int64)


def winner_probabilities(pairs, outcomes, n_items=None, *, rng: np.random.Generator, n_bootstrap: int = 1000,
                         model: str = "empirical", prior_precision: float = 1e-3,
                         ties: str = "half") -> WinnerProbabilities:
    """Bootstrap probabilities that each item is the Condorcet / Copeland / Borda winner (module doc).

    ``rng`` draws every replicate (pass ``np.random.default_rng(seed)``); ``model="empirical"`` needs
    every pair of the ``n_items`` compared at least once; ``prior_precision`` and ``ties`` go to
    ``fit_bradley_terry`` for ``model="bradley-terry"``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng={rng!r}; allowed: a numpy.random.Generator, e.g. np.random.default_rng(0)")
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, 1)
    if model not in MODELS:
        raise ValueError(f"model={model!r}; allowed: one of {', '.join(repr(m) for m in MODELS)}")
    i, j, mu, n_items = check_comparisons(pairs, outcomes, n_items)
    if model == "empirical":
        return _empirical(i, j, mu, n_items, rng, n_bootstrap)
    return _bradley_terry(i, j, mu, n_items, rng, n_bootstrap, prior_precision, ties)


def _empirical(i, j, mu, n_items, rng, n_bootstrap) -> WinnerProbabilities:
    P, counts = empirical_preferences(np.column_stack([i, j]), mu, n_items)
    a, b = np.triu_indices(n_items, k=1)
    missing = np.flatnonzero(counts[a, b] == 0)
    if missing.size:
        k = int(missing[0])
        raise ValueError(f"pairs never compares items {int(a[k])} and {int(b[k])} ({missing.size} of {a.size} pairs "
                         f"are missing); allowed for model='empirical': every pair of the n_items={n_items} items "
                         f"compared at least once (model='bradley-terry' handles sparse data)")
    shares = np.zeros((n_items, n_items, 3))  # (first wins, tie, second wins) per ordered pair
    np.add.at(shares, (i, j), np.column_stack([mu == 1.0, mu == 0.5, mu == 0.0]))
    np.add.at(shares, (j, i), np.column_stack([mu == 0.0, mu == 0.5, mu == 1.0]))
    n_ab = counts[a, b]
    pvals = shares[a, b] / n_ab[:, None]
    tally = _Tally(n_items)
    chunk = max(1, 4_000_000 // (n_items * n_items))
    for start in range(0, n_bootstrap, chunk):
        size = min(chunk, n_bootstrap - start)
        draws = rng.multinomial(n_ab, pvals, size=(size, a.size))  # (size, pairs, 3)
        p_ab = (draws[..., 0] + 0.5 * draws[..., 1]) / n_ab
        replicate = np.full((size, n_items, n_items), 0.5)
        replicate[:, a, b] = p_ab
        replicate[:, b, a] = 1.0 - p_ab
        tally.add(replicate)
    return tally.result(winners(P), n_bootstrap, "empirical")


def _bradley_terry(i, j, mu, n_items, rng, n_bootstrap, prior_precision, ties) -> WinnerProbabilities:
    pairs = np.column_stack([i, j])
    fit = fit_bradley_terry(pairs, mu, n_items, prior_precision=prior_precision, ties=ties, std_errors=False)
    top = np.zeros(n_items)
    for _ in range(n_bootstrap):
        pick = rng.integers(0, mu.size, size=mu.size)
        refit = fit_bradley_terry(pairs[pick], mu[pick], n_items, prior_precision=prior_precision, ties=ties,
                                  std_errors=False, initial_scores=fit.scores)
        best = np.flatnonzero(refit.scores >= refit.scores.max() - SCORE_ATOL)
        top[best] += 1.0 / best.size
    top /= n_bootstrap
    return WinnerProbabilities(condorcet=top, no_condorcet=0.0, copeland=top.copy(), borda=top.copy(),
                               estimate=winners(fit.preference_matrix()), n_bootstrap=n_bootstrap,
                               model="bradley-terry", fit=fit)


class _Tally:
    """Counts, over batches of replicate matrices (B, K, K) with 0.5 on the diagonal, who wins."""

    def __init__(self, n_items: int):
        self.n = n_items
        self.condorcet, self.copeland, self.borda = np.zeros(n_items), np.zeros(n_items), np.zeros(n_items)
        self.none = 0.0

    def add(self, P: np.ndarray) -> None:
        copeland = (P > 0.5).sum(axis=2) - (P < 0.5).sum(axis=2)
        borda = (P.sum(axis=2) - 0.5) / (self.n - 1)
        is_condorcet = copeland == self.n - 1
        self.condorcet += is_condorcet.sum(axis=0)
        self.none += float((~is_condorcet.any(axis=1)).sum())
        for scores, total, atol in ((copeland, self.copeland, 0), (borda, self.borda, SCORE_ATOL)):
            best = scores >= scores.max(axis=1, keepdims=True) - atol
            total += (best / best.sum(axis=1, keepdims=True)).sum(axis=0)

    def result(self, estimate: Winners, n_bootstrap: int, model: str) -> WinnerProbabilities:
        return WinnerProbabilities(condorcet=self.condorcet / n_bootstrap, no_condorcet=self.none / n_bootstrap,
                                   copeland=self.copeland / n_bootstrap, borda=self.borda / n_bootstrap,
                                   estimate=estimate, n_bootstrap=n_bootstrap, model=model)

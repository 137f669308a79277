"""What one session tells each method: the interleaving vote or the A/B metric, simulated session by
session, and its exact distribution over sessions (enumerating every click vector).

Why exact: a session's outcome takes a few values (a vote in {-1, 0, +1}, a click count 0..L, ...),
so its distribution, averaged over queries, coin flips and the user's clicks, can be computed
exactly from the cascade model's probability of each of the 2^L click vectors. ``power.py`` then
draws experiments of n sessions from it: the same as simulating n sessions, at a cost independent
of n. ``simulate_sessions`` runs the full chain (interleave, click, credit) and must agree with it.

Methods: "team_draft" and "balanced" (one interleaved list per session, a vote per session);
"ab_clicks" (clicks per session; more is better), "ab_abandonment" (a session without a click;
less is better) and "ab_first_click" (1 / rank of the first click, 0 without one; more is better),
each an A/B test in which a session sees one ranker's list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlhf_gym.interleaving import checks
from rlhf_gym.interleaving.balanced import all_balanced
from rlhf_gym.interleaving.cascade import CascadeUser, all_patterns
from rlhf_gym.interleaving.credit import balanced_credit, team_draft_credit
from rlhf_gym.interleaving.rankers import RankerPair
from rlhf_gym.interleaving.team_draft import all_team_drafts

INTERLEAVING = ("team_draft", "balanced")
AB_METRICS = {"ab_clicks": True, "ab_abandonment": False, "ab_first_click": True}  # higher is better?
METHODS = INTERLEAVING + tuple(AB_METRICS)


def session_metric(method: str, clicks: np.ndarray) -> np.ndarray:
    """The A/B metric of each session from its clicks (..., L)."""
    if method == "ab_clicks":
        return clicks.sum(axis=-1).astype(np.float64)
    if method == "ab_abandonment":
        return (~clicks.any(axis=-1)).astype(np.float64)
    first = np.argmax(clicks, axis=-1)
    return np.where(clicks.any(axis=-1), 1.0 / (first + 1), 0.0)


@dataclass(frozen=True)
class OutcomeDistribution:
    """P(a session's outcome = ``values[v]``): ``better[v]``; for an A/B metric ``better`` is the truly
    better ranker's arm and ``worse`` the other's, for interleaving ``better`` is the vote's
    distribution with +1 = the truly better ranker wins (``worse`` is None)."""

    method: str
    values: np.ndarray
    better: np.ndarray
    worse: np.ndarray | None = None

    @property
    def higher_is_better(self) -> bool:
        return AB_METRICS.get(self.method, True)

    def moments(self, probs: np.ndarray) -> tuple[float, float]:
        mean = float(probs @ self.values)
        return mean, float(probs @ (self.values - mean) ** 2)

    @property
    def delta(self) -> float:
        """The expected per-session advantage of the truly better ranker (> 0: the method points the
        right way): the mean vote, or the difference of the arms' means (signed so larger is right)."""
        if self.worse is None:
            return self.moments(self.better)[0]
        gap = self.moments(self.better)[0] - self.moments(self.worse)[0]
        return gap if self.higher_is_better else -gap


def interleaving_tables(pair: RankerPair, method: str) -> dict[str, np.ndarray]:
    """Every list ``method`` can show for each query, equally likely: ``docs``, ``teams``, ``rank_a``,
    ``rank_b``, each (Q, M, depth)."""
    build = all_team_drafts if method == "team_draft" else all_balanced
    lists = [build(a, b, pair.depth) for a, b in zip(pair.a, pair.b)]
    return {key: np.array([[getattr(x, key) for x in per_query] for per_query in lists])
            for key in ("docs", "teams", "rank_a", "rank_b")}


def _check(pair, method, user) -> tuple[CascadeUser, ...]:
    """The users, as a tuple (one user, or a population of which each session draws one uniformly)."""
    if not isinstance(pair, RankerPair):
        raise ValueError(f"pair: got {type(pair).__name__}; allowed: a RankerPair (rankers.ranker_pair)")
    checks.choice("method", method, METHODS)
    users = (user,) if isinstance(user, CascadeUser) else tuple(user) if isinstance(user, (list, tuple)) else ()
    if not users or not all(isinstance(u, CascadeUser) for u in users):
        raise ValueError(f"user: got {user!r}; allowed: a CascadeUser or a non-empty list of them")
    return users


def _clicks_of(users, grades, rng) -> np.ndarray:
    """Clicks of sessions showing ``grades`` (n, L), each by a user drawn uniformly from ``users``."""
    if len(users) == 1:
        return users[0].clicks(grades, rng)
    who = rng.integers(len(users), size=grades.shape[0])
    clicks = np.zeros(grades.shape, dtype=bool)
    for k, user in enumerate(users):
        clicks[who == k] = user.clicks(grades[who == k], rng)
    return clicks


def _credit(method, clicks, tables, index) -> np.ndarray:
    if method == "team_draft":
        return team_draft_credit(clicks, tables["teams"][index])
    return balanced_credit(clicks, tables["rank_a"][index], tables["rank_b"][index])


def exact_distribution(pair: RankerPair, method: str, user, chunk: int = 8) -> OutcomeDistribution:
    """The exact distribution of one session's outcome (query uniform over the pair's queries; ``user``
    a CascadeUser, or a list of them of which each session draws one uniformly: the mixture)."""
    users = _check(pair, method, user)
    patterns = all_patterns(pair.depth)
    sign = 1 if pair.better == "a" else -1
    n_queries = pair.grades.shape[0]
    if method in INTERLEAVING:
        tables = interleaving_tables(pair, method)
        total = np.zeros(3)
        for start in range(0, n_queries, chunk):
            rows = slice(start, start + chunk)
            shown = np.take_along_axis(pair.grades[rows][:, None, :], tables["docs"][rows], axis=2)  # (q, M, L)
            votes = sign * _credit(method, patterns, tables, (rows, slice(None), None)).astype(np.int64)  # (q, M, P)
            probs = sum(u.pattern_probabilities(shown) for u in users)  # (q, M, P)
            total += [probs[votes == v].sum() for v in (-1, 0, 1)]
        total /= n_queries * tables["docs"].shape[1] * len(users)
        return OutcomeDistribution(method, np.array([-1.0, 0.0, 1.0]), total)
    metric = session_metric(method, patterns)
    values = np.unique(metric)
    which = np.searchsorted(values, metric)
    arms = []
    for ranking in (pair.a, pair.b):
        shown = np.take_along_axis(pair.grades, ranking[:, :pair.depth], axis=1)
        per_pattern = np.mean([u.pattern_probabilities(shown).mean(axis=0) for u in users], axis=0)  # (P,)
        arms.append(np.bincount(which, weights=per_pattern, minlength=values.size))
    better, worse = (arms[0], arms[1]) if sign == 1 else (arms[1], arms[0])
    return OutcomeDistribution(method, values, better, worse)


@dataclass(frozen=True)
class Sessions:
    """Simulated sessions: ``query`` (n,) each session's query, ``arm`` (n,) the ranker shown in an A/B
    test (0 = a, 1 = b; None for interleaving), ``value`` (n,) the vote (+1 = a wins) or the metric."""

    method: str
    query: np.ndarray
    arm: np.ndarray | None
    value: np.ndarray


def simulate_sessions(pair: RankerPair, method: str, user, n_sessions: int, rng: np.random.Generator) -> Sessions:
    """``n_sessions`` sessions, each with a uniformly drawn query: interleaving draws the coin flips
    (a uniform member of ``interleaving_tables``), an A/B test a fair coin for the arm; the user (drawn
    from ``user`` if it is a list) clicks."""
    users = _check(pair, method, user)
    n_sessions = checks.positive_int("n_sessions", n_sessions)
    rng = checks.generator("rng", rng)
    query = rng.integers(pair.grades.shape[0], size=n_sessions)
    if method in INTERLEAVING:
        tables = interleaving_tables(pair, method)
        pick = rng.integers(tables["docs"].shape[1], size=n_sessions)
        shown = pair.grades[query[:, None], tables["docs"][query, pick]]
        clicks = _clicks_of(users, shown, rng)
        return Sessions(method, query, None, _credit(method, clicks, tables, (query, pick)))
    arm = rng.integers(2, size=n_sessions)
    lists = np.where(arm[:, None] == 0, pair.a[query, :pair.depth], pair.b[query, :pair.depth])
    clicks = _clicks_of(users, pair.grades[query[:, None], lists], rng)
    return Sessions(method, query, arm, session_metric(method, clicks))

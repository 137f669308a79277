"""Interleaving: compare two rankers by mixing their results in one list and letting clicks vote.

``team_draft(a, b, rng)`` and ``balanced(a, b, rng)`` interleave two rankings (document ids, best
first) into an ``Interleaving`` (``docs``, ``teams``, ``rank_a``, ``rank_b``; ``.outcome(clicks)``
is +1 / 0 / -1 per session: a wins, tie, b wins). ``CascadeUser`` clicks top-down, vectorised over
sessions. ``ranker_pair`` builds two rankers of known quality; ``compare(pair, method, user, rng)``
finds the sessions a method needs to pick the better one with 95% confidence (``power.py`` has the
definition). numpy and scipy only; every random draw comes from the caller's generator.
"""

from rlhf_gym.interleaving.balanced import all_balanced, balanced, balanced_with_coin
from rlhf_gym.interleaving.cascade import CLICK_MODELS, CascadeUser, all_patterns
from rlhf_gym.interleaving.credit import balanced_credit, team_draft_credit
from rlhf_gym.interleaving.interleaved import ABSENT, Interleaving
from rlhf_gym.interleaving.outcomes import (AB_METRICS, INTERLEAVING, METHODS, OutcomeDistribution, Sessions,
                                            exact_distribution, session_metric, simulate_sessions)
from rlhf_gym.interleaving.power import SessionsNeeded, compare, sessions_needed
from rlhf_gym.interleaving.rankers import RankerPair, make_queries, ndcg, noisy_ranking, ranker_pair
from rlhf_gym.interleaving.team_draft import all_team_drafts, team_draft, team_draft_with_coins

__all__ = ["ABSENT", "AB_METRICS", "CLICK_MODELS", "INTERLEAVING", "METHODS", "CascadeUser", "Interleaving",
           "OutcomeDistribution", "RankerPair", "Sessions", "SessionsNeeded", "all_balanced", "all_patterns",
           "all_team_drafts", "balanced", "balanced_credit", "balanced_with_coin", "compare", "exact_distribution",
           "make_queries", "ndcg", "noisy_ranking", "ranker_pair", "session_metric", "sessions_needed",
           "simulate_sessions", "team_draft", "team_draft_credit", "team_draft_with_coins"]

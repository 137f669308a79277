"""Preferences over K items: Bradley-Terry scores with standard errors, and winners.

``fit_bradley_terry(pairs, outcomes)`` fits scores to comparisons; ``winners(P)`` reads the
Condorcet, Copeland and Borda winners of a preference matrix; ``winner_probabilities(pairs,
outcomes, rng=...)`` says how sure the data make each of them (a seeded bootstrap). Only numpy and
scipy are imported. See docs/items.md.
"""

from rlhf_gym.preferences.bradley_terry import BradleyTerryFit, fit_bradley_terry
from rlhf_gym.preferences.checks import check_comparisons, check_preference_matrix
from rlhf_gym.preferences.winner_bootstrap import WinnerProbabilities, empirical_preferences, winner_probabilities
from rlhf_gym.preferences.winners import (Winners, borda_scores, borda_winners, condorcet_winner, copeland_scores,
                                          copeland_winners, winners)

__all__ = ["BradleyTerryFit", "WinnerProbabilities", "Winners", "borda_scores", "borda_winners",
           "check_comparisons", "check_preference_matrix", "condorcet_winner", "copeland_scores",
           "copeland_winners", "empirical_preferences", "fit_bradley_terry", "winner_probabilities", "winners"]

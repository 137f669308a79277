"""Dueling bandits (Yue et al. 2012): preference matrices, regret, and vectorised algorithms.

``run_dueling_bandit(name, preferences, horizon, n_runs, seed)`` runs Interleaved Filter 2 (``"if2"``),
RUCB (``"rucb"``), RMED1 (``"rmed1"``) or Copeland Confidence Bound (``"ccb"``) in many independent
runs at once and returns their strong, weak and Copeland cumulative regret curves. numpy only.
"""

from rlhf_gym.bandits.instances import INSTANCES, bradley_terry_matrix, builtin_instance, validate_preferences
from rlhf_gym.bandits.regret import (REGRET_KINDS, best_arm, condorcet_winner, copeland_scores, copeland_winners,
                                     cumulative_regret, regret_table)
from rlhf_gym.bandits.runner import ALGORITHMS, DuelingBanditResult, run_dueling_bandit

__all__ = ["ALGORITHMS", "INSTANCES", "REGRET_KINDS", "DuelingBanditResult", "best_arm", "bradley_terry_matrix",
           "builtin_instance", "condorcet_winner", "copeland_scores", "copeland_winners", "cumulative_regret",
           "regret_table", "run_dueling_bandit", "validate_preferences"]

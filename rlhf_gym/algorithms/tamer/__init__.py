"""TAMER (Knox & Stone 2009): learn a model Ĥ(s, a) of a trainer's +/- signals and act greedily on it.

``credit`` spreads a delayed signal over the steps it may be about, ``features`` gives each env
family's (state, action) features, ``agent`` holds Ĥ and learns, ``training`` runs the loop with a
trainer (``rlhf_gym.feedback.simulated_trainer`` for tests and baselines). Needs numpy only.
"""

from rlhf_gym.algorithms.tamer.agent import WEIGHTS_FILE, TamerAgent, seconds_per_step_of
from rlhf_gym.algorithms.tamer.credit import UniformDelay, step_credit
from rlhf_gym.algorithms.tamer.features import (
    FAMILIES, SUPPORTED, LinearPerAction, TabularFeatures, TetrisAfterstates, features_for,
)
from rlhf_gym.algorithms.tamer.training import EpisodeStats, TamerRun, run_episode, train_tamer

__all__ = [
    "FAMILIES", "SUPPORTED", "WEIGHTS_FILE", "EpisodeStats", "LinearPerAction", "TabularFeatures", "TamerAgent",
    "TamerRun", "TetrisAfterstates", "UniformDelay", "features_for", "run_episode", "seconds_per_step_of",
    "step_credit", "train_tamer",
]

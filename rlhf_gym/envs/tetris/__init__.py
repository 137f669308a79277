"""Tetris: the 10 x 20 game with one placement per step (manual: ``env.TetrisEnv``).
``pieces`` holds the tetrominoes and precomputed placement tables, ``features`` the board features
and the vectorised afterstates, ``render`` draws frames as numpy images."""

from rlhf_gym.envs.tetris.env import OBS_FIELDS, OBS_TYPES, TetrisEnv
from rlhf_gym.envs.tetris.features import AFTERSTATE_FEATURES, AFTERSTATE_INDEX, STATE_FEATURES, afterstates
from rlhf_gym.envs.tetris.pieces import N_ACTIONS, N_PLACEMENTS, PIECE_NAMES

__all__ = ["AFTERSTATE_FEATURES", "AFTERSTATE_INDEX", "N_ACTIONS", "N_PLACEMENTS", "OBS_FIELDS", "OBS_TYPES",
           "PIECE_NAMES", "STATE_FEATURES", "TetrisEnv", "afterstates"]

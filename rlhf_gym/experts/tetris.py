"""Scripted Tetris player: Dellacherie's hand-tuned linear evaluation of afterstates.

Why scripted: TAMER's agent learns a linear function of afterstate features from a person's +/-
signals (Knox & Stone 2009); a hand-tuned linear function of the same kind gives demonstrations,
DAgger labels, a simulated trainer's notion of a good move and a yardstick, without training.

Each step it scores every placement of the current piece by ``AFTERSTATE_FEATURES @ weights`` and
plays the best one (ties: the lowest action). Pierre Dellacherie's weights (Fahey 2003; Thiery &
Scherrer 2009 report about 660,000 lines per game on 10 x 20): -1 landing height, +1 eroded piece
cells, -1 row transitions, -1 column transitions, -4 holes, -1 cumulative wells. It clears thousands
of lines per game here (``baselines/bench_tetris.py`` measures it); with one-piece look-ahead and no
knowledge of the next piece it does lose, rarely.

Observations: with ``obs_type="board"`` the observation holds the whole position, so ``predict``
works on any batch of them. A ``"features"`` observation (heights and holes) does not; the expert
then reads the board of the env it was made for (``env.unwrapped``), and checks that the observation
is that env's current one.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.tetris import AFTERSTATE_FEATURES, AFTERSTATE_INDEX, TetrisEnv, afterstates
from rlhf_gym.envs.tetris import pieces as pc

DELLACHERIE = {"landing_height": -1.0, "eroded_cells": 1.0, "row_transitions": -1.0,
               "column_transitions": -1.0, "holes": -4.0, "cumulative_wells": -1.0}


def weight_vector(weights: dict) -> np.ndarray:
    """A dict {afterstate feature name: weight} as a vector over ``AFTERSTATE_FEATURES``."""
    unknown = sorted(set(weights) - set(AFTERSTATE_FEATURES))
    if unknown:
        raise ValueError(f"weights: unknown feature names {unknown}; allowed: {AFTERSTATE_FEATURES}")
    w = np.zeros(len(AFTERSTATE_FEATURES))
    for name, value in weights.items():
        w[AFTERSTATE_INDEX[name]] = float(value)
    return w


def best_action(features: np.ndarray, mask: np.ndarray, w: np.ndarray) -> int:
    """The masked action with the highest linear score (the lowest such action on ties)."""
    score = np.where(mask, features @ w, -np.inf)
    return int(np.argmax(score))


class TetrisExpert:
    """Greedy linear afterstate player with Stable-Baselines3's ``predict`` signature."""

    def __init__(self, env, weights: dict | None = None) -> None:
        base = getattr(env, "unwrapped", env)
        if not isinstance(base, TetrisEnv):
            raise ValueError(f"TetrisExpert: env must be a Tetris env; got {type(base).__name__}")
        self.env = base
        self.weights = dict(DELLACHERIE if weights is None else weights)
        self.w = weight_vector(self.weights)
        self.observation_space = base.observation_space
        self.action_space = base.action_space

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = True):
        """Return (actions, state): a 0-d int64 array for one observation, (n,) for a batch."""
        obs = np.asarray(observation, dtype=np.float32)
        width = self.observation_space.shape[0]
        if obs.ndim not in (1, 2) or obs.shape[-1] != width:
            raise ValueError(f"TetrisExpert.predict: observation must have shape ({width},) or (n, {width}) "
                             f"(obs_type={self.env.obs_type!r}); got shape {obs.shape}")
        rows = obs.reshape(-1, width)
        if self.env.obs_type == "board":
            actions = np.array([self._from_board(row) for row in rows], dtype=np.int64)
        else:
            if rows.shape[0] != 1 or not np.array_equal(rows[0], self.env._obs()):
                raise ValueError(
                    "TetrisExpert.predict: a 'features' observation does not hold the board, so the expert "
                    "reads its env's current position, and this observation is not that env's current one "
                    f"(batch of {rows.shape[0]}); use obs_type='board' for batches from several envs")
            features, _, mask = self.env.afterstates()
            actions = np.array([best_action(features, mask, self.w)], dtype=np.int64)
        return (actions.reshape(()) if obs.ndim == 1 else actions), state

    def _from_board(self, row: np.ndarray) -> int:
        cells = row[:pc.HEIGHT * pc.WIDTH].reshape(pc.HEIGHT, pc.WIDTH)
        one_hot = row[pc.HEIGHT * pc.WIDTH:]
        if one_hot.sum() != 1 or one_hot.max() != 1:
            raise ValueError(f"TetrisExpert.predict: the observation's piece one-hot is not one-hot: {one_hot}")
        occ = np.zeros((pc.ROWS, pc.WIDTH), dtype=bool)
        occ[:pc.HEIGHT] = cells[::-1] > 0.5
        features, _, mask = afterstates(occ, int(np.argmax(one_hot)))
        return best_action(features, mask, self.w)

    def __call__(self, observation):
        return self.predict(observation)[0]

"""Features of (state, action) for TAMER's linear model Ĥ(s, a) = w · x(s, a), one class per env family.

Why: TAMER learns a regression on the trainer's signals, so what it can learn is what the features
can say. Each family is one small class with ``supports(env)`` and ``__call__(env, obs) -> (X, mask)``:
``X`` (n_actions, n_features) holds every action's feature vector in the current state and ``mask``
(n_actions,) bool the actions the agent may choose (one per distinct move). ``features_for(env)``
picks the first family that supports the env; a new family is one class added to ``FAMILIES``.

- ``TetrisAfterstates`` (rlhf_gym/Tetris-v0): seven afterstate features of each placement
  (``env.unwrapped.afterstates()``: Dellacherie's six -- landing height, eroded cells, row and
  column transitions, holes, cumulative wells -- and the maximum height; ``names=`` picks others
  from ``AFTERSTATE_FEATURES``), minus their mean over the legal placements of the current piece,
  divided by fixed scales (about one standard deviation of that difference in play), no constant.
  So Ĥ(s, a) is how much better than the average placement of this piece the trainer finds a --
  what a +/- signal says -- and its mean over the legal placements is 0: a "+" pushes the chosen
  placement above its alternatives, a "-" below them, and the board's height and holes so far
  (which every placement shares and a greedy choice ignores) do not enter. Knox & Stone's Tetris
  agent was likewise linear in afterstate features. With all 26 features, or with a constant
  (which then absorbs the mostly-"+" signals of a good player and lets the ranking decay), a few
  games of signals were not enough.
- ``TabularFeatures`` (Discrete observations, e.g. the GridWorld family with ``obs_type="index"``):
  one-hot(state) x one-hot(action), so Ĥ is a table.
- ``LinearPerAction`` (1-D Box observations, Discrete actions): the observation and a constant 1
  in the chosen action's block, zeros elsewhere.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


class TetrisAfterstates:
    """Afterstate features of every placement, centred over the legal ones and scaled (module docstring)."""

    name = "tetris_afterstates"
    default_learning_rate = 0.002
    DEFAULT_NAMES = ("landing_height", "eroded_cells", "row_transitions", "column_transitions", "holes",
                     "cumulative_wells", "max_height")
    # about one standard deviation of (placement - mean placement) under expert and random play
    SCALES = {"holes": 2.0, "row_transitions": 2.0, "column_transitions": 1.5, "cumulative_wells": 2.0,
              "eroded_cells": 2.0}

    def __init__(self, env, names=DEFAULT_NAMES) -> None:
        from rlhf_gym.envs.tetris import AFTERSTATE_FEATURES, AFTERSTATE_INDEX

        unknown = [n for n in names if n not in AFTERSTATE_INDEX]
        if unknown or not names:
            raise ValueError(f"names: {list(names)!r}; allowed: a non-empty list of {AFTERSTATE_FEATURES}")
        self.columns = np.array([AFTERSTATE_INDEX[n] for n in names])
        self.feature_names = tuple(names)
        self.n_features = len(self.feature_names)
        self.scale = np.array([self.SCALES.get(n, 1.0) for n in names])

    @staticmethod
    def supports(env) -> bool:
        from rlhf_gym.envs.tetris import TetrisEnv

        return isinstance(env.unwrapped, TetrisEnv)

    def __call__(self, env, obs):
        raw, _, mask = env.unwrapped.afterstates()
        raw = raw[:, self.columns]
        return (raw - raw[mask].mean(axis=0)) / self.scale, mask


class TabularFeatures:
    """one-hot(state) x one-hot(action): Ĥ is a table of n_states x n_actions entries."""

    name = "tabular"
    default_learning_rate = 0.5

    def __init__(self, env) -> None:
        self.n_states = int(env.observation_space.n)
        self.n_actions = int(env.action_space.n)
        self.n_features = self.n_states * self.n_actions
        self.feature_names = tuple(f"s{s}_a{a}" for s in range(self.n_states) for a in range(self.n_actions))
        self._mask = np.ones(self.n_actions, dtype=bool)

    @staticmethod
    def supports(env) -> bool:
        return isinstance(env.observation_space, spaces.Discrete) and isinstance(env.action_space, spaces.Discrete)

    def __call__(self, env, obs):
        state = int(obs) - int(env.observation_space.start)
        x = np.zeros((self.n_actions, self.n_features))
        x[np.arange(self.n_actions), state * self.n_actions + np.arange(self.n_actions)] = 1.0
        return x, self._mask


class LinearPerAction:
    """The observation and a constant 1 in the action's block: one linear model per action."""

    name = "linear_per_action"
    default_learning_rate = 0.01

    def __init__(self, env) -> None:
        self.obs_size = int(np.prod(env.observation_space.shape))
        self.n_actions = int(env.action_space.n)
        block = self.obs_size + 1
        self.n_features = block * self.n_actions
        self.feature_names = tuple(f"a{a}_{'bias' if i == self.obs_size else f'obs{i}'}"
                                   for a in range(self.n_actions) for i in range(block))
        self._mask = np.ones(self.n_actions, dtype=bool)

    @staticmethod
    def supports(env) -> bool:
        return (isinstance(env.observation_space, spaces.Box) and len(env.observation_space.shape) == 1
                and isinstance(env.action_space, spaces.Discrete))

    def __call__(self, env, obs):
        block = self.obs_size + 1
        x = np.zeros((self.n_actions, self.n_features))
        values = np.append(np.asarray(obs, dtype=np.float64).ravel(), 1.0)
        for a in range(self.n_actions):
            x[a, a * block:(a + 1) * block] = values
        return x, self._mask


FAMILIES = (TetrisAfterstates, TabularFeatures, LinearPerAction)
SUPPORTED = ("rlhf_gym/Tetris-v0 (afterstate features), Discrete observations with Discrete actions (a table, "
             "e.g. the GridWorld family with obs_type='index'), 1-D Box observations with Discrete actions "
             "(linear per action)")


def features_for(env):
    """The feature family for ``env`` (wrapped or not); a ValueError listing the supported ones otherwise."""
    for family in FAMILIES:
        if family.supports(env):
            return family(env)
    spec = getattr(env, "spec", None)
    name = spec.id if spec is not None else type(env.unwrapped).__name__
    spaces_ = f"{type(env.observation_space).__name__} observations, {type(env.action_space).__name__} actions"
    raise ValueError(f"env: {name} ({spaces_}) has no TAMER features; "
                     f"allowed: {SUPPORTED}")


__all__ = ["FAMILIES", "SUPPORTED", "LinearPerAction", "TabularFeatures", "TetrisAfterstates", "features_for"]

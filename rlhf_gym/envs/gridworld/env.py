"""GridWorld: a tabular env whose full model (dynamics, features, reward) is public.

Inverse RL, preference learning and honest evaluation all need the true MDP, so the env publishes
it on ``unwrapped`` and ``step`` samples from exactly that model.

Layout legend (see ``layouts``): ``#`` wall, ``.`` floor, ``S`` start (several: uniform
initial distribution), ``G`` goal (terminal, positive), ``L`` lava (terminal, negative),
``a``-``z`` object colours (ObjectWorld). Built-in layouts: ``open_room``, ``cliff_walk``,
``lava_maze``, ``lava_ledge``, ``objectworld`` (random ``size`` x ``size``, seeded by ``layout_seed``).

Model conventions:
- States are the non-wall cells in row-major order (``state_cells[s] = (row, col)``,
  ``cell_to_state[row, col] = s`` or -1 for walls).
- Actions: 0 up, 1 right, 2 down, 3 left, and 4 stay when ``allow_stay=True``. Moving into a
  wall or off the map leaves the agent in place.
- Slip: with probability ``slip`` the executed action is drawn uniformly from all ``n_actions``
  actions (the intended one included), so P(intended) = 1 - slip + slip / n_actions.
- Reward is received on ENTERING a state: r(s, a, s') = state_rewards[s'] when s is not terminal.
  ``state_rewards = state_features @ reward_weights``. Goals and lava are terminal: ``step``
  returns terminated=True on entering them, and in the model they are absorbing with zero reward.
- Episodes last at most ``horizon`` steps (the env truncates itself; finite-horizon planners read
  the same number). Default: max(2 * (rows + cols), 2 * longest start-to-goal path). ObjectWorld
  has no terminals, so every episode has the fixed horizon length, which keeps termination from
  leaking reward information to preference learners.
- Observations (``obs_type``): ``index`` (Discrete(S), a plain int), ``onehot`` (float32 (S,)),
  ``features`` (float32: row / (rows-1), col / (cols-1), then the state's features), ``rgb``
  (uint8 image, ``obs_cell_px`` pixels per cell, agent cell painted magenta). ``state_from_obs``
  inverts every one of them, for one observation or a batch.
"""

from __future__ import annotations

import operator

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from scipy import sparse

from rlhf_gym.envs.gridworld import render as grid_render
from rlhf_gym.envs.gridworld.layouts import (
    GOAL, LAVA, START, WALL, check_number, goal_distances, resolve_layout, state_features,
)

ACTION_NAMES = ("up", "right", "down", "left", "stay")
_MOVES = np.array([(-1, 0), (0, 1), (1, 0), (0, -1), (0, 0)], dtype=np.int64)
OBS_TYPES = ("index", "onehot", "features", "rgb")
DENSE_LIMIT = 4096  # dense (S, A, S) transition tensors only up to this many states


class GridWorldEnv(gym.Env):
    """Tabular grid world with a public model; see the module docstring for the conventions.

    Keyword arguments: ``layout`` (built-in name or list of row strings), ``slip`` in [0, 1],
    ``obs_type``, ``render_mode``; for ``layout="objectworld"`` also ``size`` (2..256, default 16),
    ``layout_seed`` (default 0) and ``n_colours`` (default 2); ``horizon`` (episode length),
    ``allow_stay`` (adds action 4); reward: ``step_cost``/``goal_reward``/``lava_reward`` or
    ``reward_weights`` (see ``layouts.state_features``); ``obs_cell_px`` for rgb observations.
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": 8}
    reward_on = "next_state"  # r(s, a, s') = state_rewards[s']: read by the tabular planners

    def __init__(self, layout="open_room", slip=0.0, obs_type="index", render_mode=None, size=None,
                 layout_seed=None, horizon=None, allow_stay=False, step_cost=None, goal_reward=None,
                 lava_reward=None, reward_weights=None, n_colours=None, obs_cell_px=None):
        self.layout = resolve_layout(layout, size=size, layout_seed=layout_seed, n_colours=n_colours)
        self.slip = check_number("slip", slip, 0.0, 1.0)
        if obs_type not in OBS_TYPES:
            raise ValueError(f"obs_type={obs_type!r} is not allowed; allowed: {list(OBS_TYPES)}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode={render_mode!r} is not allowed; allowed: None or {self.metadata['render_modes']}"
            )
        if not isinstance(allow_stay, (bool, np.bool_)):
            raise ValueError(f"allow_stay={allow_stay!r} is not allowed; allowed: True or False")
        self.obs_type, self.render_mode, self.allow_stay = obs_type, render_mode, bool(allow_stay)
        self.n_actions = 5 if self.allow_stay else 4
        self.action_names = ACTION_NAMES[: self.n_actions]
        self._build_states()
        self._build_features(step_cost, goal_reward, lava_reward, reward_weights)
        self.horizon = self._resolve_horizon(horizon)
        self._build_tables()
        self._build_spaces(obs_cell_px)
        for array in (self.state_cells, self.cell_to_state, self.terminal_states, self.start_states,
                      self.initial_state_distribution, self.state_features, self.reward_weights,
                      self.state_rewards, self.next_state_table):
            array.flags.writeable = False  # step() reads cached copies: edits would silently diverge
        self._window = None
        self._frame_base = None
        self._state = int(self.start_states[0])
        self._t = 0

    # ------------------------------------------------------------------ model construction
    def _build_states(self) -> None:
        chars = self.layout.chars
        cells = np.argwhere(chars != WALL)
        self.state_cells = cells.astype(np.int64)
        self.n_states = int(len(cells))
        self.cell_to_state = np.full(chars.shape, -1, dtype=np.int64)
        self.cell_to_state[cells[:, 0], cells[:, 1]] = np.arange(self.n_states)
        kinds = chars[cells[:, 0], cells[:, 1]]
        self.terminal_states = (kinds == GOAL) | (kinds == LAVA)
        self.start_states = np.nonzero(kinds == START)[0]
        dist = np.zeros(self.n_states)
        dist[self.start_states] = 1.0 / len(self.start_states)
        self.initial_state_distribution = dist
        self._kinds = kinds

    def _build_features(self, step_cost, goal_reward, lava_reward, reward_weights) -> None:
        self.feature_names, self.state_features, self.reward_weights = state_features(
            self.layout, self._kinds, step_cost=step_cost, goal_reward=goal_reward, lava_reward=lava_reward,
            reward_weights=reward_weights,
        )
        self.state_rewards = self.state_features @ self.reward_weights

    def _resolve_horizon(self, horizon) -> int:
        layout = self.layout
        need = 1
        if layout.has_goal:
            dist = goal_distances(layout)
            need = int(dist[layout.chars == START].max())
        if horizon is None:
            return max(2 * (layout.rows + layout.cols), 2 * need)
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < need:
            raise ValueError(
                f"horizon={horizon!r} is not allowed; allowed: an int >= {need} (every start must be able "
                "to reach a goal in time) or None for the default"
            )
        return int(horizon)

    def _build_tables(self) -> None:
        """Per-(state, executed action) next states, as numpy and as Python lists for ``step``."""
        rows, cols = self.layout.rows, self.layout.cols
        target = self.state_cells[:, None, :] + _MOVES[None, : self.n_actions, :]
        inside = (target[..., 0] >= 0) & (target[..., 0] < rows) & (target[..., 1] >= 0) & (target[..., 1] < cols)
        clipped_r = np.clip(target[..., 0], 0, rows - 1)
        clipped_c = np.clip(target[..., 1], 0, cols - 1)
        candidate = self.cell_to_state[clipped_r, clipped_c]
        own = np.arange(self.n_states)[:, None]
        nxt = np.where(inside & (candidate >= 0), candidate, own)
        nxt[self.terminal_states] = own[self.terminal_states]
        self.next_state_table = nxt  # (S, A): next state when action a is *executed*
        self._next = nxt.tolist()
        self._terminal = self.terminal_states.tolist()
        self._rewards = self.state_rewards.tolist()
        self._slip_scale = self.n_actions / self.slip if self.slip > 0 else 0.0
        self._transition_sparse = None
        self._transition_dense = None

    @property
    def transition_sparse(self) -> sparse.csr_matrix:
        """CSR matrix of shape (S*A, S); row ``s * n_actions + a`` is P(. | s, a)."""
        if self._transition_sparse is None:
            s_count, a_count = self.n_states, self.n_actions
            executed = np.full((a_count, a_count), self.slip / a_count)  # [intended, executed]
            executed[np.arange(a_count), np.arange(a_count)] += 1.0 - self.slip
            rows = np.repeat(np.arange(s_count * a_count), a_count)
            cols = self.next_state_table[:, None, :].repeat(a_count, axis=1).reshape(-1)
            data = np.tile(executed.reshape(-1), (s_count, 1))
            data[self.terminal_states] = np.eye(a_count).reshape(-1)  # exact self-loops, no rounding
            data = data.reshape(-1)
            mat = sparse.coo_matrix((data, (rows, cols)), shape=(s_count * a_count, s_count)).tocsr()
            mat.eliminate_zeros()
            mat.sort_indices()
            self._transition_sparse = mat
        return self._transition_sparse

    @property
    def transition_matrix(self) -> np.ndarray:
        """Dense (S, A, S) float64 transition tensor; only for S <= 4096 (use ``transition_sparse``)."""
        if self.n_states > DENSE_LIMIT:
            raise ValueError(
                f"transition_matrix is dense and this env has n_states={self.n_states}; allowed: "
                f"n_states <= {DENSE_LIMIT}. Use env.unwrapped.transition_sparse (CSR, shape (S*A, S))"
            )
        if self._transition_dense is None:
            dense = self.transition_sparse.toarray().reshape(self.n_states, self.n_actions, self.n_states)
            dense.flags.writeable = False
            self._transition_dense = dense
        return self._transition_dense

    # ------------------------------------------------------------------ observations
    def _build_spaces(self, obs_cell_px) -> None:
        self.action_space = spaces.Discrete(self.n_actions)
        rows, cols = self.layout.rows, self.layout.cols
        if self.obs_type == "index":
            self.observation_space = spaces.Discrete(self.n_states)
            self._obs = int
        elif self.obs_type == "onehot":
            self.observation_space = spaces.Box(0.0, 1.0, (self.n_states,), np.float32)
            self._obs = self._onehot
        elif self.obs_type == "features":
            pos = self.state_cells / np.array([max(rows - 1, 1), max(cols - 1, 1)], dtype=np.float64)
            self._feature_obs = np.concatenate([pos, self.state_features], axis=1).astype(np.float32)
            self.observation_space = spaces.Box(0.0, 1.0, (self._feature_obs.shape[1],), np.float32)
            self._obs = self._features
        else:
            px = max(1, min(8, 64 // max(rows, cols))) if obs_cell_px is None else obs_cell_px
            if isinstance(px, bool) or not isinstance(px, (int, np.integer)) or not 1 <= px <= 64:
                raise ValueError(f"obs_cell_px={obs_cell_px!r} is not allowed; allowed: an int in [1, 64] or None")
            self.obs_cell_px = int(px)
            self._obs_base = grid_render.grid_image(self.layout, self.obs_cell_px)
            self.observation_space = spaces.Box(0, 255, self._obs_base.shape, np.uint8)
            self._obs = self._rgb
        if self.obs_type != "rgb" and obs_cell_px is not None:
            raise ValueError(
                f"obs_cell_px={obs_cell_px!r} is not allowed with obs_type={self.obs_type!r}; "
                "allowed: None (it only applies to obs_type='rgb')"
            )

    def _onehot(self, s: int) -> np.ndarray:
        obs = np.zeros(self.n_states, dtype=np.float32)
        obs[s] = 1.0
        return obs

    def _features(self, s: int) -> np.ndarray:
        return self._feature_obs[s].copy()

    def _rgb(self, s: int) -> np.ndarray:
        image = self._obs_base.copy()
        row, col = self.state_cells[s]
        grid_render.paint_cell(image, row, col, self.obs_cell_px, grid_render.AGENT_OBS_COLOUR)
        return image

    def observation_of(self, state) -> np.ndarray | int:
        """The observation the env emits in ``state`` (an int state index)."""
        state = self._check_state("state", state)
        return self._obs(state)

    def state_from_obs(self, obs) -> np.ndarray:
        """State indices behind observations: a batch gives shape (N,), a single obs shape ()."""
        arr = np.asarray(obs)
        single = arr.ndim == len(self.observation_space.shape)
        batch = arr.reshape((1,) + arr.shape) if single else arr
        if batch.ndim != len(self.observation_space.shape) + 1 or batch.shape[1:] != self.observation_space.shape:
            raise ValueError(
                f"obs has shape {arr.shape}; allowed: {self.observation_space.shape} or "
                f"(N, *{self.observation_space.shape}) for obs_type={self.obs_type!r}"
            )
        states = getattr(self, f"_decode_{self.obs_type}")(batch)
        return states[0].reshape(()) if single else states

    def _decode_index(self, batch: np.ndarray) -> np.ndarray:
        if batch.size and (not np.issubdtype(batch.dtype, np.integer) or batch.min() < 0
                           or batch.max() >= self.n_states):
            raise ValueError(f"obs={batch!r} is not allowed; allowed: int state indices in [0, {self.n_states})")
        return batch.astype(np.int64)

    def _decode_onehot(self, batch: np.ndarray) -> np.ndarray:
        if not (np.all((batch == 0) | (batch == 1)) and np.all(batch.sum(axis=1) == 1)):
            raise ValueError("obs is not one-hot; allowed: rows with a single 1 and zeros elsewhere")
        return np.argmax(batch, axis=1).astype(np.int64)

    def _decode_features(self, batch: np.ndarray) -> np.ndarray:
        rows, cols = self.layout.rows, self.layout.cols
        scaled = batch[:, :2].astype(np.float64) * np.array([max(rows - 1, 1), max(cols - 1, 1)])
        cells = np.rint(scaled).astype(np.int64)
        ok = (np.abs(scaled - cells).max(axis=1) < 1e-3) & (cells >= 0).all(axis=1)
        ok &= (cells[:, 0] < rows) & (cells[:, 1] < cols)
        states = np.full(len(batch), -1, dtype=np.int64)
        states[ok] = self.cell_to_state[cells[ok, 0], cells[ok, 1]]
        if (states < 0).any():
            bad = int(np.nonzero(states < 0)[0][0])
            raise ValueError(
                f"obs[{bad}]={batch[bad].tolist()} does not encode a (row, col) of a non-wall cell; "
                "allowed: observations this env emitted"
            )
        return states

    def _decode_rgb(self, batch: np.ndarray) -> np.ndarray:
        is_agent = np.all(batch == grid_render.AGENT_OBS_COLOUR, axis=-1).reshape(len(batch), -1)
        found = is_agent.any(axis=1)
        if not found.all():
            bad = int(np.nonzero(~found)[0][0])
            raise ValueError(f"obs[{bad}] has no agent pixel; allowed: images this env emitted")
        pixel = np.argmax(is_agent, axis=1)
        width = batch.shape[2]
        row, col = (pixel // width) // self.obs_cell_px, (pixel % width) // self.obs_cell_px
        return self.cell_to_state[row, col]

    # ------------------------------------------------------------------ gym API
    def _check_state(self, name, state) -> int:
        try:
            s = operator.index(state)
        except TypeError:
            s = None
        if s is None or not 0 <= s < self.n_states:
            raise ValueError(f"{name}={state!r} is not allowed; allowed: an int state index in [0, {self.n_states})")
        return s

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if options and "state" in options:
            self._state = self._check_state("options['state']", options["state"])
        elif len(self.start_states) == 1:
            self._state = int(self.start_states[0])
        else:
            self._state = int(self.start_states[self.np_random.integers(len(self.start_states))])
        self._t = 0
        if self.render_mode == "human":
            self.render()
        return self._obs(self._state), {"state": self._state}

    def step(self, action):
        try:
            a = operator.index(action)
        except TypeError:
            a = -1
        if not 0 <= a < self.n_actions:
            raise ValueError(f"action={action!r} is not allowed; allowed: an int in [0, {self.n_actions})")
        s = self._state
        if self.slip > 0.0:
            u = self.np_random.random()
            if u < self.slip:  # u / slip is uniform on [0, 1): reuse it to pick the executed action
                a = min(int(u * self._slip_scale), self.n_actions - 1)
        ns = self._next[s][a]
        reward = 0.0 if self._terminal[s] else self._rewards[ns]
        self._state = ns
        self._t += 1
        if self.render_mode == "human":
            self.render()
        return self._obs(ns), reward, self._terminal[ns], self._t >= self.horizon, {
            "true_reward": reward, "state": ns}

    # ------------------------------------------------------------------ rendering
    def render(self):
        if self.render_mode is None:
            gym.logger.warn(
                "GridWorldEnv.render() called without a render_mode; pass render_mode='rgb_array' or "
                "'human' to gym.make"
            )
            return None
        frame = self._frame()
        if self.render_mode == "rgb_array":
            return frame
        if self._window is None:
            self._window = grid_render.HumanWindow(f"rlhf_gym GridWorld ({self.layout.name})",
                                                   self.metadata["render_fps"])
        self._window.show(frame)
        return None

    def _frame(self) -> np.ndarray:
        if self._frame_base is None:
            self._frame_px = grid_render.default_cell_px(self.layout.rows, self.layout.cols)
            self._frame_base = grid_render.grid_image(self.layout, self._frame_px)
            self._agent_mask = grid_render.disc_mask(self._frame_px)
        frame = self._frame_base.copy()
        row, col = self.state_cells[self._state]
        grid_render.paint_cell(frame, row, col, self._frame_px, grid_render.AGENT_FRAME_COLOUR, self._agent_mask)
        return frame

    def close(self):
        if self._window is not None:
            self._window.close()
            self._window = None


__all__ = ["ACTION_NAMES", "DENSE_LIMIT", "OBS_TYPES", "GridWorldEnv"]

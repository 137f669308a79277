"""Tetris-v0: the classic 10 x 20 game, one placement per step (manual: ``TetrisEnv``)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rlhf_gym.envs.tetris import features as ft
from rlhf_gym.envs.tetris import pieces as pc

OBS_TYPES = ("features", "board")
N_PIECES = len(pc.PIECE_NAMES)
PIECE_FEATURES = tuple(f"piece_{name}" for name in pc.PIECE_NAMES)
# Names of the observation's entries, per obs_type.
OBS_FIELDS = {
    "features": ft.STATE_FEATURES + PIECE_FEATURES,
    "board": tuple(f"cell_{y}_{x}" for y in range(pc.HEIGHT) for x in range(pc.WIDTH)) + PIECE_FEATURES,
}
_FULL = pc.FULL_ROW
_HIGH_ROW = pc.HEIGHT  # a cell in this row or above after the line clears ends the game


def _heights(board: list) -> list:
    """Column heights of a board of row bit masks (scans rows from the top; used after line clears)."""
    h = [0] * pc.WIDTH
    seen = 0
    for y in range(pc.ROWS - 1, -1, -1):
        new = board[y] & ~seen
        if new:
            seen |= new
            while new:
                low = new & -new
                h[low.bit_length() - 1] = y + 1
                new ^= low
            if seen == _FULL:
                break
    return h


class TetrisEnv(gym.Env):
    """Tetris on a 10 x 20 well; each step places the current piece where the action says.

    ## Description
    The game of Bertsekas & Tsitsiklis (1996) and of TAMER (Knox & Stone 2009, whose person-trained
    agent cleared 65.89 lines by its third game): the seven tetrominoes (I, O, T, S, Z, J, L) fall
    into a well 10 columns wide and 20 rows high, and a row that fills up is cleared (the rows above
    it move down one). An action chooses the current piece's final rotation and column; the piece is
    dropped straight down from above the well. Like the research versions it omits the falling and
    sliding, so a piece can reach any column (no slides under overhangs). Pieces are drawn uniformly
    at random (no 7-bag) with ``self.np_random``, so ``reset(seed=...)`` fixes the sequence.

    ## Action Space
    ``Discrete(40)``: ``action = rotation * 10 + column``, rotation 0-3 (each a quarter turn
    clockwise from the spawn orientation), column 0-9 the left edge of the rotated piece. Every action
    is legal: a column past the right edge for that rotation's width shifts to the nearest column
    where the piece fits, and rotations that give the same shape (O: all four; I, S, Z: 0 and 2, 1 and
    3) place it the same way. ``info["action_mask"]`` (bool, 40) marks one action per distinct
    placement (O 9, I/S/Z 17, T/J/L 34) for agents that mask actions (sb3-contrib's MaskablePPO).
    An action outside the space (40, -1, 3.5, True) raises ValueError.

    ## Observation Space
    ``obs_type="features"`` (default): ``Box(float32, (28,))``, names in ``OBS_FIELDS["features"]``: the
    Bertsekas-Tsitsiklis features of the board -- 10 column heights (0-24), the 9 absolute differences
    of neighbouring heights, the maximum height, the number of holes (0-230) -- then the current
    piece one-hot (7). ``obs_type="board"``: ``Box(0, 1, (207,), float32)``: the 200 cells of the well
    (row 0 = top, ``cell_{row}_{col}``, 1 = filled), then the piece one-hot. Heights reach 24 only on
    the step that ends a game, when the last piece sticks out above the 20 rows (that part is not in
    the board observation). The next piece is drawn in advance (it is drawn in the frame's preview)
    but is not in the observation.

    ## Rewards
    The true reward is the number of lines the placement cleared (0.0-4.0), also in
    ``info["true_reward"]`` on every step; ``info["lines"]`` is the game's total so far.

    ## Starting State
    An empty well, a random current piece and a random next piece.

    ## Episode End
    Terminated (game over) when, after the placement and its line clears, a cell lies above the 20
    rows or the next piece cannot spawn (its cells in the spawn orientation at the top middle of
    the well -- columns 3-6, rows 1-2 from the top -- are filled). Truncated after ``max_pieces``
    placements: a good scripted player (``rlhf_gym.experts.expert_for``) almost never loses, so
    without a cap its episodes would never end. Episode lengths vary with play, which is fine for
    TAMER's per-step feedback; preference learning over clips should use clips, not whole games.

    ## Arguments
    ``gym.make("rlhf_gym/Tetris-v0", obs_type="features", max_pieces=1000, render_mode=None,
    cell_size=24)``: ``obs_type`` one of ``OBS_TYPES``; ``max_pieces`` an int >= 1; ``render_mode``
    None, ``"rgb_array"`` (frames as (H, W, 3) uint8 numpy images) or ``"human"`` (the same frames in a
    pygame window); ``cell_size`` pixels per cell (int >= 4). Anything else raises ValueError.

    For agents and teachers: ``afterstates()`` gives every action's afterstate features (names in
    ``AFTERSTATE_FEATURES``), the lines it clears, the action mask (and optionally whether it ends
    the game); ``set_board(...)`` loads a position; ``board``, ``piece``, ``next_piece``, ``lines``,
    ``pieces`` read the current one.

    ## Version History
    * v0: initial version (issue 23).
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": 4}
    obs_types = OBS_TYPES
    piece_names = pc.PIECE_NAMES
    feature_names = ft.STATE_FEATURES
    afterstate_feature_names = ft.AFTERSTATE_FEATURES

    def __init__(self, obs_type: str = "features", max_pieces: int = 1000, render_mode: str | None = None,
                 cell_size: int = 24) -> None:
        if obs_type not in OBS_TYPES:
            raise ValueError(f"TetrisEnv: obs_type must be one of {OBS_TYPES}; got {obs_type!r}")
        if isinstance(max_pieces, bool) or not isinstance(max_pieces, (int, np.integer)) or max_pieces < 1:
            raise ValueError(f"TetrisEnv: max_pieces must be an int >= 1; got {max_pieces!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"TetrisEnv: render_mode must be None or one of "
                             f"{self.metadata['render_modes']}; got {render_mode!r}")
        if isinstance(cell_size, bool) or not isinstance(cell_size, (int, np.integer)) or cell_size < 4:
            raise ValueError(f"TetrisEnv: cell_size must be an int >= 4; got {cell_size!r}")
        self.obs_type = obs_type
        self.obs_fields = OBS_FIELDS[obs_type]
        self.max_pieces = int(max_pieces)
        self.render_mode = render_mode
        self.cell_size = int(cell_size)
        self.action_space = spaces.Discrete(pc.N_ACTIONS)
        if obs_type == "features":
            high = np.array([pc.ROWS] * (2 * pc.WIDTH) + [(pc.ROWS - 1) * pc.WIDTH] + [1] * N_PIECES, np.float32)
            self.observation_space = spaces.Box(np.zeros_like(high), high, dtype=np.float32)
        else:
            self.observation_space = spaces.Box(0.0, 1.0, (pc.HEIGHT * pc.WIDTH + N_PIECES,), np.float32)
        self._board: list = [0] * pc.ROWS
        self._colours: list = [0] * pc.ROWS
        self._h: list = [0] * pc.WIDTH
        self._filled = 0
        self._piece = self._next = 0
        self._queue: list = []
        self.lines = 0
        self.pieces = 0
        self._started = False
        self._over = False
        self._window = None

    # ------------------------------------------------------------------ core
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._board = [0] * pc.ROWS
        self._colours = [0] * pc.ROWS
        self._h = [0] * pc.WIDTH
        self._filled = 0
        self._queue = []
        self._piece = self._draw()
        self._next = self._draw()
        self.lines = self.pieces = 0
        self._started, self._over = True, False
        if self.render_mode == "human":
            self.render()
        return self._obs(), self._info(0.0)

    def _draw(self) -> int:
        if not self._queue:  # draw in batches: one generator call per 64 pieces
            self._queue = self.np_random.integers(N_PIECES, size=64).tolist()[::-1]
        return self._queue.pop()

    def step(self, action):
        if type(action) is int:
            a = action
        elif isinstance(action, np.integer) or (isinstance(action, np.ndarray) and action.shape == ()
                                                and action.dtype.kind in "iu"):
            a = int(action)
        else:
            a = -1
        if not 0 <= a < pc.N_ACTIONS:
            raise ValueError(f"TetrisEnv.step: action must be an int in 0..{pc.N_ACTIONS - 1} "
                             f"(rotation * 10 + column); got {action!r}")
        if not self._started or self._over:
            raise RuntimeError("TetrisEnv.step called before reset() or after the game ended; call reset()")
        g = pc.STEP_GEOMETRY[self._piece][a]
        h, board, colours = self._h, self._board, self._colours
        base = max([h[c] - low for c, low in g.profile])
        cleared = 0
        for dy, bits, cbits in g.rows:
            y = base + dy
            row = board[y] | bits
            board[y] = row
            colours[y] |= cbits
            if row == _FULL:
                cleared += 1
        if cleared:
            keep = [y for y in range(pc.ROWS) if board[y] != _FULL]
            self._board = board = [board[y] for y in keep] + [0] * cleared
            self._colours = [colours[y] for y in keep] + [0] * cleared
            self._h = _heights(board)
        else:
            for c, top in g.tops:
                h[c] = base + top
        self._filled += 4 - pc.WIDTH * cleared
        self._piece = self._next
        self._next = self._draw()
        spawn_low, spawn_top = pc.SPAWN_MASKS[self._piece]
        self._over = terminated = bool(board[_HIGH_ROW] or board[_HIGH_ROW - 2] & spawn_low
                                       or board[_HIGH_ROW - 1] & spawn_top)
        self.lines += cleared
        self.pieces += 1
        truncated = self.pieces >= self.max_pieces and not terminated
        reward = float(cleared)
        if self.render_mode == "human":
            self.render()
        return self._obs(), reward, terminated, truncated, self._info(reward)

    # ---------------------------------------------------------- observations
    def _obs(self) -> np.ndarray:
        if self.obs_type == "features":
            h = self._h
            values = h + [abs(h[x + 1] - h[x]) for x in range(pc.WIDTH - 1)]
            values += (max(h), sum(h) - self._filled)
            obs = np.empty(2 * pc.WIDTH + 1 + N_PIECES, dtype=np.float32)
            obs[:2 * pc.WIDTH + 1] = values
            obs[2 * pc.WIDTH + 1:] = pc.PIECE_ONE_HOT[self._piece]
            return obs
        cells = pc.ROW_CELLS_F32[self._board[pc.HEIGHT - 1::-1]]
        return np.concatenate((cells.ravel(), pc.PIECE_ONE_HOT[self._piece]))

    def _info(self, reward: float) -> dict:
        return {"true_reward": reward, "lines": self.lines, "pieces": self.pieces,
                "action_mask": pc.ACTION_MASK[self._piece].copy()}

    def action_masks(self) -> np.ndarray:
        """One action per distinct placement of the current piece (the method MaskablePPO calls)."""
        return pc.ACTION_MASK[self._piece].copy()

    # ------------------------------------------------------ for agents/teachers
    def afterstates(self, return_game_over: bool = False):
        """Every action's afterstate: ``(features (40, 26), lines (40,), mask (40,))``.

        ``features[a]`` are the ``AFTERSTATE_FEATURES`` of the board after action ``a`` places the
        current piece and clears lines (its first 21 equal the next "features" observation's);
        ``lines[a]`` the lines it clears (the reward); ``mask`` is ``info["action_mask"]``. With
        ``return_game_over=True`` a fourth (40,) bool array says which actions end the game (this
        uses the next piece, which the observation does not show).
        """
        if not self._started:
            raise RuntimeError("TetrisEnv.afterstates called before reset()")
        return ft.afterstates(ft.board_from_rows(self._board), self._piece,
                              self._next if return_game_over else None)

    @property
    def board(self) -> np.ndarray:
        """(20, 10) uint8, row 0 = top: 0 empty, 1 + the index of the piece that filled a cell, or
        ``GREY`` (8) for a cell loaded by ``set_board`` without a piece."""
        return pc.colour_ids(self._colours[pc.HEIGHT - 1::-1])

    @property
    def piece(self) -> int:
        """Index into ``piece_names`` of the piece the next action places."""
        return self._piece

    @property
    def next_piece(self) -> int:
        return self._next

    def set_board(self, board, piece=None, next_piece=None):
        """Load a position (for tests, tutorials and teachers); returns the new observation.

        ``board``: 20 strings of 10 characters, top row first (``.`` empty; ``#`` or a piece letter
        filled), or a (20, 10) array (nonzero = filled; ints 1-7 colour a cell as that piece, other
        values grey). ``piece`` and ``next_piece``: a letter of ``piece_names`` or its index; None keeps
        the current one. A full row, or a board on which ``piece`` cannot spawn, raises ValueError.
        The lines and pieces counts stay.
        """
        if not self._started:
            raise RuntimeError("TetrisEnv.set_board called before reset()")
        ids = self._parse_board(board)
        p = self._piece if piece is None else self._parse_piece("piece", piece)
        q = self._next if next_piece is None else self._parse_piece("next_piece", next_piece)
        bottom_up = ids[::-1]
        rows = [int((1 << np.flatnonzero(r)).sum()) for r in bottom_up] + [0] * pc.BUFFER
        if _FULL in rows:
            raise ValueError(f"TetrisEnv.set_board: board has a full row (row {rows.index(_FULL)} from the "
                             "bottom); full rows are cleared, so a position never holds one")
        low, top = pc.SPAWN_MASKS[p]
        if rows[pc.HEIGHT - 2] & low or rows[pc.HEIGHT - 1] & top:
            raise ValueError(f"TetrisEnv.set_board: piece {pc.PIECE_NAMES[p]!r} cannot spawn on this board "
                             "(its spawn cells at the top middle are filled)")
        self._board = rows
        self._colours = [int((r.astype(np.int64) << (4 * np.arange(pc.WIDTH))).sum()) for r in bottom_up]
        self._colours += [0] * pc.BUFFER
        self._h = _heights(rows)
        self._filled = int((ids > 0).sum())
        self._piece, self._next, self._over = p, q, False
        return self._obs()

    @staticmethod
    def _parse_board(board) -> np.ndarray:
        shape = (pc.HEIGHT, pc.WIDTH)
        if (isinstance(board, (list, tuple)) and len(board) == pc.HEIGHT
                and all(isinstance(r, str) for r in board)):
            legend = {".": 0, "#": pc.GREY, **{n: i + 1 for i, n in enumerate(pc.PIECE_NAMES)}}
            if any(len(r) != pc.WIDTH or set(r) - set(legend) for r in board):
                raise ValueError(f"TetrisEnv.set_board: board rows must be {pc.WIDTH} characters from "
                                 f"'.#{''.join(pc.PIECE_NAMES)}'; got {board!r}")
            ids = np.array([[legend[ch] for ch in r] for r in board])
        else:
            ids = np.asarray(board)
            if ids.shape != shape or ids.dtype.kind not in "biu":
                raise ValueError(f"TetrisEnv.set_board: board must be {pc.HEIGHT} row strings or an integer/bool "
                                 f"array of shape {shape}; got {type(board).__name__} of shape {ids.shape}")
            ids = np.where(ids, pc.GREY, 0) if ids.dtype.kind == "b" else ids.astype(np.int64)
        return np.where((ids < 0) | (ids > N_PIECES), pc.GREY, ids).astype(np.uint8)

    @staticmethod
    def _parse_piece(name: str, value) -> int:
        if isinstance(value, str) and value in pc.PIECE_NAMES:
            return pc.PIECE_NAMES.index(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value < N_PIECES:
            return int(value)
        raise ValueError(f"TetrisEnv.set_board: {name} must be one of {pc.PIECE_NAMES} or an index "
                         f"0..{N_PIECES - 1}; got {value!r}")

    # --------------------------------------------------------------- render
    def render(self):
        if self.render_mode is None:
            gym.logger.warn("TetrisEnv.render called without a render_mode; "
                            'pass render_mode="rgb_array" or "human" to gym.make.')
            return None
        if not self._started:
            raise RuntimeError("TetrisEnv.render called before reset()")
        from rlhf_gym.envs.tetris.render import draw_frame

        frame = draw_frame(self.board, self._piece, self._next, self.lines, self.cell_size)
        if self.render_mode == "rgb_array":
            return frame
        if self._window is None:
            from rlhf_gym.rendering.frame_window import FrameWindow

            self._window = FrameWindow("rlhf_gym Tetris-v0", fps=self.metadata["render_fps"])
        self._window.show(frame)
        return None

    def close(self):
        if self._window is not None:
            self._window.close()
            self._window = None

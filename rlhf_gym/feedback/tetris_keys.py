"""Tetris keys for the keyboard expert: move a ghost piece to where you would place it, then confirm.

Why a ghost and not one key per action: a Tetris action is a placement (rotation x column, 40 of
them), too many for a key each. The question opens with the ghost at the learner's intended
placement, so a person who agrees presses Enter once, and one who does not moves it:

- ``<-`` / ``->``: one column left / right (a wall is a hint, not a move);
- ``^``: the next distinct rotation clockwise (the column shifts back inside the well, as the env does;
  the O piece has one shape, I, S and Z two);
- Backspace: back to the learner's placement;
- Enter, keypad Enter or space: place it there -- the answer is the placement's action,
  ``rotation * 10 + column``, the one ``info["action_mask"]`` marks for that placement;
- escape (handled by :class:`~rlhf_gym.feedback.keyboard_expert.KeyboardExpert`): stop.

Any other key changes nothing and the strip under the board says so.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.tetris import pieces as pc
from rlhf_gym.feedback import tetris_overlay as overlay


def _rotations(piece: int) -> list[int]:
    """The rotations that give distinct shapes of ``piece`` (O: [0]; I, S, Z: [0, 1]; T, J, L: 0-3)."""
    return sorted({int(r) for r in pc.PLACEMENT_ROTATION[piece]})


def _width(piece: int, rotation: int) -> int:
    return int(pc.SHAPES[piece][rotation].shape[1])


class TetrisKeys:
    """Key map of one Tetris question at a time: ``begin``, then ``press`` until it returns the action."""

    help = "<- -> column, ^ rotate, Enter place, Backspace learner's, Esc stop"

    def __init__(self) -> None:
        import pygame

        self._k = pygame
        self.env = None
        self.piece = 0
        self.rotation = self.column = 0
        self.learner: int | None = None
        self.hint = ""
        self._base = None
        self._board = None
        self._frame = None

    # ------------------------------------------------------------------ state
    @property
    def action(self) -> int:
        """The ghost's placement as the action ``info["action_mask"]`` marks for it."""
        return self.rotation * pc.WIDTH + self.column

    def _place(self, action: int | None) -> None:
        if action is None:  # no learner: start where a piece spawns
            self.rotation, self.column = 0, (pc.WIDTH - _width(self.piece, 0)) // 2
            return
        k = pc.ACTION_PLACEMENT[self.piece][action]
        self.rotation = int(pc.PLACEMENT_ROTATION[self.piece][k])
        self.column = int(pc.PLACEMENT_LEFT[self.piece][k])

    def begin(self, env, learner_action) -> None:
        """A new question: the env's current board and piece, the ghost at ``learner_action`` (or None)."""
        base = env.unwrapped
        self.env, self.piece = env, int(base.piece)
        self._board = base.board
        self._base = env.render()
        if self._base is None:
            raise ValueError(f"env: render_mode {base.render_mode!r}; allowed: 'rgb_array' (the question is drawn "
                             "on the env's frame)")
        self.learner = None if learner_action is None else int(np.asarray(learner_action).reshape(-1)[0])
        self.hint = ""
        self._place(self.learner)
        self._frame = None

    def press(self, key: int) -> int | None:
        """Apply one key; the chosen action when it confirms, else None (the ghost moved, or a hint)."""
        k = self._k
        self._frame, self.hint = None, ""
        last = pc.WIDTH - _width(self.piece, self.rotation)
        if key in (k.K_RETURN, k.K_KP_ENTER, k.K_SPACE):
            return self.action
        if key == k.K_LEFT:
            if self.column == 0:
                self.hint = "already at the left wall"
            else:
                self.column -= 1
        elif key == k.K_RIGHT:
            if self.column == last:
                self.hint = "already at the right wall"
            else:
                self.column += 1
        elif key == k.K_UP:
            rotations = _rotations(self.piece)
            if len(rotations) == 1:
                self.hint = f"{pc.PIECE_NAMES[self.piece]} has one shape: ^ does nothing"
            else:
                self.rotation = rotations[(rotations.index(self.rotation) + 1) % len(rotations)]
                self.column = min(self.column, pc.WIDTH - _width(self.piece, self.rotation))
        elif key == k.K_BACKSPACE:
            self._place(self.learner)
        else:
            self.hint = f"key {k.key.name(key) or key} means nothing here"
        return None

    # ------------------------------------------------------------ picture
    def _describe(self, action: int) -> str:
        r, c = divmod(action, pc.WIDTH)
        return f"rot {r} col {c} (action {action})"

    def frame(self) -> np.ndarray:
        """The question as an (H, W, 3) uint8 image (redrawn only after a key changed something)."""
        if self._frame is None:
            learner = "-" if self.learner is None else self._describe(self._canonical(self.learner))
            lines = [(f"learner: {learner}", overlay.DIM), (f"ghost:   {self._describe(self.action)}", overlay.TEXT),
                     ("<- -> col  ^ rot  enter place", overlay.DIM),
                     (self.hint, overlay.HINT) if self.hint else ("esc stops (answers are saved)", overlay.DIM)]
            rows, _ = overlay.placement_cells(self._board, self.piece, self.action)
            if rows.max() >= pc.HEIGHT and not self.hint:
                lines[3] = ("too high: this ends the game", overlay.HINT)
            self._frame = overlay.draw_question(self._base, self._board, self.piece, self.env.unwrapped.cell_size,
                                                self.action, self.learner, lines)
        return self._frame

    def _canonical(self, action: int) -> int:
        k = pc.ACTION_PLACEMENT[self.piece][action]
        return int(pc.PLACEMENT_ROTATION[self.piece][k]) * pc.WIDTH + int(pc.PLACEMENT_LEFT[self.piece][k])

    def caption(self) -> str:
        name = pc.PIECE_NAMES[self.piece]
        learner = "?" if self.learner is None else self._describe(self._canonical(self.learner))
        text = f"rlhf-gym: the learner would place {name} at {learner}; where would you? ({self.help})"
        return f"{text} -- {self.hint}" if self.hint else text

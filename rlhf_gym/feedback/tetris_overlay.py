"""The Tetris question as a picture: the env's frame, a ghost piece where it would land, and text below.

Why a numpy overlay on the env's own frame: the person must see exactly the board the learner sees,
and the picture has to work without a display (tests, recordings); pygame only shows it.

Geometry (the env's, from its public state): the well is the frame's left ``10 * cell`` by
``20 * cell`` pixels, row 0 at the top. A placement drops the piece straight down, so it lands
where the lowest of its cells first meets a column's stack: ``base = max(height[c] - low[c])`` over
the piece's columns (``pieces.CELL_COLS`` / ``CELL_ROWS``), the same rule ``TetrisEnv.step`` uses.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.tetris import pieces as pc
from rlhf_gym.feedback.pixel_text import GLYPH_H, GLYPH_W, draw_text

STRIP = (16, 16, 22)  # background of the text strip under the frame
TEXT = (230, 230, 230)
DIM = (150, 150, 165)
HINT = (255, 200, 60)
LEARNER_MARK = (255, 255, 255)
TEXT_LINES = 4


def column_heights(board: np.ndarray) -> np.ndarray:
    """(10,) heights of a (20, 10) board of colour ids, row 0 = top (the env's ``board`` property)."""
    occ = np.asarray(board) > 0
    first = np.argmax(occ, axis=0)  # the topmost filled row of each column
    return np.where(occ.any(axis=0), pc.HEIGHT - first, 0)


def placement_cells(board: np.ndarray, piece: int, action: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows counted from the floor, columns) of the 4 cells where ``action`` leaves ``piece`` on ``board``.

    Rows >= 20 stick out above the well (that placement ends the game).
    """
    k = pc.ACTION_PLACEMENT[piece][action]
    cols, low = pc.CELL_COLS[piece][k], pc.CELL_ROWS[piece][k]
    base = int((column_heights(board)[cols] - low).max())
    return base + low, cols


def text_scale(cell: int) -> int:
    return max(1, cell // 12)


def strip_height(cell: int) -> int:
    s = text_scale(cell)
    return TEXT_LINES * (GLYPH_H + 2) * s + 2 * s


def _mark_cells(img, rows, cols, cell: int, colour, fill: bool) -> None:
    """Outline (and, with ``fill``, shade) each visible cell; ``fill=False`` draws a small centre square."""
    colour = np.asarray(colour, dtype=np.int16)
    edge = max(2, cell // 8)
    for y, x in zip(rows, cols):
        if y >= pc.HEIGHT:
            continue
        top, left = (pc.HEIGHT - 1 - int(y)) * cell, int(x) * cell
        box = img[top:top + cell, left:left + cell]
        if fill:
            box[:] = ((box.astype(np.int16) + colour) // 2).astype(np.uint8)
            inner = np.ones(box.shape[:2], dtype=bool)
            inner[edge:-edge, edge:-edge] = False
            box[inner] = colour.astype(np.uint8)
        else:
            c0, size = cell // 2 - max(1, cell // 6), 2 * max(1, cell // 6)
            box[c0:c0 + size, c0:c0 + size] = colour.astype(np.uint8)


def draw_question(frame: np.ndarray, board: np.ndarray, piece: int, cell: int, ghost: int,
                  learner: int | None, lines: list[tuple[str, tuple]]) -> np.ndarray:
    """The env ``frame`` with the ghost of action ``ghost`` (shaded cells in the piece's colour), the
    learner's intended action marked by white squares when it differs, and ``lines`` of (text, colour)
    in a strip below. Returns a new (H + strip, W, 3) uint8 image."""
    height, width = frame.shape[:2]
    img = np.empty((height + strip_height(cell), width, 3), dtype=np.uint8)
    img[:height] = frame
    img[height:] = STRIP
    rows, cols = placement_cells(board, piece, ghost)
    _mark_cells(img, rows, cols, cell, pc.PIECE_COLOURS[piece], fill=True)
    if learner is not None and pc.ACTION_PLACEMENT[piece][learner] != pc.ACTION_PLACEMENT[piece][ghost]:
        rows, cols = placement_cells(board, piece, learner)
        _mark_cells(img, rows, cols, cell, LEARNER_MARK, fill=False)
    s = text_scale(cell)
    for i, (text, colour) in enumerate(lines[:TEXT_LINES]):
        draw_text(img, text, s * (GLYPH_W - 1), height + s + i * (GLYPH_H + 2) * s, colour, s)
    return img

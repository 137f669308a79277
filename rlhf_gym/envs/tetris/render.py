"""Numpy drawing of a Tetris frame (no display needed, so ``rgb_array`` works headless).

Left: the 10 x 20 well, each cell coloured by the piece that filled it. Right: the current piece
(the one the next action places), a small preview of the next piece, and the game's line count
in a 3 x 5 pixel font.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.tetris import pieces as pc

BACKGROUND = (24, 24, 32)
PANEL = (40, 40, 52)
GRID = (48, 48, 62)
TEXT = (230, 230, 230)
PALETTE = np.array((BACKGROUND,) + pc.PIECE_COLOURS + ((128, 128, 128),), dtype=np.uint8)
PANEL_CELLS = 5  # panel width in cells

_DIGITS = ("111101101101111", "010110010010111", "111001111100111", "111001111001111", "101101111001001",
           "111100111001111", "111100111101111", "111001001001001", "111101111101111", "111101111001111")
_FONT = np.array([[int(b) for b in d] for d in _DIGITS], dtype=bool).reshape(10, 5, 3)


def _piece(img, piece: int, x0: int, y0: int, cell: int) -> None:
    grid = pc.SHAPES[piece][0]
    colour = PALETTE[piece + 1]
    for i, j in zip(*np.nonzero(grid)):
        img[y0 + i * cell + 1:y0 + (i + 1) * cell - 1, x0 + j * cell + 1:x0 + (j + 1) * cell - 1] = colour


def _number(img, value: int, x0: int, y0: int, scale: int) -> None:
    for k, ch in enumerate(str(value)):
        glyph = np.repeat(np.repeat(_FONT[int(ch)], scale, axis=0), scale, axis=1)
        x = x0 + k * 4 * scale
        if x + 3 * scale > img.shape[1]:
            break
        img[y0:y0 + 5 * scale, x:x + 3 * scale][glyph] = TEXT


def draw_frame(board: np.ndarray, piece: int, next_piece: int, lines: int, cell: int) -> np.ndarray:
    """(20 * cell, 15 * cell, 3) uint8 picture; ``board`` is (20, 10) colour ids, row 0 = top."""
    h, w = pc.HEIGHT * cell, pc.WIDTH * cell
    img = np.empty((h, w + PANEL_CELLS * cell, 3), dtype=np.uint8)
    well = np.repeat(np.repeat(PALETTE[board], cell, axis=0), cell, axis=1)
    edge = (np.arange(cell) == 0) | (np.arange(cell) == cell - 1)
    lines_mask = np.tile(edge, pc.HEIGHT)[:, None] | np.tile(edge, pc.WIDTH)[None, :]
    well[lines_mask & (board == 0).repeat(cell, 0).repeat(cell, 1)] = GRID
    well[lines_mask & (board != 0).repeat(cell, 0).repeat(cell, 1)] //= 2  # darker cell borders
    img[:, :w] = well
    img[:, w:] = PANEL
    _piece(img, piece, w + cell // 2, cell, cell)
    _piece(img, next_piece, w + cell // 2, 4 * cell, max(cell // 2, 2))
    _number(img, lines, w + cell // 2, 7 * cell, max(1, cell // 6))
    return img

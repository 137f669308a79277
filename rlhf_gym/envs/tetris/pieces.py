"""The seven tetrominoes and every table the env needs, computed once at import.

Why precomputed: a step looks up one placement's geometry (row bit masks, column profiles) and
does a handful of integer operations, so the env steps about as fast as CartPole.

Coordinates: row ``y = 0`` is the bottom of the well, column ``x = 0`` the left wall. A board is a
list of ``ROWS`` ints, one per row, bit ``x`` set when cell ``x`` is filled (``FULL_ROW`` = all 10).
The well is ``HEIGHT`` = 20 rows; ``BUFFER`` rows above it hold the part of a last placement that
sticks out (its game is then over). A rotation turns the piece 90 degrees clockwise; a placement is
(rotation, left column of the piece's bounding box).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

WIDTH = 10
HEIGHT = 20
BUFFER = 4
ROWS = HEIGHT + BUFFER
FULL_ROW = (1 << WIDTH) - 1
N_ROTATIONS = 4
N_ACTIONS = N_ROTATIONS * WIDTH  # action = rotation * WIDTH + column
SPAWN_ROW_TOP = HEIGHT - 1  # a new piece appears in rotation 0 with its top row here

PIECE_NAMES = ("I", "O", "T", "S", "Z", "J", "L")
# Rotation 0, drawn top row first (the spawn orientation of the Tetris guideline).
_SHAPES = {
    "I": ("####",),
    "O": ("##", "##"),
    "T": (".#.", "###"),
    "S": (".##", "##."),
    "Z": ("##.", ".##"),
    "J": ("#..", "###"),
    "L": ("..#", "###"),
}
# RGB colour of each piece's cells (guideline colours), then GREY for cells loaded without a piece.
PIECE_COLOURS = ((0, 220, 230), (235, 215, 0), (165, 60, 220), (60, 200, 60), (225, 50, 50), (40, 90, 230),
                 (240, 150, 20))
GREY = len(PIECE_NAMES) + 1  # colour id of a cell that set_board filled with "#"


class Placement(NamedTuple):
    """Geometry of one (rotation, left column) of one piece, for the step."""

    rotation: int
    left: int
    height: int  # rows the piece spans
    profile: tuple  # (column, lowest cell's row offset) per piece column: base = max(h[c] - low)
    tops: tuple  # (column, highest cell's row offset + 1) per piece column: new h[c] = base + top
    rows: tuple  # (row offset, bit mask, colour mask: 4 bits per cell) per piece row, bottom first


def _rotations(name: str) -> list[np.ndarray]:
    grid = np.array([[ch == "#" for ch in row] for row in _SHAPES[name]], dtype=bool)
    out = [grid]
    for _ in range(N_ROTATIONS - 1):
        out.append(np.rot90(out[-1], -1))
    return out


def _cells(grid: np.ndarray) -> list[tuple[int, int]]:
    """(row offset from the piece's bottom, column offset) of each filled cell."""
    h = grid.shape[0]
    return [(int(h - 1 - i), int(j)) for i, j in zip(*np.nonzero(grid))]


def _build():
    shapes, placements, action_placement, action_mask = [], [], [], []
    cell_cols, cell_rows, place_left, place_rot, place_height = [], [], [], [], []
    for p, name in enumerate(PIECE_NAMES):
        grids = _rotations(name)
        shapes.append(tuple(grids))
        canon = []  # first rotation with the same shape
        for r, g in enumerate(grids):
            canon.append(next(k for k in range(r + 1) if grids[k].shape == g.shape and np.array_equal(grids[k], g)))
        plist, index = [], {}
        for r, g in enumerate(grids):
            if canon[r] != r:
                continue
            cells = _cells(g)
            ph, pw = g.shape
            for left in range(WIDTH - pw + 1):
                profile = tuple((left + j, min(dy for dy, dx in cells if dx == j)) for j in range(pw))
                tops = tuple((left + j, max(dy for dy, dx in cells if dx == j) + 1) for j in range(pw))
                rows = tuple((dy, sum(1 << (left + dx) for y, dx in cells if y == dy),
                              sum((p + 1) << (4 * (left + dx)) for y, dx in cells if y == dy)) for dy in range(ph))
                index[(r, left)] = len(plist)
                plist.append(Placement(r, left, ph, profile, tops, rows))
        amap = np.empty(N_ACTIONS, dtype=np.int64)
        mask = np.zeros(N_ACTIONS, dtype=bool)
        for a in range(N_ACTIONS):
            r, c = divmod(a, WIDTH)
            pw = grids[r].shape[1]
            amap[a] = index[(canon[r], min(c, WIDTH - pw))]  # a column past the edge shifts back
            mask[a] = canon[r] == r and c <= WIDTH - pw
        placements.append(tuple(plist))
        action_placement.append(amap)
        action_mask.append(mask)
        cols = np.array([[pl.left + dx for _, dx in _cells(grids[pl.rotation])] for pl in plist], dtype=np.int64)
        rws = np.array([[dy for dy, _ in _cells(grids[pl.rotation])] for pl in plist], dtype=np.int64)
        cell_cols.append(cols)
        cell_rows.append(rws)
        place_left.append(np.array([pl.left for pl in plist]))
        place_rot.append(np.array([pl.rotation for pl in plist]))
        place_height.append(np.array([pl.height for pl in plist], dtype=np.float64))
    return (tuple(shapes), tuple(placements), tuple(action_placement), tuple(action_mask), tuple(cell_cols),
            tuple(cell_rows), tuple(place_left), tuple(place_rot), tuple(place_height))


(SHAPES, PLACEMENTS, ACTION_PLACEMENT, ACTION_MASK, CELL_COLS, CELL_ROWS, PLACEMENT_LEFT, PLACEMENT_ROTATION,
 PLACEMENT_HEIGHT) = _build()
for _m in ACTION_MASK:
    _m.flags.writeable = False
# STEP_GEOMETRY[p][a]: the Placement that action a makes with piece p (shared by equivalent actions).
STEP_GEOMETRY = tuple(tuple(PLACEMENTS[p][k] for k in ACTION_PLACEMENT[p]) for p in range(len(PIECE_NAMES)))
N_PLACEMENTS = tuple(len(pl) for pl in PLACEMENTS)  # distinct placements per piece: I 17, O 9, T 34, ...


def _spawn():
    """Per piece: bit masks of its spawn cells in rows 18 and 19, and the same as a (ROWS, WIDTH) bool grid."""
    masks, grids = [], []
    for grid in (s[0] for s in SHAPES):
        ph, pw = grid.shape
        left = (WIDTH - pw) // 2
        bits = {HEIGHT - 2: 0, HEIGHT - 1: 0}
        cells = np.zeros((ROWS, WIDTH), dtype=bool)
        for dy, dx in _cells(grid):
            y = SPAWN_ROW_TOP - (ph - 1) + dy
            bits[y] |= 1 << (left + dx)
            cells[y, left + dx] = True
        masks.append((bits[HEIGHT - 2], bits[HEIGHT - 1]))
        grids.append(cells)
    return tuple(masks), np.array(grids)


SPAWN_MASKS, SPAWN_CELLS = _spawn()
SPAWN_CELLS.flags.writeable = False

# ROW_CELLS[bits] -> the row as WIDTH bools (left first), for turning a board into arrays.
ROW_CELLS = ((np.arange(FULL_ROW + 1)[:, None] >> np.arange(WIDTH)) & 1).astype(bool)
ROW_CELLS.flags.writeable = False
ROW_CELLS_F32 = ROW_CELLS.astype(np.float32)
ROW_CELLS_F32.flags.writeable = False
PIECE_ONE_HOT = np.eye(len(PIECE_NAMES), dtype=np.float32)
PIECE_ONE_HOT.flags.writeable = False


def colour_ids(colour_rows) -> np.ndarray:
    """(len(rows), WIDTH) uint8 cell colours (0 empty, 1..7 = piece index + 1, GREY) from 4-bit-per-cell row ints."""
    rows = np.asarray(colour_rows, dtype=np.int64)
    return ((rows[:, None] >> (4 * np.arange(WIDTH))) & 15).astype(np.uint8)

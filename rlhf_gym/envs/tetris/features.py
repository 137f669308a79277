"""Board features and afterstates, vectorised over every placement of a piece with numpy.

Why: TAMER (Knox & Stone 2009) and the scripted expert both score each placement by a linear
function of the *afterstate*, the board after placing the current piece and clearing lines.

State features (Bertsekas & Tsitsiklis 1996), ``STATE_FEATURES`` (21): the 10 column heights, the 9
absolute differences of neighbouring heights, the maximum height and the number of holes (empty
cells with a filled cell somewhere above them in their column). A column's height is the row of its
highest filled cell plus one (0 for an empty column), counted from the floor.

Afterstate features, ``AFTERSTATE_FEATURES`` (26): the 21 state features of the afterstate, then
Dellacherie's (Fahey 2003; Thiery & Scherrer 2009):
- ``landing_height``: the row of the placed piece's middle, ``bottom row + (piece height - 1) / 2``;
- ``eroded_cells``: lines cleared x cells of the placed piece that those lines removed;
- ``row_transitions``: filled/empty changes along each row, the walls counting as filled, over the
  20 rows of the well and any row above it that holds a cell (an empty row counts 2);
- ``column_transitions``: filled/empty changes up each column, the floor counting as filled;
- ``cumulative_wells``: a well cell is empty with filled cells (or walls) left and right; each run of
  d well cells stacked in a column adds 1 + 2 + ... + d.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.tetris import pieces as pc

STATE_FEATURES = (tuple(f"height_{x}" for x in range(pc.WIDTH))
                  + tuple(f"height_diff_{x}" for x in range(pc.WIDTH - 1)) + ("max_height", "holes"))
AFTERSTATE_FEATURES = STATE_FEATURES + ("landing_height", "eroded_cells", "row_transitions",
                                        "column_transitions", "cumulative_wells")
AFTERSTATE_INDEX = {name: i for i, name in enumerate(AFTERSTATE_FEATURES)}

_ROW_INDEX = np.arange(pc.ROWS)


def heights_of(occ: np.ndarray) -> np.ndarray:
    """Column heights of (..., ROWS, WIDTH) bool boards -> (..., WIDTH) int64."""
    top = pc.ROWS - np.argmax(occ[..., ::-1, :], axis=-2)
    return np.where(occ.any(axis=-2), top, 0)


def state_features(occ: np.ndarray) -> np.ndarray:
    """The 21 Bertsekas-Tsitsiklis features of (..., ROWS, WIDTH) bool boards, float64."""
    h = heights_of(occ)
    holes = h.sum(axis=-1) - occ.sum(axis=(-2, -1))
    return np.concatenate([h, np.abs(np.diff(h, axis=-1)), h.max(axis=-1, keepdims=True), holes[..., None]],
                          axis=-1).astype(np.float64)


def board_from_rows(rows) -> np.ndarray:
    """(ROWS, WIDTH) bool board from the env's list of row bit masks (row 0 = floor)."""
    return pc.ROW_CELLS[np.asarray(rows, dtype=np.int64)]


def afterstates(occ: np.ndarray, piece: int, next_piece: int | None = None):
    """Every action's afterstate for ``piece`` on the (ROWS, WIDTH) bool board ``occ`` (row 0 = floor).

    Returns ``(features (40, 26) float64, lines (40,) int64, mask (40,) bool)``, and with ``next_piece``
    a fourth array, ``game_over`` (40,) bool: the placement would end the game (a cell above the well,
    or ``next_piece`` could not spawn). Actions that make the same placement share its row.
    """
    cols, dy = pc.CELL_COLS[piece], pc.CELL_ROWS[piece]
    n = cols.shape[0]
    h = heights_of(occ)
    base = (h[cols] - dy).max(axis=1)
    rows = base[:, None] + dy
    boards = np.repeat(occ[None], n, axis=0)
    idx = np.arange(n)[:, None]
    boards[idx, rows, cols] = True
    full = boards.all(axis=2)
    lines = full.sum(axis=1)
    eroded = lines * full[idx, rows].sum(axis=1)
    if lines.any():
        order = np.argsort(full, axis=1, kind="stable")  # kept rows first, in order, then the full ones
        boards = np.take_along_axis(boards, order[:, :, None], axis=1)
        boards[_ROW_INDEX[None, :] >= (pc.ROWS - lines)[:, None]] = False
    base_feats = state_features(boards)
    walls = np.ones((n, pc.ROWS, pc.WIDTH + 2), dtype=bool)
    walls[:, :, 1:-1] = boards
    per_row = (walls[:, :, 1:] != walls[:, :, :-1]).sum(axis=2)
    above = boards[:, pc.HEIGHT:].any(axis=2)
    row_tr = per_row[:, :pc.HEIGHT].sum(axis=1) + (per_row[:, pc.HEIGHT:] * above).sum(axis=1)
    floor = np.ones((n, pc.ROWS + 1, pc.WIDTH), dtype=bool)
    floor[:, 1:] = boards
    col_tr = (floor[:, 1:] != floor[:, :-1]).sum(axis=(1, 2))
    wells = ~boards & walls[:, :, :-2] & walls[:, :, 2:]
    down = wells[:, ::-1]  # top row first: runs grow downwards
    count = np.cumsum(down, axis=1)
    run = count - np.maximum.accumulate(np.where(down, 0, count), axis=1)
    cum_wells = run.sum(axis=(1, 2))
    landing = base + (pc.PLACEMENT_HEIGHT[piece] - 1.0) / 2.0
    feats = np.concatenate([base_feats, np.stack([landing, eroded, row_tr, col_tr, cum_wells], axis=1)], axis=1)
    amap = pc.ACTION_PLACEMENT[piece]
    out = (feats[amap], lines[amap], pc.ACTION_MASK[piece].copy())
    if next_piece is None:
        return out
    over = boards[:, pc.HEIGHT:].any(axis=(1, 2)) | (boards & pc.SPAWN_CELLS[next_piece]).any(axis=(1, 2))
    return out + (over[amap],)
